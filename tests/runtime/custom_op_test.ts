/**
 * The custom-op API: `Interpreter.load(model, { customOps: { Name: op } })` runs a caller's
 * implementation with its options and tensors, prepared at load (what `prepare` refuses is an
 * `UnsupportedModelError` naming the operator) and invoked at every run.
 */
import assert from "node:assert/strict";
import { type CustomOp, Interpreter, UnsupportedModelError, writeModel } from "../../mod.ts";
import { FIXTURES } from "../helpers.ts";
import { buildModel } from "./model_builder.ts";

const SINH = `${FIXTURES}/robustness/custom_sinh.tflite`;

/** `Scale`: y = x * factor + bias (bias a constant input), factor in a FlexBuffer map. */
function scaleModel(): Uint8Array {
  // flexbuffers.Dumps({"factor": 2.5}), as TensorFlow's Python package writes it.
  // deno-fmt-ignore
  const options = new Uint8Array([
    102, 97, 99, 116, 111, 114, 0, 1, 8, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 32,
    64, 14, 5, 38, 1,
  ]);
  return writeModel(buildModel({
    tensors: [
      { name: "x", dtype: "float32", shape: [2, 3] },
      { name: "bias", dtype: "float32", shape: [3], data: new Float32Array([1, 2, 3]) },
      { name: "y", dtype: "float32", shape: [1] },
    ],
    operators: [{
      op: "Scale",
      custom: true,
      inputs: [0, 1],
      outputs: [2],
      customOptions: options,
    }],
    inputs: [0],
    outputs: [2],
  }));
}

const scale: CustomOp = {
  prepare(context) {
    const { factor } = context.flexOptions() as { factor: number };
    const [x, bias] = context.inputs;
    assert.deepEqual(Array.from(bias!.values as Float32Array), [1, 2, 3]);
    assert.equal(x!.values, null);
    context.outputs[0].shape = [...x!.shape];
    return ([input, b], [output]) => {
      for (let index = 0; index < output.length; index++) {
        output[index] = Number(input![index]) * factor + Number(b![index % 3]);
      }
    };
  },
};

Deno.test("a registered custom op runs with its options, constants and shapes", async () => {
  const interpreter = await Interpreter.load(scaleModel(), { customOps: { Scale: scale } });
  assert.deepEqual(interpreter.outputDetails()[0].shape, [2, 3]);
  const [y] = interpreter.run([[0, 1, 2, 3, 4, 5]]);
  assert.deepEqual(Array.from(y as Float32Array), [1, 4.5, 8, 8.5, 12, 15.5]);
  const [again] = interpreter.run([[1, 1, 1, 1, 1, 1]]);
  assert.deepEqual(Array.from(again as Float32Array), [3.5, 4.5, 5.5, 3.5, 4.5, 5.5]);
});

Deno.test("a custom op is found by its custom code; without one the model is refused", async () => {
  await assert.rejects(Interpreter.load(SINH), /no kernel for Sinh/);
  const sinh: CustomOp = {
    prepare: () => ([x], [y]) => (y[0] = Math.sinh(Number(x![0]))),
  };
  const interpreter = await Interpreter.load(SINH, { customOps: { Sinh: sinh } });
  assert.equal(interpreter.run([[1]])[0][0], Math.fround(Math.sinh(1)));
});

Deno.test("what prepare throws is an UnsupportedModelError naming the operator", async () => {
  const refusing: CustomOp = {
    prepare(context) {
      throw new Error(`${context.name} wants a bigger input than [${context.inputs[0]!.shape}]`);
    },
  };
  await assert.rejects(
    Interpreter.load(SINH, { customOps: { Sinh: refusing } }),
    (error) =>
      error instanceof UnsupportedModelError &&
      error.message === "operator 0 Sinh (version 1): Sinh wants a bigger input than [1]",
  );
});

Deno.test("a caller's op replaces a built-in custom op of the same code", async () => {
  const bytes = writeModel(buildModel({
    tensors: [
      { dtype: "float32", shape: [1, 2, 2, 1] },
      { dtype: "float32", shape: [1, 1, 1, 1] },
      { dtype: "float32", shape: [1, 1, 1, 1] },
    ],
    operators: [{
      op: "MaxPoolingWithArgmax2D",
      custom: true,
      inputs: [0],
      outputs: [1, 2],
      customOptions: new Uint8Array(Int32Array.from([2, 2, 2, 2, 2, 0]).buffer),
    }],
    inputs: [0],
    outputs: [1, 2],
  }));
  const builtIn = await Interpreter.load(bytes);
  assert.deepEqual(builtIn.run([[1, 4, 2, 3]]).map((output) => output[0]), [4, 1.100000023841858]);
  const mine: CustomOp = {
    prepare: () => (_, [values, places]) => {
      values[0] = 7;
      places[0] = 0;
    },
  };
  const replaced = await Interpreter.load(bytes, { customOps: { MaxPoolingWithArgmax2D: mine } });
  assert.deepEqual(replaced.run([[1, 4, 2, 3]]).map((output) => output[0]), [7, 0]);
});
