/**
 * The float32 MEAN and SUM over an image's pixels (`f32_channel_means`, `assembly/f32_reduce.ts`)
 * against sums taken one value at a time in float32, in row order, on both builds: vector and
 * scalar channels, one row and many, sums (divisor 1) and means.
 */
import assert from "node:assert/strict";
import { freshMemory, randomFloats, VARIANTS } from "./kernel_harness.ts";

const random = randomFloats(5151);

for (const variant of VARIANTS) {
  Deno.test(`f32_channel_means sums each channel of float32 rows in order (${variant})`, async () => {
    const memory = await freshMemory(variant);
    for (const [rows, channels, divisor] of [[1, 5, 1], [49, 1280, 49], [9, 33, 9], [300, 16, 1]]) {
      // Values of mixed magnitudes, so that the order of the additions shows in the last bits.
      const values = random(rows * channels).map((value, index) => value * 10 ** (index % 7 - 3));
      const means = memory.allocate(channels * 4);
      memory.kernels.f32_channel_means(memory.store(values), rows, channels, divisor, means);
      const expected = new Float32Array(channels);
      values.forEach((value, index) => {
        expected[index % channels] = Math.fround(expected[index % channels] + value);
      });
      assert.deepEqual(
        memory.f32(means, channels),
        expected.map((sum) => Math.fround(sum / divisor)),
        `${rows}x${channels} / ${divisor}`,
      );
    }
  });
}
