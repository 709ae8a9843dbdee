/**
 * The int8 wasm kernels against scalar TypeScript references built on TFLite's fixed-point
 * rules (`fixed_point.ts`, itself checked against BigInt definitions): odd shapes, the extreme
 * values -128 and 127, zero points at both ends, multipliers near 1 and tiny.
 */
import assert from "node:assert/strict";
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierSingleRounding,
  quantizeMultiplier,
} from "../../src/runtime/quantization/fixed_point.ts";
import { dotActivationXor, DotForm } from "../../src/runtime/ops/common/int8_gemm.ts";
import {
  depthwiseDotColumns,
  depthwiseDotFilter,
  depthwiseWeightSums,
  DOT_COLUMN_BYTES,
  Requantization,
} from "../../src/runtime/ops/common/weight_packing.ts";
import { storeLayer } from "../../src/runtime/kernel_layout.ts";
import {
  expectedPatches,
  freshMemory,
  ONE_SHIFT_REALS,
  randomFloats,
  requantizationConstants,
  VARIANTS,
  windowLayerFields,
  WINDOWS,
} from "./kernel_harness.ts";

const random = randomFloats(4242);

/** Random int8 values in [low, high], with the extremes forced in at the start. */
function int8s(count: number, low = -128, high = 127): Int8Array {
  const values = Int8Array.from(
    random(count),
    (value) => Math.round(low + ((value + 1) / 2) * (high - low)),
  );
  if (count > 0) values[0] = low;
  if (count > 1) values[1] = high;
  return values;
}

// 0.25 makes ties where single and double rounding differ (1 x 0.25: 0 and 1).
const REALS = [0.999999, 0.5, 1.5e-6, 0.0123, 0.73, 2.2e-4, 3.5, 0.25];
// Multipliers the fast requantization takes (below 0.25: exponents of at least 2).
const FAST_REALS = [0.2, 1.5e-6, 0.0123, 0.06, 2.2e-4, 0.124, 0.0625];

const GEMM_CASES = VARIANTS.flatMap((variant) =>
  [false, true].flatMap((singleRounding) =>
    [REALS, FAST_REALS, ONE_SHIFT_REALS].map((reals) => [variant, singleRounding, reals] as const)
  )
);

for (const [variant, singleRounding, reals] of GEMM_CASES) {
  const rounding = `${singleRounding ? "single" : "double"} rounding` +
    (reals === FAST_REALS ? ", fast multipliers" : "") +
    (reals === ONE_SHIFT_REALS ? ", one-shift multipliers" : "");
  const rescale = singleRounding
    ? multiplyByQuantizedMultiplierSingleRounding
    : multiplyByQuantizedMultiplier;
  Deno.test(`qs8_widen, qs8_pack_weights and qs8_gemm_4x8 match the scalar reference (${variant}, ${rounding})`, async () => {
    for (const m of [1, 2, 3, 7, 17]) {
      for (const n of [1, 3, 4, 5, 17, 33]) {
        for (const k of [1, 3, 8, 17, 33]) {
          const memory = await freshMemory(variant);
          const depth = Math.ceil(k / 8) * 8;
          const a = int8s(m * depth);
          const weights = int8s(n * k, -127, 127);
          const bias = Int32Array.from(random(n), (value) => Math.round(value * 20000));
          const pairs = Array.from(
            { length: n },
            (_, channel) => quantizeMultiplier(reals[channel % reals.length]),
          );
          const zeroPoint = [-128, 127, 3][(m + n) % 3];
          const [low, high] = n % 2 ? [-128, 127] : [-20, 90];
          // A as the GEMM takes it: int16 rows of depth values, zeros past k.
          const aOffset = memory.allocate(m * depth * 2);
          memory.kernels.qs8_widen(memory.store(a), m, k, depth, depth, aOffset);
          const weightsOffset = memory.store(weights);
          const padded = Math.ceil(n / 8) * 8;
          const packed = memory.allocate(padded * depth * 2);
          memory.kernels.qs8_pack_weights(weightsOffset, n, k, depth, packed);
          // A GEMM sum: k products of int8 values, at most 128 x 127, plus the bias.
          const sumBound = k * 128 * 127 + Math.max(...bias.map(Math.abs));
          const constants = requantizationConstants(
            memory,
            pairs,
            padded,
            singleRounding,
            { zeroPoint, low, linearOneShift: true, sumBound },
          );
          const fast = singleRounding ? Requantization.fastSingleRounding : Requantization.fast;
          assert.equal(constants.modes.includes(fast), reals === FAST_REALS);
          // Double rounding under a clamp that keeps negative results takes the linear one-shift form.
          const oneShiftMode = !singleRounding && low < zeroPoint
            ? Requantization.oneShiftLinear
            : Requantization.oneShift;
          if (reals === ONE_SHIFT_REALS && k <= 16) {
            assert.ok(constants.modes.includes(oneShiftMode));
          }
          const biasOffset = memory.store(
            Int32Array.from({ length: padded }, (_, i) => bias[i] ?? 0),
          );
          for (const mode of constants.modes) {
            const ldc = n + 2;
            const c = memory.allocate(m * ldc);
            memory.bytes(c, m * ldc).fill(0x55);
            const layer = storeLayer(memory, {
              n,
              depth,
              lda: depth,
              ldc,
              bias: biasOffset,
              params: constants.params,
              padded,
              requantization: mode,
              oneShiftParams: constants.oneShiftParams,
              oneShift: constants.oneShift,
              zeroPoint,
              lowI: low,
              highI: high,
            });
            memory.kernels.qs8_gemm_4x8(aOffset, packed, c, m, layer);
            const actual = new Int8Array(memory.kernels.memory.buffer, c, m * ldc);
            for (let row = 0; row < m; row++) {
              for (let column = 0; column < ldc; column++) {
                if (column >= n) {
                  assert.equal(actual[row * ldc + column], 0x55, "wrote past n");
                  continue;
                }
                let acc = bias[column];
                for (let d = 0; d < k; d++) acc += a[row * depth + d] * weights[column * k + d];
                const [multiplier, shift] = pairs[column];
                const expected = Math.min(
                  high,
                  Math.max(low, rescale(acc, multiplier, shift) + zeroPoint),
                );
                assert.equal(
                  actual[row * ldc + column],
                  expected,
                  `m=${m} n=${n} k=${k} mode ${mode} (${row}, ${column})`,
                );
              }
            }
          }
        }
      }
    }
  });
}

for (const variant of VARIANTS) {
  Deno.test(`qs8_depthwise matches the scalar reference (${variant})`, async () => {
    for (
      const [inH, inW, channels, multiplier, kH, kW, stride, dilation, reals, values] of [
        [5, 7, 3, 1, 3, 3, 1, 1, REALS, "random"],
        [8, 6, 17, 1, 3, 3, 2, 1, REALS, "random"],
        [8, 6, 17, 1, 3, 3, 2, 1, FAST_REALS, "random"],
        [11, 10, 24, 1, 3, 3, 1, 2, REALS, "random"],
        [11, 10, 24, 1, 3, 3, 1, 2, FAST_REALS, "random"],
        [11, 10, 24, 1, 3, 3, 1, 2, ONE_SHIFT_REALS, "random"],
        [6, 5, 40, 1, 3, 3, 1, 1, ONE_SHIFT_REALS, "random"],
        [9, 9, 4, 2, 5, 3, 1, 2, REALS, "random"],
        [3, 3, 1, 1, 3, 3, 1, 1, REALS, "random"],
        // 3x3 interiors of 16 channels sum two taps' products in int16: at their extremes, and
        // with a -128 weight (which the 16-channel path leaves to the 8-channel one).
        [6, 5, 40, 1, 3, 3, 1, 1, REALS, "extreme"],
        [6, 5, 33, 1, 3, 3, 1, 1, REALS, "weight -128"],
      ] as const
    ) {
      const memory = await freshMemory(variant);
      const outC = channels * multiplier;
      const [outH, outW, padTop, padLeft] = [
        Math.ceil(inH / stride),
        Math.ceil(inW / stride),
        1,
        1,
      ];
      const input = values === "extreme"
        ? new Int8Array(inH * inW * channels).fill(-128)
        : int8s(inH * inW * channels);
      const filter = values === "extreme"
        ? Int8Array.from({ length: kH * kW * outC }, (_, index) => (index % outC) % 3 ? -127 : 127)
        : int8s(kH * kW * outC, -127, 127);
      if (values === "weight -128") filter[4 * outC + 20] = -128;
      const bias = Int32Array.from(random(outC), (value) => Math.round(value * 5000));
      const pairs = Array.from(
        { length: outC },
        (_, channel) => quantizeMultiplier(reals[channel % reals.length]),
      );
      const inputZero = channels % 2 ? -128 : 127;
      // The one-shift form needs a clamp that cuts every negative result: low at the zero point.
      const zeroPoint = -5;
      const low = reals === ONE_SHIFT_REALS ? zeroPoint : -128;
      const output = memory.allocate(outH * outW * outC);
      // What both depthwise kernels read of the layer block.
      const shared = {
        inH,
        inW,
        channels,
        kH,
        kW,
        strideH: stride,
        strideW: stride,
        dilationH: dilation,
        dilationW: dilation,
        padTop,
        padLeft,
        outH,
        outW,
        inputZero,
        filter: memory.store(filter),
        zeroPoint,
        lowI: low,
        highI: 127,
      };
      const scalarLayer = storeLayer(memory, {
        ...shared,
        multiplier,
        bias: memory.store(bias),
        multipliers: memory.store(Int32Array.from(pairs, ([value]) => value)),
        shifts: memory.store(Int32Array.from(pairs, ([, shift]) => shift)),
      });
      memory.kernels.qs8_depthwise(memory.store(input), output, scalarLayer);
      const actual = new Int8Array(memory.kernels.memory.buffer, output, outH * outW * outC);
      let index = 0;
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          for (let o = 0; o < outC; o++) {
            let acc = bias[o];
            for (let ky = 0; ky < kH; ky++) {
              for (let kx = 0; kx < kW; kx++) {
                const iy = oy * stride - padTop + ky * dilation;
                const ix = ox * stride - padLeft + kx * dilation;
                if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
                acc +=
                  (input[(iy * inW + ix) * channels + Math.floor(o / multiplier)] - inputZero) *
                  filter[(ky * kW + kx) * outC + o];
              }
            }
            const [value, shift] = pairs[o];
            const expected = Math.min(
              127,
              Math.max(low, multiplyByQuantizedMultiplier(acc, value, shift) + zeroPoint),
            );
            assert.equal(
              actual[index++],
              expected,
              `depthwise ${inH}x${inW}x${channels} x${multiplier} at ${oy},${ox},${o}`,
            );
          }
        }
      }
      if (multiplier === 1) {
        const padded = Math.ceil(outC / 8) * 8;
        const sums = depthwiseWeightSums(filter, outC, padded);
        const interior = Int32Array.from(
          sums,
          (sum, channel) => (bias[channel] ?? 0) - inputZero * sum,
        );
        // A depthwise sum: kH * kW products of (x - inputZero) and weights, plus the (interior) bias.
        const sumBound = kH * kW * 255 * 128 +
          Math.max(...bias.map(Math.abs), ...interior.map(Math.abs));
        const constants = requantizationConstants(memory, pairs, padded, false, {
          zeroPoint,
          low,
          linearOneShift: false,
          sumBound,
        });
        assert.equal(constants.modes.includes(Requantization.oneShift), reals === ONE_SHIFT_REALS);
        const biasOffset = memory.store(
          Int32Array.from({ length: padded }, (_, i) => bias[i] ?? 0),
        );
        for (const mode of constants.modes) {
          const vectorised = memory.allocate(outH * outW * outC);
          const layer = storeLayer(memory, {
            ...shared,
            bias: biasOffset,
            interiorBias: memory.store(interior),
            params: constants.params,
            padded,
            requantization: mode,
            oneShiftParams: constants.oneShiftParams,
            oneShift: constants.oneShift,
          });
          memory.kernels.qs8_depthwise_x8(memory.store(input), vectorised, layer, 0);
          const scalar = new Int8Array(memory.kernels.memory.buffer, output, outH * outW * outC);
          assert.deepEqual(
            new Int8Array(memory.kernels.memory.buffer, vectorised, outH * outW * outC),
            scalar,
            `qs8_depthwise_x8 ${inH}x${inW}x${channels} mode ${mode}`,
          );
          // The relaxed dot path of 3x3 interiors (on plain SIMD, its unsigned form emulated).
          const dotForm = variant === "simd" ? DotForm.unsigned : memory.kernels.qs8_dot_form();
          if (kH !== 3 || kW !== 3 || channels < 16 || dotForm === DotForm.none) continue;
          const activationXor = dotActivationXor(dotForm);
          const dotFilter = depthwiseDotFilter(filter, outC, bias, sums, inputZero, activationXor);
          const dotLayer = storeLayer(memory, {
            ...shared,
            bias: biasOffset,
            interiorBias: memory.store(interior),
            dotFilter: memory.store(dotFilter),
            dotColumns: depthwiseDotColumns(outW, stride, dilation),
            activationXor,
            params: constants.params,
            padded,
            requantization: mode,
            oneShiftParams: constants.oneShiftParams,
            oneShift: constants.oneShift,
          });
          const dotOutput = memory.allocate(outH * outW * outC);
          const columns = memory.allocate(
            depthwiseDotColumns(outW, stride, dilation) * DOT_COLUMN_BYTES,
          );
          memory.kernels.qs8_depthwise_x8(memory.store(input), dotOutput, dotLayer, columns);
          assert.deepEqual(
            new Int8Array(memory.kernels.memory.buffer, dotOutput, outH * outW * outC),
            scalar,
            `qs8_depthwise_x8 dot ${inH}x${inW}x${channels} mode ${mode}`,
          );
        }
      }
    }
  });
}

for (const variant of VARIANTS) {
  Deno.test(`qs8_quantize rounds half away from zero and saturates (${variant})`, async () => {
    const memory = await freshMemory(variant);
    const bits = new Float32Array(1);
    const words = new Uint32Array(bits.buffer);
    // The float32 next to `value` towards +Infinity (step 1) or -Infinity (step -1).
    const next = (value: number, step: number) => {
      bits[0] = value;
      words[0] += (value >= 0) === (step > 0) ? 1 : -1;
      return bits[0];
    };
    for (const scale of [0.5, Math.fround(1 / 127.5), Math.fround(0.0123)]) {
      // Quotients at and beside every half from -300 to 300 (the division rounds them either
      // way), then the extremes.
      const halves = Array.from({ length: 601 }, (_, k) => Math.fround((k - 300 + 0.5) * scale));
      const values = Float32Array.from([
        ...halves.flatMap((value) => [value, next(value, 1), next(value, -1)]),
        0,
        -0,
        0.2499999,
        1e9,
        -1e9,
        Infinity,
        -Infinity,
        NaN,
        ...random(21).map((value) => value * 80),
      ]);
      for (const zeroPoint of [-128, 0, 127, 5]) {
        const output = memory.allocate(values.length);
        memory.kernels.qs8_quantize(memory.store(values), output, values.length, scale, zeroPoint);
        const actual = Array.from(
          new Int8Array(memory.kernels.memory.buffer, output, values.length),
        );
        // TFLite's round(x / scale) in float32, half away from zero; NaN gives the zero point.
        const expected = Array.from(values, (value) => {
          const scaled = Math.fround(value / scale);
          if (Number.isNaN(scaled)) return zeroPoint;
          const rounded = Math.sign(scaled) * Math.round(Math.abs(scaled));
          return Math.min(127, Math.max(-128, rounded + zeroPoint));
        });
        assert.deepEqual(actual, expected, `scale ${scale}, zero point ${zeroPoint}`);
      }
    }
  });
}

for (const variant of VARIANTS) {
  Deno.test(`qs8_im2col writes every patch, the pad value outside the image (${variant})`, async () => {
    for (const w of WINDOWS) {
      const memory = await freshMemory(variant);
      const input = int8s(w.inH * w.inW * w.c);
      const used = w.kH * w.kW * w.c;
      const depth = Math.ceil(used / 8) * 8;
      const rows = w.outH * w.outW;
      const start = rows > 3 ? 2 : 0;
      const count = rows - start;
      const pad = -7;
      const patches = memory.allocate(count * depth);
      memory.bytes(patches, count * depth).fill(0x55);
      const layer = storeLayer(memory, { ...windowLayerFields(w), depth });
      memory.kernels.qs8_im2col(memory.store(input), layer, start, count, pad, patches);
      const expected = expectedPatches(input, w, start, count, pad, depth);
      assert.deepEqual(
        Array.from(new Int8Array(memory.kernels.memory.buffer, patches, count * depth)),
        expected,
        `qs8_im2col ${JSON.stringify(w)}`,
      );
    }
  });
}
