/**
 * The channel sums behind int8/uint8 MEAN and SUM over an image's pixels
 * (`assembly/qs8_reduce.ts`) against plain sums, on both builds: vector and scalar channels, the
 * extreme values, one row and many.
 */
import assert from "node:assert/strict";
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
