/**
 * Dynamic tensors: models whose output shapes depend on input values (tests/fixtures/
 * ops_dynamic_shape, made by tools/make_dynamic_shape_fixtures.py: SPLIT on an axis given as an
 * input, WHERE on a run-time condition, and GATHER, GATHER_ND, SQUEEZE, RESHAPE, SUM and WHILE
 * around them) give TensorFlow's shapes and values for each input set, in any order; the bounds
 * (`maxElements`, `memoryBudget`) hold for shapes computed at invoke; memory given to dynamic
 * tensors is given back when their shapes change, and a signature prepared after an invoke does
 * not sit above it; static models place nothing at invoke.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { Interpreter, InvokeError, UnsupportedModelError } from "../../mod.ts";
import { parseNpy } from "../../src/io/npy.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";
import { buildModel, type OperatorSpec } from "./model_builder.ts";

const folder = `${FIXTURES}/ops_dynamic_shape`;
const names = readdirSync(folder).filter((name) => name.endsWith(".tflite")).map((name) =>
  name.slice(0, -".tflite".length)
).sort();

/** The input sets of fixture `name` and TensorFlow's outputs for each. */
function inputSets(name: string, inputs: number, outputs: number) {
  const sets = [];
  for (let set = 0; existsSync(`${folder}/${name}.${set}.input0.npy`); set++) {
    const read = (what: string, count: number) =>
      Array.from(
        { length: count },
        (_, position) => parseNpy(readBytesSync(`${folder}/${name}.${set}.${what}${position}.npy`)),
      );
    sets.push({ set, inputs: read("input", inputs), outputs: read("output", outputs) });
  }
  return sets;
}

for (const name of names) {
  Deno.test(`dynamic-shape model ${name} matches TensorFlow for each input set, in any order`, async () => {
    const interpreter = await Interpreter.load(`${folder}/${name}.tflite`, { kernels: "simd" });
    const sets = inputSets(
      name,
      interpreter.inputDetails().length,
      interpreter.outputDetails().length,
    );
    assert.ok(sets.length >= 3, `${name} has ${sets.length} input sets`);
    for (const { set, inputs, outputs } of [...sets, ...sets.toReversed(), ...sets]) {
      const actual = interpreter.run(inputs.map((input) => input.data as never));
      outputs.forEach((expected, position) => {
        const what = `${name} input set ${set} output ${position}`;
        assert.deepEqual(interpreter.outputDetails()[position].shape, expected.shape, what);
        assert.deepEqual(
          Array.from(actual[position], Number),
          Array.from(expected.data, Number),
          what,
        );
      });
    }
  });
}

Deno.test("memory given to dynamic tensors is given back when their shapes change", async () => {
  const interpreter = await Interpreter.load(`${folder}/where_gather_nd_sum.tflite`);
  const sets = inputSets("where_gather_nd_sum", 1, 3);
  const footprint = () =>
    sets.map(({ inputs }) => {
      interpreter.run([inputs[0].data]);
      return interpreter.memoryBytes;
    });
  const first = footprint();
  assert.deepEqual(footprint(), first);
  assert.deepEqual(footprint(), first);
});

Deno.test("maxElements bounds the shapes computed at invoke: an InvokeError, then runs on", async () => {
  // where_bool_input: WHERE of a [2, 3, 2] bool input, [count, 3] coordinates.
  const interpreter = await Interpreter.load(`${folder}/where_bool_input.tflite`, {
    maxElements: 30,
  });
  const [some, none, all] = inputSets("where_bool_input", 1, 1);
  assert.deepEqual(interpreter.run([some.inputs[0].data])[0].length, 27);
  assert.throws(
    () => interpreter.run([all.inputs[0].data]),
    (error) =>
      error instanceof InvokeError &&
      error.message.startsWith("operator 0 WHERE (version 1): tensor 1 ") &&
      error.message.endsWith(
        "would have shape [12,3], 36 elements, more than the limit of 30",
      ),
  );
  assert.deepEqual(interpreter.run([none.inputs[0].data])[0].length, 0);
  assert.deepEqual(
    Array.from(interpreter.run([some.inputs[0].data])[0], Number),
    Array.from(some.outputs[0].data, Number),
  );
});

Deno.test("memoryBudget bounds the memory placed at invoke: an InvokeError, never a crash", async () => {
  const loaded = (await Interpreter.load(`${folder}/where_bool_input.tflite`)).memoryBytes;
  const interpreter = await Interpreter.load(`${folder}/where_bool_input.tflite`, {
    memoryBudget: loaded + 128,
  });
  const [some, none] = inputSets("where_bool_input", 1, 1);
  assert.equal(interpreter.run([none.inputs[0].data])[0].length, 0);
  assert.throws(
    () => interpreter.run([some.inputs[0].data]),
    (error) =>
      error instanceof InvokeError &&
      error.message.startsWith("operator 0 WHERE (version 1): tensor 1 ") &&
      error.message.includes(" takes 216 bytes ") &&
      error.message.endsWith(
        `more than the memory budget of ${loaded + 128} bytes (option memoryBudget)`,
      ),
  );
  assert.equal(interpreter.run([none.inputs[0].data])[0].length, 0);
});

Deno.test("SPLIT reads its axis at invoke: one outside the input is an InvokeError", async () => {
  const interpreter = await Interpreter.load(`${folder}/split_runtime_axis.tflite`);
  const x = new Float32Array(24).map((_, index) => index);
  assert.throws(
    () => interpreter.output(0),
    /has no values yet: its shape is known only at invoke/,
  );
  for (const axis of [2, -3]) {
    assert.throws(
      () => interpreter.run([x, new Int32Array([axis])]),
      (error) =>
        error instanceof InvokeError &&
        /^operator 0 SPLIT \(version \d\): axis tensor 1 "\w+" holds -?\d, outside a rank-2 input$/
          .test(error.message),
    );
  }
  const [left, right] = interpreter.run([x, new Int32Array([-1])]);
  assert.deepEqual(interpreter.outputDetails().map((detail) => detail.shape), [[4, 3], [4, 3]]);
  assert.deepEqual(Array.from(left.slice(0, 6), Number), [0, 1, 2, 6, 7, 8]);
  assert.deepEqual(Array.from(right.slice(0, 3), Number), [3, 4, 5]);
});

Deno.test("a static model places nothing at invoke", async () => {
  const interpreter = await Interpreter.load(`${FIXTURES}/ops/add_relu.tflite`);
  const before = interpreter.memoryBytes;
  const inputs = interpreter.inputDetails().map((detail) =>
    new Float32Array(detail.shape.reduce((product, size) => product * size, 1)).fill(0.5)
  );
  interpreter.run(inputs);
  interpreter.run(inputs);
  assert.equal(interpreter.memoryBytes, before);
});

Deno.test("a signature prepared after an invoke goes below the dynamic tensors, which are placed again", async () => {
  // two_signatures: find_positive (the main graph, WHERE of its input) and scale (x * 2).
  const interpreter = await Interpreter.load(`${folder}/two_signatures.tflite`);
  const sets = inputSets("two_signatures", 1, 1);
  const find = interpreter.signatureRunner("find_positive");
  const coordinates = (set: number) => {
    const { inputs, outputs } = sets[set];
    const actual = find.run({ x: inputs[0].data }).coordinates;
    assert.deepEqual(Array.from(actual, Number), Array.from(outputs[0].data, Number));
  };
  coordinates(0);
  const scale = interpreter.signatureRunner("scale");
  assert.throws(() => find.output("coordinates"), /has no values yet/);
  assert.deepEqual(Array.from(scale.run({ x: [0, 1, 2, 3] }).scaled, Number), [0, 2, 4, 6]);
  coordinates(1);
  assert.deepEqual(Array.from(scale.run({ x: [4, 5, 6, 7] }).scaled, Number), [8, 10, 12, 14]);
  coordinates(2);
  coordinates(0);
});

Deno.test("an op after a dynamic tensor runs its shape checks again at invoke: an InvokeError", async () => {
  // SPLIT [2, 6] in two along the axis input, then ADD a [2, 3] constant to the first piece:
  // axis 1 gives [2, 3] pieces, axis 0 [1, 6], which does not broadcast against [2, 3].
  const model = buildModel({
    tensors: [
      { name: "x", dtype: "float32", shape: [2, 6] },
      { name: "axis", dtype: "int32", shape: [] },
      { name: "left", dtype: "float32", shape: [2, 3] },
      { name: "right", dtype: "float32", shape: [2, 3] },
      { name: "c", dtype: "float32", shape: [2, 3], data: new Float32Array(6).fill(10) },
      { name: "sum", dtype: "float32", shape: [2, 3] },
    ],
    operators: [
      {
        op: "SPLIT",
        inputs: [1, 0],
        outputs: [2, 3],
        optionsType: "SplitOptions",
        options: { numSplits: 2 },
      },
      {
        op: "ADD",
        inputs: [2, 4],
        outputs: [5],
        optionsType: "AddOptions",
        options: { fusedActivationFunction: "NONE", potScaleInt16: false },
      },
    ],
    inputs: [0, 1],
    outputs: [5, 3],
  });
  const interpreter = await Interpreter.load(model);
  const x = new Float32Array(12).map((_, index) => index);
  const [sum, right] = interpreter.run([x, new Int32Array([1])]);
  assert.deepEqual(Array.from(sum, Number), [10, 11, 12, 16, 17, 18]);
  assert.deepEqual(Array.from(right, Number), [3, 4, 5, 9, 10, 11]);
  assert.throws(
    () => interpreter.run([x, new Int32Array([0])]),
    (error) =>
      error instanceof InvokeError &&
      error.message === "operator 1 ADD (version 1): shapes [1,6] and [2,3] do not broadcast",
  );
  assert.deepEqual(Array.from(interpreter.run([x, new Int32Array([-1])])[0], Number), [
    10,
    11,
    12,
    16,
    17,
    18,
  ]);
});

/** WHERE of a bool input, its coordinates assigned to a resource variable, then `more`. */
function assignedCoordinates(more: OperatorSpec[] = []) {
  return buildModel({
    tensors: [
      { name: "condition", dtype: "bool", shape: [4] },
      { name: "coordinates", dtype: "int64", shape: [1, 1] },
      { name: "handle", dtype: "resource", shape: [] },
    ],
    operators: [
      { op: "WHERE", inputs: [0], outputs: [1] },
      {
        op: "VAR_HANDLE",
        inputs: [],
        outputs: [2],
        optionsType: "VarHandleOptions",
        options: { container: "", sharedName: "v" },
      },
      { op: "ASSIGN_VARIABLE", inputs: [2, 1], outputs: [] },
      ...more,
    ],
    inputs: [0],
    outputs: [1],
  });
}

Deno.test("a variable first assigned after a dynamic tensor is refused at invoke, not placed there", async () => {
  const interpreter = await Interpreter.load(assignedCoordinates());
  assert.throws(
    () => interpreter.run([Uint8Array.from([1, 0, 1, 1])]),
    (error) =>
      error instanceof InvokeError &&
      error.message ===
        'operator 2 ASSIGN_VARIABLE (version 1): variable "/v" is first read or assigned after a tensor whose shape is known only at invoke; liteq places variables at load',
  );
});

Deno.test("a CALL_ONCE after an op prepared at invoke is refused at load", async () => {
  const callOnce = {
    op: "CALL_ONCE",
    inputs: [],
    outputs: [],
    optionsType: "CallOnceOptions",
    options: { initSubgraphIndex: 0 },
  };
  await assert.rejects(
    Interpreter.load(assignedCoordinates([callOnce])),
    (error) =>
      error instanceof UnsupportedModelError && !(error instanceof InvokeError) &&
      error.message.startsWith(
        "operator 3 CALL_ONCE (version 1): it follows an operator prepared at invoke",
      ),
  );
});
