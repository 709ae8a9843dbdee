/** Bad quantization parameters are refused at read, naming the tensor, as TensorFlow refuses them. */
import assert from "node:assert/strict";
import { ModelFormatError, readModel, writeModel } from "../../mod.ts";
import type { Quantization } from "../../src/format/ir.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

const SOURCE = `${FIXTURES}/models/seed_mnist.int8.tflite`;

/** Rewrites the first per-channel weight tensor's parameters and reads the file back. */
function readWith(change: (quantization: Quantization, shape: number[]) => void) {
  const model = readModel(readBytesSync(SOURCE));
  const tensor = model.subgraphs[0].tensors.find((candidate) =>
    candidate.dtype === "int8" && (candidate.quantization?.scale.length ?? 0) > 1
  )!;
  change(tensor.quantization!, tensor.shape);
  return () => readModel(writeModel(model));
}

const CASES: [string, (quantization: Quantization, shape: number[]) => void, RegExp][] = [
  ["a zero scale", (q) => (q.scale[1] = 0), /scale 1 is 0; scales must be finite and positive/],
  ["a negative scale", (q) => (q.scale[0] = -0.5), /scale 0 is -0.5/],
  ["a NaN scale", (q) => (q.scale[2] = NaN), /scale 2 is NaN/],
  ["an infinite scale", (q) => (q.scale[0] = Infinity), /scale 0 is Infinity/],
  ["one scale too many", (q) => {
    q.scale.push(1);
    q.zeroPoint.push(0);
  }, /11 scales; one per tensor or one for each of the 10 entries of dimension 0/],
  ["one zero point too few", (q) => q.zeroPoint.pop(), /9 zero points for 10 scales/],
  [
    "quantized_dimension past the rank",
    (q) => (q.quantizedDimension = 4),
    /quantized_dimension must be in range \[0, 2\)\. Was 4/,
  ],
  ["a zero point outside int8", (q) => (q.zeroPoint[0] = 128), /zero point 0 is 128, outside int8/],
];

for (const [name, change, message] of CASES) {
  Deno.test(`the reader refuses ${name}, naming the tensor`, () => {
    assert.throws(readWith(change), (error) => {
      assert.ok(error instanceof ModelFormatError, String(error));
      assert.match(error.message, /^subgraph 0, tensor \d+ "[^"]*": quantization: /);
      assert.match(error.message, message);
      return true;
    });
  });
}

Deno.test("parameters TensorFlow writes stay accepted", () => {
  readWith(() => {})();
});
