/**
 * QUANTIZE between int8 and uint8 on the wasm kernel (`assembly/qs8_convert.ts`) against TFLite's
 * reference requantization in TypeScript, on both builds: every input value, the four type
 * pairs, scale ratios from tiny to large (left shifts), zero points at both ends, clamps, tails.
 */
import assert from "node:assert/strict";
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from "../../src/runtime/quantization/fixed_point.ts";
import { CHANNEL_PARAM_ARRAYS } from "../../src/runtime/ops/common/weight_packing.ts";
import { storeLayer } from "../../src/runtime/kernel_layout.ts";
import { freshMemory, VARIANTS } from "./kernel_harness.ts";

const RATIOS = [1, 0.5, 0.99999, 1.7, 3e-5, 0.1234, 250, 1e5];

for (const variant of VARIANTS) {
  Deno.test(`qs8_requantize_values matches TFLite's requantization (${variant})`, async () => {
    const memory = await freshMemory(variant);
    for (const inUnsigned of [false, true]) {
      for (const outUnsigned of [false, true]) {
        const [inMin] = inUnsigned ? [0] : [-128];
        const [outMin, outMax] = outUnsigned ? [0, 255] : [-128, 127];
        // Every input value, then a short tail: 256 + 5 values.
        const values = Array.from({ length: 261 }, (_, index) => inMin + (index * 37) % 256);
        const source = memory.store(
          inUnsigned ? Uint8Array.from(values) : Int8Array.from(values),
        );
        for (const ratio of RATIOS) {
          for (
            const [zeroIn, zeroOut] of [[inMin, outMin], [inMin + 128, outMin + 128], [3, 250]]
          ) {
            const [multiplier, shift] = quantizeMultiplier(ratio);
            const params = memory.allocate(CHANNEL_PARAM_ARRAYS * 16);
            const ok = memory.kernels.qs8_channel_params(
              memory.store(new Int32Array(4).fill(multiplier)),
              memory.store(new Int32Array(4).fill(shift)),
              4,
              params,
              0,
            );
            assert.ok(ok > 0);
            const outZero = Math.min(outMax, zeroOut);
            for (const count of [values.length, 7, 1]) {
              const target = memory.allocate(count + 16);
              memory.bytes(target, count + 16).fill(0x55);
              const layer = storeLayer(memory, {
                zeroA: zeroIn,
                zeroPoint: outZero,
                params,
                lowI: outMin,
                highI: outMax,
              });
              const mode = (inUnsigned ? 1 : 0) | (outUnsigned ? 2 : 0);
              memory.kernels.qs8_requantize_values(mode, source, target, count, layer);
              const bytes = memory.bytes(target, count + 16);
              const actual = outUnsigned
                ? Array.from(bytes.subarray(0, count))
                : Array.from(new Int8Array(bytes.buffer, target, count));
              const expected = values.slice(0, count).map((value) =>
                Math.min(
                  outMax,
                  Math.max(
                    outMin,
                    multiplyByQuantizedMultiplier(value - zeroIn, multiplier, shift) + outZero,
                  ),
                )
              );
              assert.deepEqual(
                actual,
                expected,
                `mode ${mode} ratio ${ratio} zero points ${zeroIn}, ${outZero}`,
              );
              assert.ok(bytes.subarray(count).every((byte) => byte === 0x55), "wrote past n");
            }
          }
        }
      }
    }
  });
}
