/**
 * `qs8_binary`'s ADD and SUB in TFLite's reference arithmetic against the scalar reference of
 * `add_sub.ts` (`fixed_point.ts`): every pair of int8 operands, broadcast or not, with equal input
 * scales (a multiplier of one half, no rounding division) and unequal ones, zero points at both
 * ends and a narrowed clamp.
 */
import assert from "node:assert/strict";
import {
  multiplyByQuantizedMultiplierSmallerThanOne,
  quantizeMultiplier,
} from "../../src/runtime/quantization/fixed_point.ts";
import { CHANNEL_PARAM_ARRAYS } from "../../src/runtime/ops/common/weight_packing.ts";
import { storeLayer } from "../../src/runtime/kernel_layout.ts";
import type { KernelMemory } from "../../src/runtime/memory.ts";
import { freshMemory, VARIANTS } from "./kernel_harness.ts";

/** Requantization constants of one multiplier for the 4 lanes `qs8_binary` reads. */
function uniformParams(memory: KernelMemory, [multiplier, shift]: [number, number]): number {
  const params = memory.allocate(CHANNEL_PARAM_ARRAYS * 16);
  const ok = memory.kernels.qs8_channel_params(
    memory.store(new Int32Array(4).fill(multiplier)),
    memory.store(new Int32Array(4).fill(shift)),
    4,
    params,
    0,
  );
  assert.ok(ok === 1 || ok === 2);
  return params;
}

/** [scale, zero point] of input A, input B and the output. */
const CASES: [number, number][][] = [
  [[0.05, -3], [0.05, 10], [0.1, -7]],
  [[0.02, 127], [0.0007, -128], [0.03, 0]],
  [[0.5, -128], [0.013, 127], [0.004, 5]],
  [[1e-4, 0], [0.9, 0], [0.7, -128]],
];

for (const variant of VARIANTS) {
  Deno.test(`qs8_binary's ADD and SUB match TFLite's reference on every pair of int8 values (${variant})`, async () => {
    const memory = await freshMemory(variant);
    const n = 256 * 256;
    const x = Int8Array.from({ length: n }, (_, index) => (index >> 8) - 128);
    const y = Int8Array.from({ length: n }, (_, index) => (index & 255) - 128);
    const [xAt, yAt, output] = [memory.store(x), memory.store(y), memory.allocate(n)];
    for (const [[scaleA, zeroA], [scaleB, zeroB], [scaleOut, zeroOut]] of CASES) {
      const twiceMax = 2 * Math.max(scaleA, scaleB);
      const multipliers = [
        quantizeMultiplier(scaleA / twiceMax),
        quantizeMultiplier(scaleB / twiceMax),
        quantizeMultiplier(twiceMax / (2 ** 20 * scaleOut)),
      ];
      const [paramsA, paramsB, params] = multipliers.map((pair) => uniformParams(memory, pair));
      for (const [code, subtract] of [[0, false], [1, true]] as const) {
        for (const [low, high] of [[-128, 127], [-20, 90]]) {
          const layer = storeLayer(memory, {
            zeroA,
            zeroB,
            zeroPoint: zeroOut,
            lowI: low,
            highI: high,
            paramsA,
            paramsB,
            params,
          });
          for (const bStep of [1, 0]) {
            memory.kernels.qs8_binary(code, xAt, 1, yAt + 77, bStep, output, n - 77, layer);
            const actual = new Int8Array(memory.kernels.memory.buffer, output, n - 77);
            const scaled = (value: number, zero: number, [multiplier, shift]: [number, number]) =>
              multiplyByQuantizedMultiplierSmallerThanOne(
                (value - zero) * 2 ** 20,
                multiplier,
                shift,
              );
            let mismatches = 0;
            actual.forEach((value, index) => {
              const a = scaled(x[index], zeroA, multipliers[0]);
              const b = scaled(y[77 + (bStep ? index : 0)], zeroB, multipliers[1]);
              const sum = subtract ? a - b : a + b;
              const [multiplier, shift] = multipliers[2];
              const expected = Math.min(
                high,
                Math.max(
                  low,
                  multiplyByQuantizedMultiplierSmallerThanOne(sum, multiplier, shift) + zeroOut,
                ),
              );
              if (value !== expected) mismatches++;
            });
            assert.equal(
              mismatches,
              0,
              `${JSON.stringify([scaleA, scaleB, scaleOut])} op ${code} step ${bStep}`,
            );
          }
        }
      }
    }
  });
}
