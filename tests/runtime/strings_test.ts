/**
 * String tensors (TFLite's `kTfLiteString`): TensorFlow Lite's own string models and liteq's string
 * fixtures against TensorFlow 2.21's outputs (`tests/fixtures/strings/reference.json`, made by
 * `tools/make_string_fixtures.py`); strings in and out through the API; string constants checked
 * at load; ops without a string path refused at load; the quantizer and the CLI on string models.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import {
  encodeNpy,
  Interpreter,
  InvokeError,
  ModelFormatError,
  type OutputValues,
  quantize,
  QuantizeError,
  readModel,
  UnsupportedModelError,
  writeModel,
} from "../../mod.ts";
import { assertOneLineError, liteq } from "../cli/cli_harness.ts";
import { assertClose } from "./compare.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";
import { buildModel } from "./model_builder.ts";
import { encodeStringBuffer } from "../../src/format/string_buffer.ts";

const STRINGS = `${FIXTURES}/strings`;
const ROBUSTNESS = `${FIXTURES}/robustness`;

/** A value as the reference file writes it: dtype, shape, and the values as text or numbers. */
interface Value {
  dtype: string;
  shape: number[];
  values: (string | number | boolean)[];
}

/** One TensorFlow run: inputs, and outputs (each, or the run, an error where TensorFlow failed). */
interface Run {
  inputs: Value[] | Record<string, Value>;
  outputs?: (Value | { error: string })[] | Record<string, Value>;
  error?: string;
}

const REFERENCE: Record<string, Run[]> = JSON.parse(
  new TextDecoder().decode(readBytesSync(`${STRINGS}/reference.json`)),
);

/** A reference value as the interpreter takes it. */
function input(value: Value): string[] | Float32Array | Int32Array | Uint8Array {
  if (value.dtype === "string") return value.values as string[];
  if (value.dtype === "bool") return Uint8Array.from(value.values as boolean[], Number);
  if (value.dtype === "float32") return Float32Array.from(value.values as number[]);
  return Int32Array.from(value.values as number[]);
}

/**
 * Asserts an output equals a reference value: exactly (strings as text, bools as 0 and 1), float32
 * values within `1e-4 * max(1, |reference|)`.
 */
function assertEqualValue(actual: OutputValues, expected: Value, what: string): void {
  if (expected.dtype === "float32") {
    return assertClose(actual, Float32Array.from(expected.values as number[]), what);
  }
  assert.deepEqual(
    Array.from(actual as ArrayLike<unknown>),
    expected.values.map((value) => typeof value === "boolean" ? Number(value) : value),
    what,
  );
}

for (
  const name of [
    "string_ops.tflite",
    "string_movement.tflite",
    "string_labels.tflite",
    "string_if.tflite",
    "string_where.tflite",
    "string_input_model.tflite",
  ]
) {
  Deno.test(`${name} gives TensorFlow's outputs`, async () => {
    const folder = name.startsWith("string_input") ? ROBUSTNESS : STRINGS;
    const interpreter = await Interpreter.load(`${folder}/${name}`);
    for (const [number, run] of REFERENCE[name].entries()) {
      const outputs = interpreter.run((run.inputs as Value[]).map(input));
      (run.outputs as Value[]).forEach((expected, position) => {
        assert.deepEqual(interpreter.outputDetails()[position].dtype, expected.dtype);
        assert.deepEqual(interpreter.outputDetails()[position].shape, expected.shape);
        assertEqualValue(outputs[position], expected, `run ${number} output ${position}`);
      });
    }
  });
}

Deno.test("a string output computed at invoke has no values before, and TensorFlow's after", async () => {
  // string_where: WHERE of x > 0, GATHER_ND of a string constant at those coordinates, then
  // EQUAL and RESHAPE of the picked labels, all prepared at invoke.
  const interpreter = await Interpreter.load(`${STRINGS}/string_where.tflite`);
  for (const read of [() => interpreter.output(2), () => interpreter.outputStringBytes(2)]) {
    assert.throws(read, /"Identity_2" has no values yet: its shape is known only at invoke/);
  }
  const runs = REFERENCE["string_where.tflite"];
  const footprint = () =>
    [...runs.entries()].toReversed().map(([number, run]) => {
      interpreter.run((run.inputs as Value[]).map(input));
      const [, , picked] = run.outputs as Value[];
      assert.deepEqual(
        interpreter.outputStringBytes(2),
        picked.values.map((value) => new TextEncoder().encode(value as string)),
        `run ${number}`,
      );
      return interpreter.memoryBytes;
    });
  // The memory placed at invoke is given back when the shapes change: the same each round.
  const first = footprint();
  assert.deepEqual(footprint(), first);
});

Deno.test("a signature prepared after an invoke leaves the string outputs computed at invoke unplaced", async () => {
  // string_signatures: pick (subgraph 0, as string_where) and scale (x * 2), prepared later.
  const interpreter = await Interpreter.load(`${STRINGS}/string_signatures.tflite`);
  const runs = REFERENCE["string_signatures.tflite"];
  const pick = interpreter.signatureRunner("pick");
  const picked = (number: number) => {
    const run = runs[number];
    const outputs = pick.run({ x: input((run.inputs as Record<string, Value>).x) });
    for (const [name, expected] of Object.entries(run.outputs as Record<string, Value>)) {
      assertEqualValue(outputs[name], expected, `run ${number} ${name}`);
      assertEqualValue(pick.output(name), expected, `run ${number} ${name} by name`);
    }
  };
  picked(0);
  const scale = interpreter.signatureRunner("scale");
  for (const name of ["picked", "column", "is_two"]) {
    assert.throws(() => pick.output(name), /has no values yet/, name);
  }
  assert.throws(() => pick.outputStringBytes("picked"), /has no values yet/);
  const scaled = runs[3];
  assertEqualValue(
    scale.run({ x: input((scaled.inputs as Record<string, Value>).x) }).scaled,
    (scaled.outputs as Record<string, Value>).scaled,
    "scaled",
  );
  for (const number of [1, 2, 0]) picked(number);
});

Deno.test("while_op_with_forwarding_input forwards its string through the WHILE", async () => {
  // TensorFlow 2.21 gives the int32 outputs; it reads the forwarded string output back only when
  // the loop does not run (after an iteration its get_tensor fails: "Invalid tensor size."). The
  // body passes that variable through unchanged, so its value is the input's whatever the count:
  // liteq gives it every time.
  const interpreter = await Interpreter.load(`${ROBUSTNESS}/while_op_with_forwarding_input.tflite`);
  assert.deepEqual(interpreter.inputDetails().map((detail) => detail.dtype), ["int32", "string"]);
  assert.deepEqual(interpreter.outputDetails().map((detail) => detail.dtype), [
    "int32",
    "int32",
    "string",
  ]);
  for (const run of REFERENCE["while_op_with_forwarding_input.tflite"]) {
    const inputs = run.inputs as Value[];
    const outputs = interpreter.run(inputs.map(input));
    const expected = run.outputs as (Value | { error: string })[];
    assertEqualValue(outputs[0], expected[0] as Value, "output 0");
    assertEqualValue(outputs[1], expected[1] as Value, "output 1");
    if ("error" in expected[2]) assert.equal(expected[2].error, "Invalid tensor size.");
    else assertEqualValue(outputs[2], expected[2], "output 2");
    assert.deepEqual(outputs[2], inputs[1].values);
  }
});

Deno.test("string_input_model_with_signature runs by signature, resized as TensorFlow does", async () => {
  const [run] = REFERENCE["string_input_model_with_signature.tflite"];
  const { a } = run.inputs as Record<string, Value>;
  const interpreter = await Interpreter.load(
    `${ROBUSTNESS}/string_input_model_with_signature.tflite`,
    { inputShapes: [a.shape] },
  );
  const runner = interpreter.signatureRunner("serving_default");
  assert.deepEqual(runner.inputDetails()[0].dtype, "string");
  assert.deepEqual(runner.inputDetails()[0].shapeSignature, [-1, 3]);
  const outputs = runner.run({ a: a.values as string[] });
  const expected = (run.outputs as Record<string, Value>).output_0;
  assertEqualValue(outputs.output_0, expected, "output_0");
  assertEqualValue(runner.output("output_0", "string"), expected, "output_0 by name");
  assert.deepEqual(runner.outputStringBytes("output_0")[5], new TextEncoder().encode("ü"));
});

Deno.test("tensor_string_data_type's ADD on strings is refused at load, as TensorFlow fails it", async () => {
  const [run] = REFERENCE["tensor_string_data_type.tflite"];
  assert.match(run.error!, /Type STRING is unsupported by op Add/);
  await assert.rejects(
    Interpreter.load(`${ROBUSTNESS}/tensor_string_data_type.tflite`),
    (error) =>
      error instanceof UnsupportedModelError &&
      error.message.startsWith(
        'operator 0 ADD (version 1): tensor 0 "a" holds strings; liteq runs string tensors through',
      ),
  );
});

Deno.test("an op without a string path is refused at load, even where it would be prepared at invoke", async () => {
  // WHERE of a bool input picks labels (GATHER_ND of a string constant), which CONCATENATION,
  // prepared at invoke, cannot take; SPLIT on an axis given at run time cannot take strings
  // either (TensorFlow's converter leaves both to TF Select).
  const labels = encodeStringBuffer(
    ["a", "b", "c", "d"].map((text) => new TextEncoder().encode(text)),
  );
  const picked = buildModel({
    tensors: [
      { name: "condition", dtype: "bool", shape: [4] },
      { name: "coordinates", dtype: "int64", shape: [1, 1] },
      { name: "labels", dtype: "string", shape: [4], data: labels },
      { name: "picked", dtype: "string", shape: [1] },
      { name: "twice", dtype: "string", shape: [2] },
    ],
    operators: [
      { op: "WHERE", inputs: [0], outputs: [1] },
      { op: "GATHER_ND", inputs: [2, 1], outputs: [3] },
      {
        op: "CONCATENATION",
        inputs: [3, 3],
        outputs: [4],
        optionsType: "ConcatenationOptions",
        options: { axis: 0, fusedActivationFunction: "NONE" },
      },
    ],
    inputs: [0],
    outputs: [4],
  });
  const split = buildModel({
    tensors: [
      { name: "axis", dtype: "int32", shape: [] },
      { name: "words", dtype: "string", shape: [2, 2] },
      { name: "left", dtype: "string", shape: [2, 1] },
      { name: "right", dtype: "string", shape: [2, 1] },
    ],
    operators: [{
      op: "SPLIT",
      inputs: [0, 1],
      outputs: [2, 3],
      optionsType: "SplitOptions",
      options: { numSplits: 2 },
    }],
    inputs: [0, 1],
    outputs: [2, 3],
  });
  for (
    const [model, refused] of [
      [picked, 'operator 2 CONCATENATION (version 1): tensor 3 "picked" holds strings'],
      [split, 'operator 0 SPLIT (version 1): tensor 1 "words" holds strings'],
    ] as const
  ) {
    await assert.rejects(
      Interpreter.load(model),
      (error) =>
        error instanceof UnsupportedModelError && !(error instanceof InvokeError) &&
        error.message.startsWith(refused),
    );
  }
});

Deno.test("strings go in as text or bytes and come out as text or bytes", async () => {
  const interpreter = await Interpreter.load(`${ROBUSTNESS}/string_input_model.tflite`);
  assert.equal(interpreter.inputDetails()[0].dtype, "string");
  // Before any input is set, a string tensor holds empty strings.
  interpreter.invoke();
  assert.deepEqual(interpreter.output(0), ["", "", ""]);
  const bytes = Uint8Array.of(0xff, 0x00, 0x41);
  interpreter.setInput(0, ["日本", bytes, ""]);
  bytes[0] = 0; // the interpreter took a copy
  interpreter.invoke();
  const text: string[] = interpreter.output(0, "string");
  assert.deepEqual(text, ["日本", "\ufffd\u0000A", ""]);
  const raw = interpreter.outputStringBytes("Identity");
  assert.deepEqual(raw[1], Uint8Array.of(0xff, 0x00, 0x41));
  raw[1][0] = 1; // a copy: the next read is unchanged
  assert.deepEqual(interpreter.outputStringBytes(0)[1], Uint8Array.of(0xff, 0x00, 0x41));
  assert.throws(() => interpreter.output(0, "float32"), TypeError);
});

Deno.test("a string input refuses numbers, and a numeric input refuses strings", async () => {
  const interpreter = await Interpreter.load(`${STRINGS}/string_ops.tflite`);
  assert.throws(
    () => interpreter.setInput(0, new Float32Array(4)),
    (error) =>
      error instanceof TypeError &&
      error.message ===
        'input "words" holds strings; give them as strings or Uint8Arrays, not a Float32Array',
  );
  assert.throws(
    () => interpreter.setInput(0, ["a", "b", 3, "d"] as never),
    /input "words" holds strings; value 2 is number, not a string or Uint8Array/,
  );
  assert.throws(() => interpreter.setInput(0, ["a"]), RangeError);
  assert.throws(
    () => interpreter.setInput(1, ["1", "2", "3"]),
    /input "index" is int32; value 0 is a string \(strings go to string tensors\)/,
  );
  assert.throws(() => interpreter.outputStringBytes(1), /output "Identity_1" is bool, not string/);
});

Deno.test("a string constant is checked at load, naming the tensor", async () => {
  const model = readModel(readBytesSync(`${STRINGS}/string_ops.tflite`));
  const tensors = model.subgraphs[0].tensors;
  const index = tensors.findIndex((tensor) => tensor.dtype === "string" && tensor.data !== null);
  const bytes = new Uint8Array(tensors[index].data as Uint8Array);
  new DataView(bytes.buffer).setInt32(0, 7, true); // a count the shape does not have
  tensors[index].data = bytes;
  await assert.rejects(
    Interpreter.load(model),
    (error) =>
      error instanceof ModelFormatError &&
      error.message ===
        `tensor ${index} "${
          tensors[index].name
        }": the string buffer holds 7 strings; the shape has ${
          tensors[index].shape.reduce((product, size) => product * size, 1)
        }`,
  );
});

Deno.test("the quantizer leaves string tensors alone; calibration refuses string inputs", async () => {
  const model = readModel(readBytesSync(`${STRINGS}/string_ops.tflite`));
  const [run] = REFERENCE["string_ops.tflite"];
  for (const mode of ["float16", "dynamicRange"] as const) {
    const interpreter = await Interpreter.load(writeModel(await quantize(model, { mode })));
    const outputs = interpreter.run((run.inputs as Value[]).map(input));
    (run.outputs as Value[]).forEach((expected, position) => {
      assertEqualValue(outputs[position], expected, `${mode} output ${position}`);
    });
  }
  // A float layer whose best class names a label from a string constant: every mode quantizes the
  // layer and keeps the labels, and the label is TensorFlow's.
  const labels = readModel(readBytesSync(`${STRINGS}/string_labels.tflite`));
  const [labelled] = REFERENCE["string_labels.tflite"];
  const x = input((labelled.inputs as Value[])[0]) as Float32Array;
  const [label] = (labelled.outputs as Value[])[0].values;
  for (const mode of ["float16", "dynamicRange", "int8", "int16x8"] as const) {
    const options = mode.startsWith("int")
      ? { mode, representativeDataset: [x, x.map((value) => -value)] }
      : { mode };
    const quantized = await quantize(labels, options as Parameters<typeof quantize>[1]);
    const strings = quantized.subgraphs[0].tensors.filter((tensor) => tensor.dtype === "string");
    assert.deepEqual(strings.map((tensor) => tensor.name), ["Const", "Identity"], mode);
    const interpreter = await Interpreter.load(writeModel(quantized));
    assert.deepEqual(interpreter.run([x])[0], [label], mode);
  }
  await assert.rejects(
    quantize(model, { mode: "int8", representativeDataset: [[new Float32Array(4)]] }),
    (error) => error instanceof QuantizeError && /input "words" is string/.test(error.message),
  );
});

Deno.test("liteq run refuses string inputs in one line: .npy samples cannot give them", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-strings-`);
  writeFileSync(
    `${folder}/x.npy`,
    encodeNpy({ dtype: "float32", shape: [1, 1, 3], data: new Float32Array(3) }),
  );
  const result = await liteq(
    "run",
    `${ROBUSTNESS}/string_input_model.tflite`,
    "--input",
    `${folder}/x.npy`,
    "--output",
    `${folder}/y.npy`,
  );
  assertOneLineError(
    result,
    /x\.npy: input "input_52" holds strings, which \.npy samples cannot give; set it through the API/,
  );
});
