/**
 * The quantizer on real models (../shared/realworld): float16-weight files (dense and sparse)
 * widened exactly and quantized in every mode, a dynamic input shape calibrated at the shape
 * given, an infinite clip constant kept, and a model with IF whose control flow stays float.
 */
import assert from "node:assert/strict";
import { Interpreter, type Model, parseNpy, readModel, writeModel } from "../../mod.ts";
import { quantize, quantizeWithReport } from "../../src/quantize/quantize.ts";
import { sqnr } from "../../src/quantize/sqnr.ts";
import { readBytesSync, SHARED, skipWithoutShared } from "../helpers.ts";
import { signatureOf } from "./graph_signature.ts";

function realworld(name: string): Model {
  return readModel(readBytesSync(`${SHARED}/realworld/${name}.tflite`));
}

/** `count` deterministic samples of `size` values uniform in [low, high). */
function uniformSamples(count: number, size: number, low: number, high: number): Float32Array[] {
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return Array.from(
    { length: count },
    () => Float32Array.from({ length: size }, () => low + (high - low) * next()),
  );
}

/** The first output of `model` in liteq on the first shared input, and TensorFlow's for the original. */
async function firstOutput(model: Model, name: string): Promise<[Float32Array, Float32Array]> {
  const inputs = parseNpy(readBytesSync(`${SHARED}/realworld/${name}.inputs.npy`));
  const size = inputs.data.length / inputs.shape[0];
  const interpreter = await Interpreter.load(writeModel(model));
  const [output] = interpreter.run([(inputs.data as Float32Array).subarray(0, size)]);
  const reference = parseNpy(readBytesSync(`${SHARED}/realworld/${name}.ref_outputs.npy`));
  const length = reference.data.length / reference.shape[0];
  return [output as Float32Array, (reference.data as Float32Array).subarray(0, length)];
}

Deno.test("a float16-weight model: f16 gives back the same half weights, every mode runs", async () => {
  if (skipWithoutShared("face_detection_short_range")) return;
  const name = "face_detection_short_range";
  const original = realworld(name);
  const { model, report } = await quantizeWithReport(original, { mode: "float16" });
  assert.match(report.notes[0], /float16 constants widened to float32/);
  const halves = (m: Model) =>
    m.subgraphs[0].tensors.filter((tensor) => tensor.dtype === "float16")
      .map((tensor) =>
        `${tensor.name.replace(/\/dequantized$/, "")}: ${Array.from(tensor.data as Uint16Array)}`
      )
      .sort();
  assert.deepEqual(halves(model), halves(original));
  assert.deepEqual(signatureOf(model).sort(), signatureOf(original).sort());
  // Operator indices in the report are those of the input model (DEQUANTIZEs included).
  const conv = report.quantized.find((entry) => entry.op === "CONV_2D")!;
  assert.equal(original.subgraphs[0].operators[conv.operator].op, "CONV_2D");
  const int8 = await quantize(original, {
    mode: "int8",
    representativeDataset: uniformSamples(4, 128 * 128 * 3, -1, 1),
  });
  for (const [mode, quantized, floor] of [["float16", model, 60], ["int8", int8, 15]] as const) {
    const [ours, reference] = await firstOutput(quantized, name);
    const decibels = sqnr(reference, ours);
    assert.ok(decibels > floor, `${mode}: SQNR ${decibels.toFixed(1)} dB`);
  }
});

Deno.test("sparse float16 weights (DENSIFY) are densified and widened", async () => {
  if (skipWithoutShared("pose_detection")) return;
  const name = "pose_detection";
  const { model, report } = await quantizeWithReport(realworld(name), { mode: "dynamicRange" });
  assert.ok(!model.subgraphs[0].operators.some((operator) => operator.op === "DENSIFY"));
  assert.ok(report.quantized.length > 50);
  const [ours, reference] = await firstOutput(model, name);
  const decibels = sqnr(reference, ours);
  assert.ok(decibels > 15, `SQNR ${decibels.toFixed(1)} dB`);
});

Deno.test("a dynamic input shape calibrates at inputShapes; an infinite clip bound is kept", async () => {
  if (skipWithoutShared("melspectrogram")) return;
  const name = "melspectrogram";
  const float = realworld(name);
  const samples = uniformSamples(4, 1760, -3000, 3000);
  await assert.rejects(
    quantize(float, { mode: "int8", representativeDataset: samples }),
    /its input shape is dynamic/,
  );
  await assert.rejects(
    quantize(float, { mode: "int8", representativeDataset: samples, inputShapes: [[2, 1760, 1]] }),
    /inputShapes\[0\] \[2,1760,1\] does not fit input "serving_default_input:0" of shape \[-1,-1\]/,
  );
  const model = await quantize(float, {
    mode: "int8",
    representativeDataset: samples,
    inputShapes: [[1, 1760]],
  });
  const subgraph = model.subgraphs[0];
  const minimums = subgraph.operators.filter((operator) => operator.op === "MINIMUM");
  assert.equal(minimums.length, 2);
  for (const minimum of minimums) {
    const bound = subgraph.tensors[minimum.inputs[1]];
    // +Inf at the output's parameters: the top of the int8 range, as TensorFlow stores it.
    assert.deepEqual([bound.dtype, Array.from(bound.data as Int8Array)], ["int8", [127]]);
  }
  const input = subgraph.tensors[subgraph.inputs[0]];
  assert.deepEqual(input.shapeSignature, [-1, -1]);
  const interpreter = await Interpreter.load(writeModel(model), { inputShapes: [[1, 1760]] });
  const [output] = interpreter.run([samples[0]]);
  assert.equal(output.length, 8 * 32);
  // float16 keeps the bound infinite (TensorFlow 2.21 would clamp it to 65504, and the spectrum
  // goes beyond): the outputs stay the float model's.
  const half = await quantize(float, { mode: "float16" });
  const bound = half.subgraphs[0].tensors.find((tensor) =>
    tensor.dtype === "float16" && tensor.shape.length === 0 &&
    (tensor.data as Uint16Array)[0] === 0x7c00
  );
  assert.ok(bound, "+Inf stored as half +Inf");
  const inputs = parseNpy(readBytesSync(`${SHARED}/realworld/${name}.inputs.npy`));
  const reference = parseNpy(readBytesSync(`${SHARED}/realworld/${name}.ref_outputs.npy`));
  const [ours] = (await Interpreter.load(writeModel(half), { inputShapes: [[1, 1760]] }))
    .run([(inputs.data as Float32Array).subarray(0, 1760)]);
  const expected = (reference.data as Float32Array).subarray(0, 8 * 32);
  const decibels = sqnr(expected, ours as Float32Array);
  assert.ok(decibels > 40, `float16 SQNR ${decibels.toFixed(1)} dB`);
});

Deno.test("IF and its subgraphs stay float, with the ops that depend on them; the report says so", async () => {
  if (skipWithoutShared("hey_jarvis_v0.1")) return;
  const float = realworld("hey_jarvis_v0.1");
  const { model, report } = await quantizeWithReport(float, {
    mode: "int8",
    representativeDataset: uniformSamples(4, 16 * 96, -1, 1),
  });
  assert.deepEqual(
    report.float.filter((entry) => entry.op === "IF").map((entry) => entry.detail),
    ["control flow: subgraphs 2, 1 stay float"],
  );
  assert.match(report.notes.join("\n"), /subgraphs 1, 2 stay float/);
  const written = readModel(writeModel(model));
  assert.equal(written.subgraphs.length, 3);
  const main = written.subgraphs[0];
  const branch = main.operators.find((operator) => operator.op === "IF")!;
  // The IF reads float32 (and bool) tensors; its subgraphs are untouched.
  assert.ok(
    branch.inputs.every((index) => ["float32", "bool"].includes(main.tensors[index].dtype)),
  );
  assert.equal(main.tensors[main.outputs[0]].dtype, "float32");
  for (const index of [1, 2]) {
    assert.deepEqual(
      signatureOf({ ...written, subgraphs: [written.subgraphs[index]] }),
      signatureOf({ ...float, subgraphs: [float.subgraphs[index]] }),
    );
  }
  assert.ok(
    main.operators.some((operator) =>
      operator.op === "FULLY_CONNECTED" && main.tensors[operator.inputs[1]].dtype === "int8"
    ),
  );
});

Deno.test("auto calibration measures its candidates on a model with control flow (IF)", async () => {
  if (skipWithoutShared("hey_jarvis_v0.1")) return;
  const { report } = await quantizeWithReport(realworld("hey_jarvis_v0.1"), {
    mode: "int8",
    calibration: "auto",
    representativeDataset: uniformSamples(4, 16 * 96, -1, 1),
  });
  const note = report.notes.at(-1)!;
  const match = note.match(
    /^calibration auto: (\S+) kept; mean output SQNR on \d+ calibration samples: (.*)$/,
  );
  assert.ok(match, note);
  const measured = new Map(
    match[2].split(", ").map((entry) => {
      const [label, decibels] = entry.split(" ");
      return [label, Number(decibels)] as const;
    }),
  );
  assert.ok(measured.has("minmax"), note);
  assert.ok(measured.get(match[1])! >= measured.get("minmax")!, note);
});
