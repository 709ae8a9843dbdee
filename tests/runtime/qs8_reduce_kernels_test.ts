/**
 * The channel sums behind int8/uint8 MEAN and SUM over an image's pixels
 * (`assembly/qs8_reduce.ts`) against plain sums, on both builds: vector and scalar channels, the
 * extreme values, one row and many; and a MEAN's requantization of them against TFLite's in
 * TypeScript: scale ratios below and above one, zero points at both ends, a tail of 3.
 */
import assert from "node:assert/strict";
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from "../../src/runtime/quantization/fixed_point.ts";
import { CHANNEL_PARAM_ARRAYS } from "../../src/runtime/ops/common/weight_packing.ts";
import { storeLayer } from "../../src/runtime/kernel_layout.ts";
import { freshMemory, randomFloats, VARIANTS } from "./kernel_harness.ts";

const random = randomFloats(7272);

for (const variant of VARIANTS) {
  Deno.test(`qs8_channel_sums sums each channel of int8 and uint8 rows (${variant})`, async () => {
    const memory = await freshMemory(variant);
    for (const unsigned of [0, 1]) {
      for (const [rows, channels] of [[1, 5], [49, 1280], [9, 33], [300, 16]]) {
        const count = rows * channels;
        const values = Array.from(random(count), (value) => Math.round(value * 127.5 - 0.5));
        values[0] = -128;
        values[count - 1] = 127;
        const bytes = unsigned
          ? Uint8Array.from(values, (value) => value + 128)
          : Int8Array.from(values);
        const sums = memory.allocate(channels * 4);
        memory.kernels.qs8_channel_sums(memory.store(bytes), rows, channels, unsigned, sums);
        const expected = new Array<number>(channels).fill(0);
        bytes.forEach((value, index) => expected[index % channels] += value);
        assert.deepEqual(Array.from(memory.i32(sums, channels)), expected, `${rows}x${channels}`);
      }
    }
  });
}

for (const variant of VARIANTS) {
  Deno.test(`qs8_requantize_sums requantizes a MEAN's sums as TFLite does (${variant})`, async () => {
    const memory = await freshMemory(variant);
    for (const unsigned of [false, true]) {
      const [low, high] = unsigned ? [0, 255] : [-128, 127];
      for (
        const [rows, ratio, zeroIn, zeroOut] of [[49, 0.02, -3, 5], [9, 0.9, 100, 250], [
          1,
          7.5,
          0,
          0,
        ], [196, 1e-3, -128, -128]]
      ) {
        const count = 4 * 6 + 3;
        // Sums of `rows` values of the input type: spread over their whole range, both ends too.
        const sums = Array.from(random(count), (value) => Math.round(value * rows * 127.5));
        sums[0] = rows * low;
        sums[1] = rows * high;
        const [multiplier, shift] = quantizeMultiplier(ratio);
        const params = memory.allocate(CHANNEL_PARAM_ARRAYS * 16);
        memory.kernels.qs8_channel_params(
          memory.store(new Int32Array(4).fill(multiplier)),
          memory.store(new Int32Array(4).fill(shift)),
          4,
          params,
          0,
        );
        const zeroPoint = Math.min(high, Math.max(low, zeroOut));
        const layer = storeLayer(memory, {
          zeroA: rows * zeroIn,
          zeroPoint,
          params,
          lowI: low,
          highI: high,
        });
        const padded = Int32Array.from(
          { length: Math.ceil(count / 4) * 4 },
          (_, i) => sums[i] ?? 0,
        );
        const target = memory.allocate(count + 16);
        memory.bytes(target, count + 16).fill(0x55);
        memory.kernels.qs8_requantize_sums(memory.store(padded), count, target, layer);
        const bytes = memory.bytes(target, count + 16);
        const actual = unsigned
          ? Array.from(bytes.subarray(0, count))
          : Array.from(new Int8Array(bytes.buffer, target, count));
        const expected = sums.map((sum) =>
          Math.min(
            high,
            Math.max(
              low,
              multiplyByQuantizedMultiplier(sum - rows * zeroIn, multiplier, shift) + zeroPoint,
            ),
          )
        );
        assert.deepEqual(actual, expected, `${rows} rows, ratio ${ratio}`);
        assert.ok(bytes.subarray(count).every((byte) => byte === 0x55), "nothing written past n");
      }
    }
  });
}
