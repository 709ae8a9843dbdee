/**
 * What a kernel needs beyond inputs and outputs travels in the IR itself, so a `Model` built or
 * copied in memory runs as its file does: a sparse constant's layout (`Tensor.sparsity`), for
 * DENSIFY and for constants read directly (stored expanded), and an operator's intermediate
 * tensors (`Operator.intermediates`), for the integer LSTM.
 */
import assert from "node:assert/strict";
import type { Model } from "../../src/format/ir.ts";
import { readModel } from "../../src/format/reader.ts";
import { parseNpy } from "../../src/io/npy.ts";
import { Interpreter } from "../../src/runtime/interpreter.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";
import { buildModel } from "./model_builder.ts";

/** A [2, 4] layout: rows dense, columns CSR; with values [5, 6, 7], [[0, 5, 0, 6], [7, 0, 0, 0]]. */
const SPARSITY = {
  traversalOrder: [0, 1],
  blockMap: null,
  dimMetadata: [
    { format: "DENSE", denseSize: 2, arraySegments: null, arrayIndices: null },
    {
      format: "SPARSE_CSR",
      denseSize: 0,
      arraySegments: { type: "Int32Vector", value: { values: [0, 2, 3] } },
      arrayIndices: { type: "Int32Vector", value: { values: [1, 3, 0] } },
    },
  ],
};
const DENSE = [0, 5, 0, 6, 7, 0, 0, 0];

/** input + the sparse constant, through DENSIFY or read by ADD directly. */
function sparseModel(densify: boolean): Model {
  const tensors = [
    { dtype: "float32" as const, shape: [2, 4] },
    { dtype: "float32" as const, shape: [2, 4], data: Float32Array.from([5, 6, 7]) },
    { dtype: "float32" as const, shape: [2, 4] },
    { dtype: "float32" as const, shape: [2, 4] },
  ];
  const add = {
    op: "ADD",
    inputs: [0, densify ? 2 : 1],
    outputs: [3],
    optionsType: "AddOptions",
    options: { fusedActivationFunction: "NONE", potScaleInt16: true },
  };
  const model = buildModel({
    tensors,
    operators: densify ? [{ op: "DENSIFY", inputs: [1], outputs: [2] }, add] : [add],
    inputs: [0],
    outputs: [3],
  });
  model.subgraphs[0].tensors[1].sparsity = SPARSITY;
  return model;
}

const INPUT = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);

for (const densify of [true, false]) {
  const how = densify ? "through DENSIFY" : "read directly, stored expanded";
  Deno.test(`a sparse constant of a model built in memory runs ${how}`, async () => {
    const interpreter = await Interpreter.load(sparseModel(densify));
    const [output] = interpreter.run([INPUT]);
    assert.deepEqual(Array.from(output as Float32Array), DENSE.map((value, i) => value + INPUT[i]));
  });
}

Deno.test("DENSIFY of a constant without a sparse layout is refused at load", async () => {
  const model = sparseModel(true);
  model.subgraphs[0].tensors[1].sparsity = null;
  model.subgraphs[0].tensors[1].data = Float32Array.from(DENSE);
  await assert.rejects(Interpreter.load(model), /has no sparsity parameters/);
});

Deno.test("the integer LSTM of a model copied in memory finds its intermediates", async () => {
  const folder = `${FIXTURES}/ops_graph`;
  const copy = structuredClone(readModel(readBytesSync(`${folder}/lstm_int8.tflite`)));
  const interpreter = await Interpreter.load(copy);
  const input = parseNpy(readBytesSync(`${folder}/lstm_int8.input0.npy`));
  const expected = parseNpy(readBytesSync(`${folder}/lstm_int8.output0.npy`));
  const steps = input.shape[0];
  const [output] = interpreter.run([input.data.slice(0, input.data.length / steps)]);
  assert.deepEqual(output, expected.data.slice(0, expected.data.length / steps));
});
