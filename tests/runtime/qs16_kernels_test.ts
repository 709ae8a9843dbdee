/**
 * The int16x8 layer kernels against TFLite's reference arithmetic in TypeScript, on both builds:
 * `qs8_gemm_sums_4x8` (int16 rows times int16-packed int8 weights, exact int32 sums plus the bias)
 * and `qs16_requantize_sums` (the 15-bit reduced multiplier on 64-bit sums, or the full one
 * rounded once as FULLY_CONNECTED's), with the extreme activations, odd shapes and clamps.
 */
import assert from "node:assert/strict";
import {
  multiplyByQuantizedMultiplier64,
  multiplyByQuantizedMultiplierSingleRounding,
  quantizeMultiplier,
} from "../../src/runtime/quantization/fixed_point.ts";
import { storeLayer } from "../../src/runtime/kernel_layout.ts";
import { freshMemory, randomFloats, VARIANTS } from "./kernel_harness.ts";

const random = randomFloats(1616);

for (const variant of VARIANTS) {
  Deno.test(`qs8_gemm_sums_4x8 and qs16_requantize_sums match TFLite's int16x8 arithmetic (${variant})`, async () => {
    for (const [m, n, k] of [[1, 3, 5], [7, 17, 27], [13, 8, 64]]) {
      const memory = await freshMemory(variant);
      const depth = Math.ceil(k / 8) * 8;
      const a = new Int16Array(m * depth);
      for (let row = 0; row < m; row++) {
        for (let d = 0; d < k; d++) a[row * depth + d] = Math.round(random(1)[0] * 32767);
      }
      a[0] = -32768;
      a[1] = 32767;
      const weights = Int8Array.from(random(n * k), (value) => Math.round(value * 127));
      weights[0] = -128;
      const padded = Math.ceil(n / 8) * 8;
      const bias = Int32Array.from(
        { length: padded },
        (_, c) => c < n ? Math.round(random(1)[0] * 1e6) : 0,
      );
      const packed = memory.allocate(padded * depth * 2);
      memory.kernels.qs8_pack_weights(memory.store(weights), n, k, depth, packed);
      const layer = storeLayer(memory, { n, depth, lda: depth, ldc: n, bias: memory.store(bias) });
      const sums = memory.allocate(m * n * 4);
      memory.kernels.qs8_gemm_sums_4x8(memory.store(a), packed, sums, m, layer);
      const pairs = Array.from(
        { length: n },
        (_, c) => quantizeMultiplier([0.3, 1.7e-4, 0.99, 2.5][c % 4]),
      );
      const actualSums = memory.i32(sums, m * n);
      for (let row = 0; row < m; row++) {
        for (let c = 0; c < n; c++) {
          let acc = bias[c];
          for (let d = 0; d < k; d++) acc += a[row * depth + d] * weights[c * k + d];
          assert.equal(actualSums[row * n + c], acc, `sum m=${m} n=${n} k=${k} (${row}, ${c})`);
        }
      }
      // Convolutions: the 15-bit reduced multiplier; FULLY_CONNECTED: the full one, rounded once.
      for (const singleRounding of [false, true]) {
        const reduced = Int32Array.from(
          pairs,
          ([multiplier]) =>
            singleRounding
              ? multiplier
              : multiplier < 0x7fff0000
              ? Math.floor((multiplier + 2 ** 15) / 2 ** 16)
              : 0x7fff,
        );
        const totals = Int32Array.from(pairs, ([, shift]) => (singleRounding ? 31 : 15) - shift);
        const rescale = singleRounding
          ? multiplyByQuantizedMultiplierSingleRounding
          : multiplyByQuantizedMultiplier64;
        const [low, high] = [-32768, 30000];
        const output = memory.allocate(m * n * 2);
        memory.kernels.qs16_requantize_sums(
          sums,
          m,
          n,
          memory.store(reduced),
          memory.store(totals),
          low,
          high,
          output,
        );
        const actual = new Int16Array(memory.kernels.memory.buffer, output, m * n);
        for (let index = 0; index < m * n; index++) {
          const [multiplier, shift] = pairs[index % n];
          const expected = Math.min(
            high,
            Math.max(low, rescale(actualSums[index], multiplier, shift)),
          );
          assert.equal(actual[index], expected, `output m=${m} n=${n} k=${k} at ${index}`);
        }
      }
    }
  });
}
