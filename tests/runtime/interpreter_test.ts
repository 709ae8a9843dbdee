/** The interpreter's API: sources, details, inputs by name, signatures, and load-time errors. */
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { ModelFormatError, readModel } from "../../mod.ts";
import { Interpreter, UnsupportedModelError } from "../../mod.ts";
import { relaxedSimdWorks } from "../../src/runtime/wasm.ts";
import { writeModel } from "../../src/format/writer.ts";
import { FIXTURES, modelsIn, readBytesSync } from "../helpers.ts";
import type { Model } from "../../src/format/ir.ts";
import { buildModel, type OperatorSpec } from "./model_builder.ts";

const SEED_F16 = `${FIXTURES}/models/seed_mnist.f16.tflite`;
const ROBUSTNESS = `${FIXTURES}/robustness`;

Deno.test("loads from a path, a file URL, bytes, an ArrayBuffer and a parsed Model alike", async () => {
  const bytes = readBytesSync(SEED_F16);
  const sources = [
    SEED_F16,
    pathToFileURL(SEED_F16),
    pathToFileURL(SEED_F16).href,
    bytes,
    bytes.slice().buffer,
    readModel(bytes),
  ];
  const input = Float32Array.from({ length: 784 }, (_, index) => (index % 29) / 29);
  const results = [];
  for (const source of sources) {
    const interpreter = await Interpreter.load(source);
    results.push(Array.from(interpreter.run([input])[0] as Float32Array));
  }
  for (const result of results) assert.deepEqual(result, results[0]);
});

Deno.test("input and output details: name, shape, signature, dtype, quantization", async () => {
  const float = await Interpreter.load(SEED_F16);
  const [input] = float.inputDetails();
  assert.equal(input.dtype, "float32");
  assert.deepEqual(input.shape, [1, 28, 28]);
  assert.deepEqual(input.shapeSignature, [-1, 28, 28]);
  assert.equal(input.quantization, null);
  const [output] = float.outputDetails();
  assert.deepEqual(output.shape, [1, 10]);
});

Deno.test("setInput by name, invoke twice, output by name; inputs are kept across invokes", async () => {
  const interpreter = await Interpreter.load(SEED_F16);
  const [input] = interpreter.inputDetails();
  const [output] = interpreter.outputDetails();
  interpreter.setInput(input.name, new Float32Array(784).fill(0.5));
  interpreter.invoke();
  const first = interpreter.output(output.name);
  interpreter.invoke();
  assert.deepEqual(interpreter.output(0), first);
  interpreter.setInput(0, Array.from({ length: 784 }, () => 0.5));
  interpreter.invoke();
  assert.deepEqual(interpreter.output(0), first, "plain numbers are accepted");
});

Deno.test("the batch dimension can be set at load", async () => {
  const single = await Interpreter.load(SEED_F16);
  const batched = await Interpreter.load(SEED_F16, { inputShapes: [[3, 28, 28]] });
  assert.deepEqual(batched.outputDetails()[0].shape, [3, 10]);
  const samples = Array.from(
    { length: 3 },
    (_, sample) =>
      Float32Array.from({ length: 784 }, (_, index) => ((index * (sample + 3)) % 17) / 17),
  );
  const joined = new Float32Array(3 * 784);
  samples.forEach((sample, position) => joined.set(sample, position * 784));
  const all = batched.run([joined])[0] as Float32Array;
  samples.forEach((sample, position) => {
    const [one] = single.run([sample]);
    const part = Array.from(all.subarray(position * 10, position * 10 + 10));
    part.forEach((value, index) => assert.ok(Math.abs(value - Number(one[index])) < 1e-6));
  });
});

Deno.test("wrong inputs are refused with the reason", async () => {
  const interpreter = await Interpreter.load(SEED_F16);
  assert.throws(() => interpreter.setInput(0, new Float32Array(10)), /takes 784 values/);
  assert.throws(() => interpreter.setInput("nope", new Float32Array(784)), /no input "nope"/);
  assert.throws(() => interpreter.output(3), /no output 3/);
  assert.throws(() => interpreter.run([]), /takes 1 inputs, got 0/);
});

Deno.test("signature runners run each entry point by its names", async () => {
  const interpreter = await Interpreter.load(`${ROBUSTNESS}/multi_signatures.tflite`);
  assert.deepEqual(interpreter.signatures().map((signature) => signature.key), ["add", "sub"]);
  const add = interpreter.signatureRunner("add");
  const sub = interpreter.signatureRunner("sub");
  const added = add.run({ x: Float32Array.of(2) }).output_0[0];
  const subtracted = sub.run({ x: Float32Array.of(2) }).output_0[0];
  assert.equal(added, 4);
  assert.equal(subtracted, -1);
  assert.notEqual(added, subtracted);
  assert.throws(() => interpreter.signatureRunner("mul"), /no signature "mul"/);
  assert.throws(() => add.run({}), /signature input "x" is missing/);

  const reversed = await Interpreter.load(`${ROBUSTNESS}/reverse_signature_model.tflite`);
  const runner = reversed.signatureRunner();
  const x = Float32Array.from({ length: 8 }, (_, index) => index);
  const y = Float32Array.from({ length: 8 }, (_, index) => 10 - index);
  const outputs = runner.run({ x, y });
  const sum = Array.from(outputs.sum as Float32Array);
  const prod = Array.from(outputs.prod as Float32Array);
  assert.deepEqual(sum, Array.from(x, (value, index) => value + y[index]));
  assert.deepEqual(prod, Array.from(x, (value, index) => value * y[index]));
});

/** The float32 [1, n] tensors and ADD of `x + constant` (subgraph 0 of the models below). */
function addConstant(n: number, value: number): Model {
  return buildModel({
    tensors: [
      { dtype: "float32", shape: [1, n] },
      { dtype: "float32", shape: [1, n], data: new Float32Array(n).fill(value) },
      { dtype: "float32", shape: [1, n] },
    ],
    operators: [{
      op: "ADD",
      inputs: [0, 1],
      outputs: [2],
      optionsType: "AddOptions",
      options: {},
    }],
    inputs: [0],
    outputs: [2],
  });
}

/** The operators that set the resource variable "v" to input tensor `value` (handle: `handle`). */
function assignV(handle: number, value: number): OperatorSpec[] {
  return [
    {
      op: "VAR_HANDLE",
      inputs: [],
      outputs: [handle],
      optionsType: "VarHandleOptions",
      options: { container: "", sharedName: "v" },
    },
    { op: "ASSIGN_VARIABLE", inputs: [handle, value], outputs: [] },
  ];
}

/**
 * `main` with the main subgraphs of `entries` appended, each the subgraph of a signature named
 * `key` whose input "x" and output "y" are its first input and output.
 */
function withSignatures(main: Model, entries: [string, Model][]): Model {
  const model = { ...main, subgraphs: [...main.subgraphs], buffers: [...main.buffers] };
  const signatures = entries.map(([key, entry]) => {
    const shift = model.buffers.length - 1;
    const [subgraph] = entry.subgraphs;
    model.subgraphs.push({
      ...subgraph,
      tensors: subgraph.tensors.map((tensor) => ({
        ...tensor,
        buffer: tensor.buffer === 0 ? 0 : tensor.buffer + shift,
      })),
    });
    model.buffers.push(...entry.buffers.slice(1));
    return {
      key,
      subgraphIndex: model.subgraphs.length - 1,
      inputs: [{ name: "x", tensorIndex: subgraph.inputs[0] }],
      outputs: [{ name: "y", tensorIndex: subgraph.outputs[0] }],
    };
  });
  return { ...model, signatures };
}

Deno.test("a signature that fails to prepare gives back its memory and its variables' places", async () => {
  // "bad" sets the variable v to a float32 [1, 4], adds a large constant, then fails at prepare
  // on a FULLY_CONNECTED whose weights do not fit its rows; "good" sets v to an int32 [2] and
  // reads it back, which it can only if v's type fixed by "bad" was forgotten with it.
  const bad = buildModel({
    tensors: [
      { dtype: "float32", shape: [1, 4] },
      { dtype: "resource", shape: [] },
      { dtype: "float32", shape: [1, 65536] },
      { dtype: "float32", shape: [1, 65536], data: new Float32Array(65536).fill(1) },
      { dtype: "float32", shape: [1, 65536] },
      { dtype: "float32", shape: [3, 5], data: new Float32Array(15) },
      { dtype: "float32", shape: [1, 3] },
    ],
    operators: [
      ...assignV(1, 0),
      { op: "ADD", inputs: [2, 3], outputs: [4], optionsType: "AddOptions", options: {} },
      {
        op: "FULLY_CONNECTED",
        inputs: [4, 5, -1],
        outputs: [6],
        optionsType: "FullyConnectedOptions",
        options: {},
      },
    ],
    inputs: [0, 2],
    outputs: [6],
  });
  const good = buildModel({
    tensors: [
      { dtype: "int32", shape: [2] },
      { dtype: "int32", shape: [2] },
      { dtype: "resource", shape: [] },
    ],
    operators: [...assignV(2, 0), { op: "READ_VARIABLE", inputs: [2], outputs: [1] }],
    inputs: [0],
    outputs: [1],
  });
  const model = withSignatures(addConstant(4, 1), [["bad", bad], ["good", good]]);
  const interpreter = await Interpreter.load(writeModel(model));
  const before = interpreter.memoryBytes;
  for (let attempt = 0; attempt < 2; attempt++) {
    assert.throws(
      () => interpreter.signatureRunner("bad"),
      (error) => error instanceof UnsupportedModelError && /FULLY_CONNECTED/.test(error.message),
    );
    assert.equal(interpreter.memoryBytes, before);
  }
  const read = interpreter.signatureRunner("good").run({ x: Int32Array.of(7, -3) }).y;
  assert.deepEqual(Array.from(read as Int32Array), [7, -3]);
  const [sum] = interpreter.run([Float32Array.of(1, 2, 3, 4)]) as Float32Array[];
  assert.deepEqual(Array.from(sum), [2, 3, 4, 5]);
});

Deno.test("what cannot run is reported at load, naming the op, version or dtype", async () => {
  await assert.rejects(
    Interpreter.load(`${ROBUSTNESS}/custom_sinh.tflite`),
    (error) => error instanceof UnsupportedModelError && /no kernel for Sinh/.test(error.message),
  );
  await assert.rejects(
    Interpreter.load(`${ROBUSTNESS}/tensor_string_data_type.tflite`),
    (error) =>
      error instanceof UnsupportedModelError &&
      /^operator 0 ADD \(version 1\): tensor 0 "a" holds strings; liteq runs string tensors through RESHAPE, .* only$/
        .test(error.message),
  );
});

Deno.test("every robustness model loads and runs, or fails at load with a clear error", async () => {
  for (const [name, path] of modelsIn(ROBUSTNESS)) {
    if (name === "conv_huge_im2col.tflite") continue; // 4032x3024 images: memory, not behaviour
    try {
      const interpreter = await Interpreter.load(path);
      const inputs = interpreter.inputDetails().map((detail) =>
        new Float32Array(detail.shape.reduce((product, size) => product * size, 1)).fill(0.25)
      );
      if (interpreter.inputDetails().every((detail) => detail.dtype === "float32")) {
        interpreter.run(inputs);
      }
    } catch (error) {
      assert.ok(
        error instanceof UnsupportedModelError || error instanceof ModelFormatError ||
          (error instanceof RangeError && /no subgraphs/.test(error.message)),
        `${name}: ${error}`,
      );
    }
  }
});

Deno.test("auto takes relaxed-exact where relaxed SIMD works: plain SIMD's float results, the int8 dot", async () => {
  const works = await relaxedSimdWorks();
  const expected = works ? "relaxed-exact" : "simd";
  const auto = await Interpreter.load(SEED_F16);
  assert.equal(auto.kernelVariant, expected);
  const integer = await Interpreter.load(`${FIXTURES}/models/seed_mnist.int8.tflite`);
  assert.equal(integer.kernelVariant, expected);
  if (!works) {
    console.log("relaxed SIMD does not work on this engine: not compared");
    return;
  }
  const input = Float32Array.from({ length: 784 }, (_, index) => (index % 13) / 13);
  const plain = await Interpreter.load(SEED_F16, { kernels: "simd" });
  const relaxed = await Interpreter.load(SEED_F16, { kernels: "relaxed" });
  assert.equal(relaxed.kernelVariant, "relaxed");
  const [unfused] = auto.run([input]) as Float32Array[];
  assert.deepEqual(unfused, plain.run([input])[0]);
  const [fused] = relaxed.run([input]) as Float32Array[];
  fused.forEach((value, index) => assert.ok(Math.abs(value - unfused[index]) < 1e-5));
});
