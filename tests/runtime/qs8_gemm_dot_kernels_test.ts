/**
 * The relaxed-dot int8 GEMM (`assembly/qs8_gemm_dot.ts`) against the scalar reference on both
 * builds: packing with weight sums, rows read in place at any stride, depth tails of 1 to 3,
 * row remainders, every requantization mode, and the engine probe `qs8_dot_form`.
 */
import assert from "node:assert/strict";
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierSingleRounding,
  quantizeMultiplier,
} from "../../src/runtime/quantization/fixed_point.ts";
import { Requantization } from "../../src/runtime/ops/common/weight_packing.ts";
import { storeLayer } from "../../src/runtime/kernel_layout.ts";
import {
  dotActivationXor,
  DotForm,
  dotGemmScratchBytes,
} from "../../src/runtime/ops/common/int8_gemm.ts";
import { roundHalfEven } from "../../src/runtime/ops/common/xnnpack_arithmetic.ts";
import {
  freshMemory,
  ONE_SHIFT_REALS,
  randomFloats,
  requantizationConstants,
  VARIANTS,
} from "./kernel_harness.ts";

const random = randomFloats(9191);

/** Random int8 values in [-128, 127], extremes first. */
function int8s(count: number): Int8Array {
  const values = Int8Array.from(random(count), (value) => Math.round(value * 127.5 - 0.5));
  if (count > 0) values[0] = -128;
  if (count > 1) values[1] = 127;
  return values;
}

/** XNNPACK's fp32 requantization of one sum: rne(float32(float32(acc) * scale)). */
function fp32Requantize(acc: number, scale: number): number {
  return roundHalfEven(Math.fround(Math.fround(acc) * scale));
}

// Scales with exact ties (0.5, 0.25), tiny, near 1, and large.
const FP32_SCALES = [0.5, 0.25, 3.1e-5, 0.99999, 0.0123, 7.5, 2.2e-4];

for (const variant of VARIANTS) {
  Deno.test(`qs8_gemm_4x8c4 and qs8_gemm_4x8 match XNNPACK's fp32 requantization (${variant})`, async () => {
    const probe = await freshMemory(variant);
    const dotForm = variant === "simd" ? DotForm.unsigned : probe.kernels.qs8_dot_form();
    for (const m of [1, 5, 9]) {
      for (const n of [3, 8, 19]) {
        for (const k of [3, 16, 29]) {
          const memory = await freshMemory(variant);
          const a = int8s(m * k);
          const weights = int8s(n * k);
          // Biases beyond 2^24 make float32(acc) round.
          const bias = Int32Array.from(
            random(n),
            (value, channel) => Math.round(value * (channel % 3 ? 30000 : 2 ** 26 + 1)),
          );
          const inputZero = [-128, 127, 5][(m + k) % 3];
          const zeroPoint = [-128, 127, 3][(m + n) % 3];
          const [low, high] = n % 2 ? [-128, 127] : [-20, 90];
          const padded = Math.ceil(n / 8) * 8;
          const scales = Float32Array.from(
            { length: padded },
            (_, channel) => channel < n ? FP32_SCALES[channel % FP32_SCALES.length] : 0,
          );
          const expected = (row: number, column: number) => {
            let acc = bias[column];
            for (let d = 0; d < k; d++) {
              acc += (a[row * k + d] - inputZero) * weights[column * k + d];
            }
            return Math.min(high, Math.max(low, fp32Requantize(acc, scales[column]) + zeroPoint));
          };
          const fields = { n, ldc: n, padded, requantization: Requantization.fp32, zeroPoint };
          const check = (c: number, what: string) => {
            const actual = new Int8Array(memory.kernels.memory.buffer, c, m * n);
            for (let row = 0; row < m; row++) {
              for (let column = 0; column < n; column++) {
                assert.equal(
                  actual[row * n + column],
                  expected(row, column),
                  `${what} m=${m} n=${n} k=${k} (${row}, ${column})`,
                );
              }
            }
          };
          // The dot GEMM, in the engine's operand form.
          if (dotForm !== DotForm.none) {
            const activationXor = dotActivationXor(dotForm);
            const packed = memory.allocate(padded * Math.ceil(k / 4) * 4);
            const sums = memory.allocate(n * 4);
            memory.kernels.qs8_pack_weights_c4(memory.store(weights), n, k, packed, sums);
            const correction = inputZero + (activationXor ? 128 : 0);
            const folded = new Int32Array(padded);
            memory.i32(sums, n).forEach((sum, channel) =>
              folded[channel] = bias[channel] - correction * sum
            );
            const c = memory.allocate(m * n);
            const layer = storeLayer(memory, {
              ...fields,
              depth: k,
              lda: k,
              bias: memory.store(folded),
              params: memory.store(scales),
              activationXor,
              lowI: low,
              highI: high,
            });
            memory.kernels.qs8_gemm_4x8c4(
              memory.store(a),
              packed,
              c,
              m,
              layer,
              memory.allocate(dotGemmScratchBytes(k, m)),
            );
            check(c, "qs8_gemm_4x8c4");
          }
          // The int16 GEMM.
          const depth = Math.ceil(k / 8) * 8;
          const widened = memory.allocate(m * depth * 2);
          memory.kernels.qs8_widen(memory.store(a), m, k, k, depth, widened);
          const packed16 = memory.allocate(padded * depth * 2);
          memory.kernels.qs8_pack_weights(memory.store(weights), n, k, depth, packed16);
          const folded16 = new Int32Array(padded);
          for (let channel = 0; channel < n; channel++) {
            let sum = 0;
            for (let d = 0; d < k; d++) sum += weights[channel * k + d];
            folded16[channel] = bias[channel] - inputZero * sum;
          }
          const c16 = memory.allocate(m * n);
          const layer16 = storeLayer(memory, {
            ...fields,
            depth,
            lda: depth,
            bias: memory.store(folded16),
            params: memory.store(scales),
            lowI: low,
            highI: high,
          });
          memory.kernels.qs8_gemm_4x8(widened, packed16, c16, m, layer16);
          check(c16, "qs8_gemm_4x8");
        }
      }
    }
  });

  Deno.test(`qs8_gemm_dequantize_4x8c4 writes what qs8_gemm_dequantize_4x8 writes (${variant})`, async () => {
    const probe = await freshMemory(variant);
    const dotForm = variant === "simd" ? DotForm.unsigned : probe.kernels.qs8_dot_form();
    if (dotForm === DotForm.none) return;
    const activationXor = dotActivationXor(dotForm);
    for (const [m, n, k] of [[1, 10, 37], [7, 17, 16], [13, 8, 3]]) {
      const memory = await freshMemory(variant);
      const a = int8s(m * k);
      const weights = int8s(n * k);
      const zeroPoint = -7;
      const padded = Math.ceil(n / 8) * 8;
      const scales = memory.store(Float32Array.from(random(padded), (value) => value * 0.01));
      const floatBias = memory.store(random(padded));
      const sums = new Int32Array(padded);
      for (let channel = 0; channel < n; channel++) {
        for (let d = 0; d < k; d++) sums[channel] += weights[channel * k + d];
      }
      const run = (dot: boolean) => {
        const depth = dot ? k : Math.ceil(k / 8) * 8;
        const correction = zeroPoint + (dot ? activationXor : 0);
        const bias = memory.store(sums.map((sum) => -correction * sum));
        const packed = memory.allocate(padded * depth * 2 + 64);
        if (dot) {
          memory.kernels.qs8_pack_weights_c4(
            memory.store(weights),
            n,
            k,
            packed,
            memory.allocate(n * 4),
          );
        } else {
          memory.kernels.qs8_pack_weights(memory.store(weights), n, k, depth, packed);
        }
        const rows = memory.allocate(m * depth * 2);
        if (dot) memory.bytes(rows, m * k).set(new Uint8Array(a.buffer));
        else memory.kernels.qs8_widen(memory.store(a), m, k, k, depth, rows);
        const layer = storeLayer(memory, {
          n,
          depth,
          lda: depth,
          ldc: n,
          bias,
          scales,
          floatBias,
          lowF: -3,
          highF: 2.5,
          activationXor: dot ? activationXor : 0,
        });
        const c = memory.allocate(m * n * 4);
        if (dot) {
          const scratch = memory.allocate(dotGemmScratchBytes(k, m));
          memory.kernels.qs8_gemm_dequantize_4x8c4(rows, packed, c, m, layer, 0.37, scratch);
        } else {
          memory.kernels.qs8_gemm_dequantize_4x8(rows, packed, c, m, layer, 0.37);
        }
        return Array.from(memory.f32(c, m * n));
      };
      assert.deepEqual(run(true), run(false), `m=${m} n=${n} k=${k}`);
    }
  });

  Deno.test(`qs8_dot_form reads the relaxed dot as this engine computes it (${variant})`, async () => {
    const memory = await freshMemory(variant);
    const form = memory.kernels.qs8_dot_form();
    if (variant === "simd") assert.equal(form, DotForm.none);
    else assert.ok(([DotForm.none, DotForm.signed, DotForm.unsigned] as number[]).includes(form));
  });

  for (const singleRounding of [false, true]) {
    const rescale = singleRounding
      ? multiplyByQuantizedMultiplierSingleRounding
      : multiplyByQuantizedMultiplier;
    const rounding = singleRounding ? "single" : "double";
    Deno.test(`qs8_pack_weights_c4 and qs8_gemm_4x8c4 match the scalar reference (${variant}, ${rounding} rounding)`, async () => {
      const probe = await freshMemory(variant);
      // The plain build computes the unsigned form; the relaxed build the engine's form.
      const form = variant === "simd" ? DotForm.unsigned : probe.kernels.qs8_dot_form();
      if (form === DotForm.none) return;
      const activationXor = dotActivationXor(form);
      // Multipliers for the general form, the fast one, and the one-shift one (exponents 0 to 11).
      const realSets = [
        [0.73, 1.5e-6, 0.25, 0.0123, 3.5],
        [0.2, 0.0123, 2.2e-4, 0.06],
        ONE_SHIFT_REALS,
      ];
      for (const reals of realSets) {
        for (const m of [1, 3, 4, 7, 70]) {
          for (const n of [1, 5, 8, 17]) {
            for (const k of [1, 2, 3, 4, 7, 9, 13, 16, 27, 37]) {
              const memory = await freshMemory(variant);
              const lda = k + (m % 3) * 3;
              const a = int8s(m * lda);
              const weights = int8s(n * k);
              const bias = Int32Array.from(random(n), (value) => Math.round(value * 30000));
              const inputZero = [-128, 127, 5][(m + k) % 3];
              const zeroPoint = [-128, 127, 3][(m + n) % 3];
              const [low, high] = n % 2 ? [-128, 127] : [-20, 90];
              const pairs = Array.from(
                { length: n },
                (_, channel) => quantizeMultiplier(reals[channel % reals.length]),
              );
              const padded = Math.ceil(n / 8) * 8;
              const packed = memory.allocate(padded * Math.ceil(k / 4) * 4);
              const sums = memory.allocate(n * 4);
              memory.kernels.qs8_pack_weights_c4(memory.store(weights), n, k, packed, sums);
              const weightSums = Array.from(memory.i32(sums, n));
              const correction = inputZero + (activationXor ? 128 : 0);
              const folded = new Int32Array(padded);
              weightSums.forEach((sum, channel) =>
                folded[channel] = bias[channel] - correction * sum
              );
              // A GEMM sum: k products of (a - inputZero), at most 255, and weights, at most 128.
              const sumBound = k * 255 * 128 + Math.max(...bias.map(Math.abs));
              const { params, modes, oneShiftParams, oneShift } = requantizationConstants(
                memory,
                pairs,
                padded,
                singleRounding,
                { zeroPoint, low, linearOneShift: true, sumBound },
              );
              // Double rounding under a clamp that keeps negative results takes the linear one-shift form.
              const oneShiftMode = !singleRounding && low < zeroPoint
                ? Requantization.oneShiftLinear
                : Requantization.oneShift;
              if (reals === ONE_SHIFT_REALS && k <= 16) assert.ok(modes.includes(oneShiftMode));
              for (const requantization of modes) {
                const ldc = n + 1;
                const c = memory.allocate(m * ldc);
                memory.bytes(c, m * ldc).fill(0x55);
                const layer = storeLayer(memory, {
                  n,
                  depth: k,
                  lda,
                  ldc,
                  bias: memory.store(folded),
                  params,
                  padded,
                  requantization,
                  oneShiftParams,
                  oneShift,
                  activationXor,
                  zeroPoint,
                  lowI: low,
                  highI: high,
                });
                memory.kernels.qs8_gemm_4x8c4(
                  memory.store(a),
                  packed,
                  c,
                  m,
                  layer,
                  memory.allocate(dotGemmScratchBytes(k, m)),
                );
                const actual = new Int8Array(memory.kernels.memory.buffer, c, m * ldc);
                for (let row = 0; row < m; row++) {
                  for (let column = 0; column < ldc; column++) {
                    const at = `m=${m} n=${n} k=${k} mode ${requantization} (${row}, ${column})`;
                    if (column >= n) {
                      assert.equal(actual[row * ldc + column], 0x55, `wrote past n: ${at}`);
                      continue;
                    }
                    let acc = bias[column];
                    for (let d = 0; d < k; d++) {
                      acc += (a[row * lda + d] - inputZero) * weights[column * k + d];
                    }
                    const [multiplier, shift] = pairs[column];
                    const expected = Math.min(
                      high,
                      Math.max(low, rescale(acc, multiplier, shift) + zeroPoint),
                    );
                    assert.equal(actual[row * ldc + column], expected, at);
                  }
                }
              }
            }
          }
        }
      }
    });
  }
}
