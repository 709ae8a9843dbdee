/**
 * Variable tensors without initial values start as TFLite's ResetVariableTensor leaves them: an
 * int8 one at its zero point (real 0), any other at 0.
 */
import assert from "node:assert/strict";
import { Interpreter } from "../../src/runtime/interpreter.ts";
import { buildModel } from "./model_builder.ts";

/** input + variable, both of `dtype` with one scale and zero point. */
function addVariable(dtype: "int8" | "int16", zeroPoint: number) {
  const quantization = { scale: [0.5], zeroPoint: [zeroPoint] };
  return buildModel({
    tensors: [
      { name: "input", dtype, shape: [1, 4], quantization },
      { name: "state", dtype, shape: [1, 4], quantization, isVariable: true },
      { name: "output", dtype, shape: [1, 4], quantization },
    ],
    operators: [{
      op: "ADD",
      inputs: [0, 1],
      outputs: [2],
      version: dtype === "int8" ? 2 : 3,
      optionsType: "AddOptions",
      options: { fusedActivationFunction: "NONE", potScaleInt16: false },
    }],
    inputs: [0],
    outputs: [2],
  });
}

Deno.test("an int8 variable tensor starts at its zero point", async () => {
  const interpreter = await Interpreter.load(addVariable("int8", -5));
  const input = Int8Array.from([-5, 0, 7, -128]);
  const [output] = interpreter.run([input]);
  // Had the state started at 0 it would hold real 2.5, adding 5 steps to each value.
  assert.deepEqual(output, input);
});

Deno.test("an int16 variable tensor starts at 0, its zero point", async () => {
  const interpreter = await Interpreter.load(addVariable("int16", 0));
  const input = Int16Array.from([-5, 0, 700, -32768]);
  const [output] = interpreter.run([input]);
  assert.deepEqual(output, input);
});
