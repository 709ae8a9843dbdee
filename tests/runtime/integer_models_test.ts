/**
 * Full-integer models (TensorFlow's int8 variants with float and int8/uint8 I/O, its int16x8
 * variants, int8 MobileNet V2s, and a PyTorch-converted one) run bit-exactly like TensorFlow's
 * reference kernels on the shared reference inputs.
 */
import assert from "node:assert/strict";
import { parseNpy } from "../../src/io/npy.ts";
import { Interpreter } from "../../src/runtime/interpreter.ts";
import { runSamples } from "../../src/runtime/samples.ts";
import { FIXTURES, readBytesSync, SHARED, skipWithoutShared } from "../helpers.ts";

/** Differences between two arrays: how many elements differ and by at most how much. */
function differences(actual: ArrayLike<number | bigint>, expected: ArrayLike<number | bigint>) {
  let count = 0;
  let largest = 0;
  for (let index = 0; index < expected.length; index++) {
    const difference = Math.abs(Number(actual[index]) - Number(expected[index]));
    if (difference > 0) count++;
    largest = Math.max(largest, difference);
  }
  return { count, largest };
}

async function runReference(folder: string, models: string, name: string) {
  const interpreter = await Interpreter.load(`${models}/${name}.tflite`);
  const inputs = parseNpy(readBytesSync(`${folder}/${name.split(".")[0]}.inputs.npy`));
  const expected = parseNpy(readBytesSync(`${folder}/${name}.ref_outputs.npy`));
  const [actual] = runSamples(interpreter, [inputs]);
  assert.deepEqual(actual.shape, expected.shape);
  assert.equal(actual.dtype, expected.dtype);
  return differences(actual.data, expected.data);
}

const VARIANTS = ["int8", "int8_int8io", "int8_uint8io", "int16x8"];

for (const family of ["seed_mnist", "seed_cifar_arch", "mobile_mnist"]) {
  for (const variant of VARIANTS) {
    const name = `${family}.${variant}`;
    Deno.test(`${name} is bit-exact with TensorFlow's reference kernels`, async () => {
      const { count } = await runReference(`${FIXTURES}/reference`, `${FIXTURES}/models`, name);
      assert.equal(count, 0, `${count} outputs differ`);
    });
  }
}

// mobilenet_v2_bn's activations stay spread to the last layer (the int8 MobileNet V2's collapse).
const SHARED_MODELS = [
  "mobilenet_v2.int8",
  "mobilenet_v2_bn.int8",
  "mobilenet_v2_bn_logits.int8",
  "tflm_mobilenet_v2_quantized_1x3x224x224",
];

for (const name of SHARED_MODELS) {
  Deno.test(`${name} is bit-exact with TensorFlow`, async () => {
    if (skipWithoutShared(name)) return;
    const { count } = await runReference(`${SHARED}/reference`, `${SHARED}/models`, name);
    assert.equal(count, 0, `${count} outputs differ`);
  });
}
