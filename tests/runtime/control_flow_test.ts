/**
 * Control flow and several subgraphs: WHILE, IF, CALL_ONCE and the resource variables they share,
 * against TensorFlow 2.21's answers (reference kernels) on TensorFlow Lite's own test models; the
 * iteration cap on WHILE; what cannot be planned at load is refused there.
 */
import assert from "node:assert/strict";
import { Interpreter, InvokeError, type Model, readModel, writeModel } from "../../mod.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

const ROBUSTNESS = `${FIXTURES}/robustness`;

function robustness(name: string): Model {
  return readModel(readBytesSync(`${ROBUSTNESS}/${name}.tflite`));
}

Deno.test("WHILE runs its body until the condition fails (TensorFlow's answers)", async () => {
  // cond: i < 2; body: (n + 1, i + 1, x * 2); outputs (x, i). TensorFlow gives (12, 2) for x = 3.
  const interpreter = await Interpreter.load(`${ROBUSTNESS}/multi_subgraphs_while.tflite`);
  for (let run = 0; run < 2; run++) {
    const [x, i] = interpreter.run([new Float32Array([3])]);
    assert.deepEqual([x[0], i[0]], [12, 2]);
  }
  const runner = interpreter.signatureRunner();
  assert.deepEqual(Array.from(runner.run({ inp: [0.5] }).output_0, Number), [2]);
});

Deno.test("a WHILE that does not end stops at maxWhileIterations with an error", async () => {
  const model = robustness("multi_subgraphs_while");
  const limit = model.subgraphs[1].tensors[3]; // while/Less/y: the loop runs while i < limit
  limit.data = new Int32Array([2 ** 31 - 1]);
  const bytes = writeModel(model);
  const capped = await Interpreter.load(bytes, { maxWhileIterations: 1000 });
  assert.throws(
    () => capped.run([new Float32Array([1])]),
    (error) =>
      error instanceof InvokeError &&
      error.message ===
        "subgraph 0, operator 0 WHILE (version 1): the loop ran 1000 iterations and its condition still holds (option maxWhileIterations)",
  );
  limit.data = new Int32Array([1000]);
  const [, i] = (await Interpreter.load(writeModel(model), { maxWhileIterations: 1000 }))
    .run([new Float32Array([1])]);
  assert.equal(i[0], 1000);
  await assert.rejects(Interpreter.load(bytes, { maxWhileIterations: 0 }), RangeError);
});

Deno.test("CALL_ONCE initializes resource variables once (TensorFlow's answers)", async () => {
  // init: v = 2; main: y = v * x, then v = x. TensorFlow gives 6, then 9 for x = 3.
  const interpreter = await Interpreter.load(`${ROBUSTNESS}/call_once_mul.tflite`);
  assert.deepEqual(Array.from(interpreter.run([new Float32Array([3])])[0], Number), [6]);
  assert.deepEqual(Array.from(interpreter.run([new Float32Array([3])])[0], Number), [9]);
  assert.deepEqual(Array.from(interpreter.run([new Float32Array([5])])[0], Number), [15]);
});

Deno.test("control flow that cannot be planned at load is refused there", async () => {
  const refused = async (change: (model: Model) => void, message: RegExp) => {
    const model = robustness("multi_subgraphs_while");
    change(model);
    await assert.rejects(Interpreter.load(writeModel(model)), (error) => {
      assert.match((error as Error).message, message);
      return true;
    });
  };
  await refused(
    (
      model,
    ) => (model.subgraphs[0].operators[0].options = { condSubgraphIndex: 1, bodySubgraphIndex: 7 }),
    /^subgraph 0, operator 0 WHILE \(version 1\): its body is subgraph 7; the model has 3 subgraphs$/,
  );
  await refused(
    (
      model,
    ) => (model.subgraphs[0].operators[0].options = { condSubgraphIndex: 1, bodySubgraphIndex: 0 }),
    /subgraph 0 calls itself/,
  );
  await refused(
    (model) => (model.subgraphs[2].outputs = [7, 5]),
    /^subgraph 0, operator 0 WHILE \(version 1\): its body gives 2 outputs; the operator has 3$/,
  );
});

Deno.test("a loop variable the body passes through stays a constant inside the loop", async () => {
  // The body now passes arg0 (the constant 0 the WHILE starts it at) through unchanged: the body
  // reads it in place as a constant, computes ADD(arg0, 1) once at load, and the loop still gives
  // TensorFlow's (12, 2) (checked with TensorFlow 2.21 on the changed file).
  const model = robustness("multi_subgraphs_while");
  model.subgraphs[2].outputs = [0, 5, 6];
  const interpreter = await Interpreter.load(writeModel(model));
  const [x, i] = interpreter.run([new Float32Array([3])]);
  assert.deepEqual([x[0], i[0]], [12, 2]);
});
