import assert from "node:assert/strict";
import { readModel, writeModel } from "../../mod.ts";
import { FIXTURES, modelsIn, readBytesSync, SHARED, skipWithoutShared } from "../helpers.ts";

/** Read, write, read again: the IR must come back deep-equal, and writing again gives the same bytes. */
function assertRoundTrip(path: string): void {
  const model = readModel(readBytesSync(path));
  const written = writeModel(model);
  const again = readModel(written);
  assert.deepEqual(again, model);
  assert.deepEqual(writeModel(again), written, "writing is deterministic");
}

for (const folder of ["models", "robustness"]) {
  Deno.test(`every fixture in tests/fixtures/${folder} round-trips losslessly`, () => {
    const models = modelsIn(`${FIXTURES}/${folder}`);
    assert.ok(models.length > 0);
    for (const [name, path] of models) {
      try {
        assertRoundTrip(path);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
    }
  });
}

Deno.test("every model in ../shared round-trips losslessly", () => {
  if (skipWithoutShared("the ../shared corpus test")) return;
  for (const folder of ["models", "robustness"]) {
    for (const [name, path] of modelsIn(`${SHARED}/${folder}`)) {
      try {
        assertRoundTrip(path);
      } catch (error) {
        throw new Error(`${folder}/${name}: ${(error as Error).message}`);
      }
    }
  }
});

Deno.test("what the reader finds in known models", () => {
  const seed = readModel(readBytesSync(`${FIXTURES}/models/seed_mnist.int8.tflite`));
  const [main] = seed.subgraphs;
  const conv = main.operators.find((operator) => operator.op === "CONV_2D")!;
  assert.equal(conv.optionsType, "Conv2DOptions");
  assert.equal(conv.options?.fusedActivationFunction, "RELU");
  assert.equal(conv.options?.padding, "VALID");
  const weights = main.tensors[conv.inputs[1]];
  assert.equal(weights.dtype, "int8");
  assert.deepEqual(weights.shape, [12, 3, 3, 1]);
  assert.equal(weights.quantization?.scale.length, 12);
  assert.equal(weights.quantization?.quantizedDimension, 0);
  assert.ok(weights.data instanceof Int8Array && weights.data.length === 108);
  assert.deepEqual(main.tensors[main.inputs[0]].shapeSignature, [-1, 28, 28]);
  assert.deepEqual(seed.signatures.map((signature) => signature.key), ["serving_default"]);
  assert.deepEqual(seed.metadata.map((entry) => entry.name), [
    "min_runtime_version",
    "CONVERSION_METADATA",
  ]);

  const f16 = readModel(readBytesSync(`${FIXTURES}/models/seed_mnist.f16.tflite`));
  const dequantize = f16.subgraphs[0].operators.find((operator) => operator.op === "DEQUANTIZE")!;
  const half = f16.subgraphs[0].tensors[dequantize.inputs[0]];
  assert.equal(half.dtype, "float16");
  assert.ok(half.data instanceof Uint16Array, "float16 constants are raw bits");

  const flex = readModel(readBytesSync(`${FIXTURES}/robustness/double_flex.tflite`));
  assert.ok(flex.subgraphs[0].operators.every((operator) => operator.custom));
  assert.ok(flex.subgraphs[0].operators[0].op.startsWith("Flex"));
  const strings = readModel(readBytesSync(`${FIXTURES}/robustness/tensor_string_data_type.tflite`));
  assert.ok(strings.subgraphs[0].tensors.some((tensor) => tensor.dtype === "string"));
  const subgraphs = readModel(readBytesSync(`${FIXTURES}/robustness/multi_subgraphs_while.tflite`));
  assert.ok(subgraphs.subgraphs.length > 1);
  const noSubgraphs = readModel(readBytesSync(`${FIXTURES}/robustness/0_subgraphs.tflite`));
  assert.equal(noSubgraphs.subgraphs.length, 0);
});
