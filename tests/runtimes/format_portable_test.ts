/**
 * The tests that run unchanged in Deno, Bun and Node (`deno task test:runtimes` bundles this file
 * for Bun and Node): lossless round trips of every fixture, clean refusals, the wasm kernels.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ModelFormatError, readModel, writeModel } from "../../mod.ts";
import { widenFloat16 } from "../../src/runtime/fp16.ts";
import { loadKernels } from "../../src/runtime/wasm.ts";
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

test("the wasm kernels load and widen float16 exactly", async () => {
  const kernels = await loadKernels();
  const halves = Uint16Array.from([
    0x3c00,
    0xc000,
    0x0001,
    0x7c00,
    0x7bff,
    0x8000,
    0x3555,
    0x0400,
    0x4248,
  ]);
  const expected = [1, -2, 2 ** -24, Infinity, 65504, -0, 0.333251953125, 2 ** -14, 3.140625];
  assert.deepEqual(Array.from(widenFloat16(kernels, halves)), expected);
});
