/**
 * What the fuzzer found with string and dynamic tensors and its run plans (limits, scaled input
 * shapes, outputs read before invoke), each as the smallest model that shows it, built here:
 * every one ends in a typed error naming the operator and tensor, within the bounds, or runs as
 * TensorFlow Lite does.
 */
import assert from "node:assert/strict";
import { Interpreter, UnsupportedModelError, writeModel } from "../../mod.ts";
import { encodeStringBuffer } from "../../src/format/string_buffer.ts";
import { buildModel } from "./model_builder.ts";

const UTF8 = new TextEncoder();

/** A TILE of a one-string tensor (a constant, or an input when `input`) to `count` strings. */
function stringTile(count: number, input: boolean): Uint8Array {
  const words = encodeStringBuffer([UTF8.encode("abc")]);
  return writeModel(buildModel({
    tensors: [
      input ? { dtype: "string", shape: [1] } : { dtype: "string", shape: [1], data: words },
      { dtype: "int32", shape: [1], data: new Int32Array([count]) },
      { dtype: "string", shape: [count], name: "tiled" },
    ],
    operators: [{ op: "TILE", inputs: [0, 1], outputs: [2] }],
    inputs: input ? [0] : [],
    outputs: [2],
  }));
}

Deno.test("string elements count against memoryBudget: a TILE to 2^27 strings is refused at load", async () => {
  for (const input of [false, true]) {
    const start = performance.now();
    await assert.rejects(
      () => Interpreter.load(stringTile(2 ** 27, input)),
      (error: Error) =>
        error instanceof UnsupportedModelError &&
        /operator 0 TILE .*tensor 2 "tiled" takes 4294967296 bytes.*memoryBudget/.test(
          error.message,
        ),
    );
    assert.ok(performance.now() - start < 5000, "refused before anything is built");
  }
  await assert.rejects(
    () => Interpreter.load(stringTile(2 ** 16, true), { memoryBudget: 2 ** 21 }),
    /tensor 2 "tiled" takes 2097152 bytes/,
  );
  const interpreter = await Interpreter.load(stringTile(2 ** 10, true), { memoryBudget: 2 ** 21 });
  interpreter.setInput(0, ["abc"]);
  interpreter.invoke();
  assert.deepEqual(interpreter.output(0), new Array(2 ** 10).fill("abc"));
});

Deno.test("a string output known only at invoke has no values before it, as a number output", async () => {
  const words = encodeStringBuffer(["a", "bb", "ccc", "dddd"].map((word) => UTF8.encode(word)));
  const model = buildModel({
    tensors: [
      { dtype: "bool", shape: [4], name: "condition" },
      { dtype: "int64", shape: [1, 1], name: "where" },
      { dtype: "string", shape: [4], data: words },
      { dtype: "string", shape: [1], name: "picked" },
    ],
    operators: [
      { op: "WHERE", inputs: [0], outputs: [1] },
      { op: "GATHER_ND", inputs: [2, 1], outputs: [3] },
    ],
    inputs: [0],
    outputs: [3, 1],
  });
  const interpreter = await Interpreter.load(writeModel(model));
  for (const read of [() => interpreter.output(0), () => interpreter.outputStringBytes(0)]) {
    assert.throws(read, /"picked" has no values yet: its shape is known only at invoke/);
  }
  assert.throws(() => interpreter.output(1), /"where" has no values yet/);
  interpreter.setInput(0, new Uint8Array([1, 0, 1, 1]));
  interpreter.invoke();
  assert.deepEqual(interpreter.output(0), ["a", "ccc", "dddd"]);
});

Deno.test("WHERE on a scalar condition is refused at load, as TensorFlow Lite refuses it", async () => {
  const model = buildModel({
    tensors: [{ dtype: "bool", shape: [], name: "flag" }, { dtype: "int64", shape: [1, 0] }],
    operators: [{ op: "WHERE", inputs: [0], outputs: [1] }],
    inputs: [0],
    outputs: [1],
  });
  await assert.rejects(
    () => Interpreter.load(writeModel(model)),
    /operator 0 WHERE \(version 1\): condition tensor 0 "flag" is a scalar/,
  );
});

Deno.test("an op writing a variable tensor with a larger shape than it was placed for is refused", async () => {
  // BATCH_MATMUL's output a variable tensor placed at load for [2, 3, 7]; inputs resized to 32
  // batches make the output [32, 3, 7], which wrote over the right operand (fuzz find, seed 7 case
  // 2986: a wasm out-of-bounds access, or a silently wrong answer).
  const model = buildModel({
    tensors: [
      { dtype: "float32", shape: [2, 5, 3], name: "a" },
      { dtype: "float32", shape: [2, 7, 5], name: "b" },
      { dtype: "float32", shape: [2, 3, 7], name: "product", isVariable: true },
    ],
    operators: [{
      op: "BATCH_MATMUL",
      inputs: [0, 1],
      outputs: [2],
      optionsType: "BatchMatMulOptions",
      options: { adjX: true, adjY: true },
    }],
    inputs: [0, 1],
    outputs: [2],
  });
  const bytes = writeModel(model);
  await assert.rejects(
    () => Interpreter.load(bytes, { inputShapes: [[32, 5, 3], [32, 7, 5]] }),
    /^UnsupportedModelError: operator 0 BATCH_MATMUL \(version 1\): variable tensor 2 "product" holds 168 bytes from load; shape \[32,3,7\] needs 2688$/,
  );
  const interpreter = await Interpreter.load(bytes);
  interpreter.setInput(0, new Float32Array(30).fill(1));
  interpreter.setInput(1, new Float32Array(70).fill(1));
  interpreter.invoke();
  assert.deepEqual(interpreter.output(0), new Float32Array(42).fill(5));
});
