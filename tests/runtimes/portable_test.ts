/**
 * The tests that run unchanged in Deno, Bun and Node (`deno task test:runtimes` bundles this file
 * for Bun and Node): lossless round trips of every fixture, clean refusals, and the interpreter
 * on its wasm kernels (loaded from disk) against TensorFlow's outputs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  Interpreter,
  ModelFormatError,
  parseNpy,
  readModel,
  runSamples,
  writeModel,
} from "../../mod.ts";
import { FIXTURES, modelsIn, readBytesSync } from "../helpers.ts";

for (const folder of ["models", "robustness"]) {
  test(`fixtures in ${folder} round-trip losslessly`, () => {
    for (const [name, path] of modelsIn(`${FIXTURES}/${folder}`)) {
      const model = readModel(readBytesSync(path));
      const written = writeModel(model);
      assert.deepEqual(readModel(written), model, name);
    }
  });
}

test("constants are typed views: int8 weights, float16 as raw bits", () => {
  const int8 = readModel(readBytesSync(`${FIXTURES}/models/seed_mnist.int8.tflite`));
  assert.ok(int8.subgraphs[0].tensors.some((tensor) => tensor.data instanceof Int8Array));
  const f16 = readModel(readBytesSync(`${FIXTURES}/models/seed_mnist.f16.tflite`));
  const half = f16.subgraphs[0].tensors.find((tensor) => tensor.dtype === "float16");
  assert.ok(half?.data instanceof Uint16Array);
});

test("truncated and corrupted files end in ModelFormatError", () => {
  const original = readBytesSync(`${FIXTURES}/models/seed_mnist.float.tflite`);
  for (let length = 0; length < original.length; length += 997) {
    assert.throws(() => readModel(original.slice(0, length)), ModelFormatError);
  }
  for (let position = 0; position < 4096; position += 4) {
    const copy = original.slice();
    new DataView(copy.buffer).setUint32(position, 0x7ffffff0, true);
    try {
      readModel(copy);
    } catch (error) {
      assert.ok(error instanceof ModelFormatError, `word at ${position}: ${error}`);
    }
  }
});

for (const name of ["seed_mnist.f16", "mobile_mnist.float", "alankrantas_mnist"]) {
  test(`${name} runs within 1e-4 of TensorFlow`, async () => {
    const interpreter = await Interpreter.load(`${FIXTURES}/models/${name}.tflite`);
    const inputs = parseNpy(
      readBytesSync(`${FIXTURES}/reference/${name.split(".")[0]}.inputs.npy`),
    );
    const expected = parseNpy(readBytesSync(`${FIXTURES}/reference/${name}.ref_outputs.npy`));
    const [actual] = runSamples(interpreter, [inputs]);
    assert.deepEqual(actual.shape, expected.shape);
    expected.data.forEach((value, index) => {
      const want = Number(value);
      const difference = Math.abs(Number(actual.data[index]) - want);
      assert.ok(difference <= 1e-4 * Math.max(1, Math.abs(want)), `${name} element ${index}`);
    });
  });
}
