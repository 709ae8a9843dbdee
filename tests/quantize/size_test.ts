/**
 * liteq's full integer files are no larger than TensorFlow's for the same model and input/output
 * types: the fixture models calibrated on TensorFlow's 100 images, and the MobileNets of
 * `../shared` (when present) on one seeded random image, which makes no difference to the size
 * beyond a few bytes of shared zero points.
 */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { readModel, writeModel } from "../../mod.ts";
import { quantize } from "../../src/quantize/quantize.ts";
import type { QuantizeOptions } from "../../src/quantize/options.ts";
import { FIXTURES, readBytesSync, SHARED, skipWithoutShared } from "../helpers.ts";
import { CALIBRATION } from "./mnist_samples.ts";

/** A model input or output type that the int8 mode takes. */
type ModelIoType = NonNullable<QuantizeOptions["inputType"]>;

/** TensorFlow's int8 variants and the input and output type each was asked for. */
const VARIANTS: [string, ModelIoType][] = [
  ["int8", "float32"],
  ["int8_int8io", "int8"],
  ["int8_uint8io", "uint8"],
];

/** Converts `folder/NAME.float.tflite` as TensorFlow's `folder/NAME.VARIANT.tflite` and compares. */
async function assertNoLarger(
  folder: string,
  name: string,
  variant: string,
  io: ModelIoType,
  samples: Float32Array[],
): Promise<void> {
  const float = readModel(readBytesSync(`${folder}/${name}.float.tflite`));
  const model = await quantize(float, {
    mode: "int8",
    representativeDataset: samples,
    inputType: io,
    outputType: io,
  });
  const bytes = writeModel(model).byteLength;
  const theirs = statSync(`${folder}/${name}.${variant}.tflite`).size;
  assert.ok(bytes <= theirs, `${name} ${variant}: liteq ${bytes} bytes, TensorFlow ${theirs}`);
}

for (const name of ["seed_mnist", "seed_cifar_arch", "mobile_mnist"]) {
  for (const [variant, io] of VARIANTS) {
    Deno.test(`${name} ${variant}: liteq's file is no larger than TensorFlow's`, async () => {
      await assertNoLarger(`${FIXTURES}/models`, name, variant, io, CALIBRATION[name]);
    });
  }
}

/** One image of 224x224x3 values in [-1, 1] from a fixed linear congruential sequence. */
function randomImage(): Float32Array {
  let state = 1;
  return Float32Array.from({ length: 224 * 224 * 3 }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  });
}

for (
  const [name, variant, io] of [
    ["mobilenet_v1", "int8", "float32"],
    ["mobilenet_v1", "int8_int8io", "int8"],
    ["mobilenet_v2", "int8", "float32"],
    ["mobilenet_v2", "int8_int8io", "int8"],
    ["mobilenet_v2_bn", "int8", "float32"],
  ] as const
) {
  Deno.test(`${name} ${variant}: liteq's file is no larger than TensorFlow's`, async () => {
    if (skipWithoutShared(`${name} ${variant}'s size`)) return;
    await assertNoLarger(`${SHARED}/models`, name, variant, io, [randomImage()]);
  });
}
