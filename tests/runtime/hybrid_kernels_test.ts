/**
 * The hybrid (dynamic-range) wasm kernels against scalar TypeScript references: on-the-fly
 * quantization (ties, clamping at both ends, the symmetric form), the input range, and the int8
 * GEMM and depthwise kernels with their float32 epilogues, on odd shapes and extreme values.
 */
import assert from "node:assert/strict";
import { storeLayer } from "../../src/runtime/kernel_layout.ts";
import { roundHalfAway } from "../../src/runtime/quantization/fixed_point.ts";
import { quantizeOnTheFly, rowQuantization } from "../../src/runtime/ops/common/hybrid_layer.ts";
import { depthwiseWeightSums } from "../../src/runtime/ops/common/weight_packing.ts";
import { freshMemory, putF32, randomFloats, VARIANTS } from "./kernel_harness.ts";

const random = randomFloats(777);
const f = Math.fround;

/** Random int8 values in [low, high] with the extremes forced in at the start. */
function int8s(count: number, low = -128, high = 127): Int8Array {
  const values = Int8Array.from(
    random(count),
    (value) => Math.round(low + ((value + 1) / 2) * (high - low)),
  );
  if (count > 0) values[0] = low;
  if (count > 1) values[1] = high;
  return values;
}

for (const variant of VARIANTS) {
  Deno.test(`f32_range and qs8_quantize_hybrid match TFLite's rules (${variant})`, async () => {
    const memory = await freshMemory(variant);
    for (const count of [1, 7, 8, 19, 64]) {
      for (const asymmetric of [true, false]) {
        const values = Float32Array.from(random(count), (value) => value * 3 + 0.5);
        // Ties once scaled by the inverse 2 (0.5 and -0.5).
        if (count > 3) values.set([0.25, -0.25], 2);
        const input = putF32(memory, values);
        const range = memory.allocate(8);
        memory.kernels.f32_range(input, count, range);
        const [low, high] = memory.f32(range, 2);
        assert.equal(low, Math.min(0, ...values));
        assert.equal(high, Math.max(0, ...values));
        // The extremes in the other half of each 8-value step too.
        memory.kernels.f32_range(putF32(memory, values.slice().reverse()), count, range);
        assert.deepEqual(Array.from(memory.f32(range, 2)), [low, high]);
        for (
          const row of [
            rowQuantization(low, high, asymmetric),
            { scale: 0.5, inverse: 2, zeroPoint: asymmetric ? 3 : 0 },
            { scale: 0.01, inverse: 100, zeroPoint: asymmetric ? -128 : 0 },
          ]
        ) {
          const output = memory.allocate(count);
          const floor = asymmetric ? -128 : -127;
          memory.kernels.qs8_quantize_hybrid(
            input,
            output,
            count,
            row.inverse,
            row.zeroPoint,
            floor,
          );
          const actual = new Int8Array(memory.kernels.memory.buffer, output, count);
          values.forEach((value, index) => {
            const expected = quantizeOnTheFly(value, row, asymmetric);
            assert.equal(actual[index], expected, `${value} x ${row.inverse} + ${row.zeroPoint}`);
          });
        }
      }
    }
  });

  Deno.test(`qs8_gemm_dequantize_4x8 matches the scalar reference (${variant})`, async () => {
    for (const m of [1, 2, 5, 9]) {
      for (const n of [1, 4, 7, 13, 17]) {
        for (const k of [3, 8, 21]) {
          const memory = await freshMemory(variant);
          const depth = Math.ceil(k / 8) * 8;
          const padded = Math.ceil(n / 8) * 8;
          const a = int8s(m * depth);
          const widened = memory.allocate(m * depth * 2);
          memory.kernels.qs8_widen(memory.store(a), m, k, depth, depth, widened);
          const weights = int8s(n * k, -127, 127);
          const bias = Int32Array.from({ length: padded }, (_, c) => (c < n ? (c - 3) * 997 : 0));
          const scales = Float32Array.from({ length: padded }, (_, c) => 0.001 * (c + 1) / 3);
          const floatBias = Float32Array.from({ length: padded }, (_, c) => c < n ? c - 2.5 : 0);
          const rowScale = 0.037;
          const [low, high] = n % 2 ? [-Infinity, Infinity] : [0, 6];
          const packed = memory.allocate(padded * depth * 2);
          memory.kernels.qs8_pack_weights(memory.store(weights), n, k, depth, packed);
          const ldc = n + 3;
          const c = memory.allocate(m * ldc * 4);
          memory.f32(c, m * ldc).fill(-7);
          const layer = storeLayer(memory, {
            n,
            depth,
            lda: depth,
            ldc,
            bias: memory.store(bias),
            scales: putF32(memory, scales),
            floatBias: putF32(memory, floatBias),
            lowF: low,
            highF: high,
          });
          memory.kernels.qs8_gemm_dequantize_4x8(widened, packed, c, m, layer, rowScale);
          const actual = memory.f32(c, m * ldc);
          for (let row = 0; row < m; row++) {
            for (let column = 0; column < ldc; column++) {
              const at = `m=${m} n=${n} k=${k} (${row}, ${column})`;
              if (column >= n) {
                assert.equal(actual[row * ldc + column], -7, `wrote past n: ${at}`);
                continue;
              }
              let acc = bias[column];
              for (let d = 0; d < k; d++) acc += a[row * depth + d] * weights[column * k + d];
              const value = f(f(f(acc * scales[column]) * f(rowScale)) + floatBias[column]);
              assert.equal(actual[row * ldc + column], Math.min(high, Math.max(low, value)), at);
            }
          }
        }
      }
    }
  });

  Deno.test(`qs8_depthwise_dequantize_x8 matches the scalar reference (${variant})`, async () => {
    for (
      const [inH, inW, channels, kH, kW, stride, dilation, zeroPoint] of [
        [5, 7, 3, 3, 3, 1, 1, -128],
        [8, 6, 21, 3, 3, 2, 1, 127],
        [9, 9, 16, 5, 3, 1, 2, 4],
        [10, 9, 16, 3, 3, 1, 2, -3],
      ]
    ) {
      const memory = await freshMemory(variant);
      const [outH, outW, padTop, padLeft] = [
        Math.ceil(inH / stride),
        Math.ceil(inW / stride),
        1,
        1,
      ];
      const padded = Math.ceil(channels / 8) * 8;
      const input = int8s(inH * inW * channels);
      const filter = int8s(kH * kW * channels, -127, 127);
      const scales = Float32Array.from({ length: padded }, (_, c) => 0.002 * (c + 1));
      const floatBias = Float32Array.from({ length: padded }, (_, c) => 0.25 * c - 1);
      const rowScale = 0.31;
      const output = memory.allocate(outH * outW * channels * 4);
      const layer = storeLayer(memory, {
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
        filter: memory.store(filter),
        interiorBias: memory.store(
          Int32Array.from(
            depthwiseWeightSums(filter, channels, padded),
            (sum) => -zeroPoint * sum,
          ),
        ),
        scales: putF32(memory, scales),
        floatBias: putF32(memory, floatBias),
        lowF: -3,
        highF: 3,
      });
      memory.kernels.qs8_depthwise_dequantize_x8(
        memory.store(input),
        output,
        layer,
        zeroPoint,
        rowScale,
      );
      const actual = memory.f32(output, outH * outW * channels);
      let index = 0;
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          for (let o = 0; o < channels; o++) {
            let acc = 0;
            for (let ky = 0; ky < kH; ky++) {
              for (let kx = 0; kx < kW; kx++) {
                const iy = oy * stride - padTop + ky * dilation;
                const ix = ox * stride - padLeft + kx * dilation;
                if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
                acc += (input[(iy * inW + ix) * channels + o] - zeroPoint) *
                  filter[(ky * kW + kx) * channels + o];
              }
            }
            const value = f(f(f(acc * scales[o]) * f(rowScale)) + floatBias[o]);
            assert.equal(
              actual[index++],
              Math.min(3, Math.max(-3, value)),
              `${inH}x${inW}x${channels} at ${oy},${ox},${o}`,
            );
          }
        }
      }
    }
  });
}

Deno.test("rowQuantization: TFLite's asymmetric and symmetric parameters", () => {
  // [-1, 3]: scale 4/255; the zero point from the end that errs less, rounded.
  const asymmetric = rowQuantization(-1, 3, true);
  assert.equal(asymmetric.scale, f(4 / 255));
  assert.equal(asymmetric.zeroPoint, roundHalfAway(-128 + 255 / 4));
  assert.equal(asymmetric.inverse, f(1 / f(4 / 255)));
  // Only positive values: the zero point sits at the bottom.
  assert.equal(rowQuantization(0, 2, true).zeroPoint, -128);
  assert.deepEqual(rowQuantization(0, 0, true), { scale: 1, inverse: 1, zeroPoint: 0 });
  const symmetric = rowQuantization(-2.54, 1, false);
  assert.deepEqual(symmetric, { scale: f(2.54 / 127), inverse: f(127 / 2.54), zeroPoint: 0 });
  assert.deepEqual(rowQuantization(0, 0, false), { scale: 1, inverse: 1, zeroPoint: 0 });
});
