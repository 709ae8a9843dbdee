/**
 * The quantizer against TensorFlow's own conversions of the same float models (fixtures): the
 * same op graph and dtypes, the same weights, activation parameters within 1% after calibrating
 * on the same 100 images, sizes within TensorFlow's; and every refusal with its reason.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type Model, parseNpy, readModel, writeModel } from "../../mod.ts";
import { Interpreter, runSamples } from "../../mod.ts";
import { quantize, quantizeWithReport } from "../../src/quantize/quantize.ts";
import { QuantizeError } from "../../src/quantize/errors.ts";
import type { QuantizeOptions } from "../../src/quantize/options.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";
import { assertClose } from "../runtime/compare.ts";
import { signatureOf } from "./graph_signature.ts";
import { CALIBRATION, MNIST } from "./mnist_samples.ts";

const MANIFEST = JSON.parse(readFileSync(`${FIXTURES}/data/manifest.tf.json`, "utf8"));

function fixture(name: string): Model {
  return readModel(readBytesSync(`${FIXTURES}/models/${name}.tflite`));
}

/** Op, output name, scale and zero point of every integer op output, in operator order. */
function activationParams(model: Model): [string, string, number, number][] {
  const subgraph = model.subgraphs[0];
  return subgraph.operators.flatMap((operator) =>
    operator.outputs.flatMap((index): [string, string, number, number][] => {
      const tensor = subgraph.tensors[index];
      if (!tensor.quantization || tensor.dtype === "int32") return [];
      const { scale, zeroPoint } = tensor.quantization;
      return [[operator.op, tensor.name, scale[0], zeroPoint[0]]];
    })
  );
}

/**
 * liteq's file is at most `fraction` larger than TensorFlow's, and not so much smaller (15%: the
 * writer shares equal shapes, scales and zero points, and 16x8 files leave out TensorFlow's
 * min/max) that something must be missing.
 */
function assertSize(model: Model, name: string, variant: string, fraction: number): void {
  const bytes = writeModel(model).byteLength;
  const theirs = MANIFEST[name].variants[variant].bytes;
  assert.ok(
    bytes <= theirs * (1 + fraction) && bytes >= theirs * 0.85,
    `${name} ${variant}: ${bytes} bytes, TensorFlow ${theirs}`,
  );
}

for (const name of ["seed_mnist", "seed_cifar_arch", "mobile_mnist"]) {
  Deno.test(`${name} float16: TensorFlow's graph, size within 1%, same outputs`, async () => {
    const model = await quantize(fixture(`${name}.float`), { mode: "float16" });
    const theirs = fixture(`${name}.f16`);
    assert.deepEqual(signatureOf(model).sort(), signatureOf(theirs).sort());
    assertSize(model, name, "f16", 0.01);
    const inputs = parseNpy(readBytesSync(`${FIXTURES}/reference/${name}.inputs.npy`));
    const [outputs] = runSamples(await Interpreter.load(writeModel(model)), [inputs]);
    const expected = parseNpy(readBytesSync(`${FIXTURES}/reference/${name}.f16.ref_outputs.npy`));
    assertClose(outputs.data, expected.data, `${name} float16 outputs`);
  });

  Deno.test(`${name} dynamic range: TensorFlow's int8 weights, scales, versions; size within 2%`, async () => {
    const model = await quantize(fixture(`${name}.float`), { mode: "dynamicRange" });
    const theirs = fixture(`${name}.dynamic`);
    assert.deepEqual(signatureOf(model), signatureOf(theirs));
    const weightsOf = (m: Model) =>
      m.subgraphs[0].tensors.filter((tensor) => tensor.dtype === "int8");
    const ours = weightsOf(model);
    const tf = weightsOf(theirs);
    assert.equal(ours.length, tf.length);
    for (const tensor of ours) {
      const match = tf.find((candidate) => candidate.name === tensor.name)!;
      assert.ok(match, `TensorFlow has int8 "${tensor.name}"`);
      assertClose(
        Float64Array.from(tensor.quantization!.scale),
        Float64Array.from(match.quantization!.scale),
        "scales",
        1e-6,
      );
      const differing = (tensor.data as Int8Array).filter((value, index) =>
        value !== (match.data as Int8Array)[index]
      );
      assert.equal(differing.length, 0, `${tensor.name}: ${differing.length} weights differ`);
    }
    // Hybrid ops: TensorFlow's version and options.
    const hybrid = (m: Model) =>
      m.subgraphs[0].operators
        .filter((operator) => m.subgraphs[0].tensors[operator.inputs[1]]?.dtype === "int8")
        .map((operator) =>
          `${operator.op} v${operator.version} ${operator.options?.asymmetricQuantizeInputs ?? ""}`
        );
    assert.deepEqual(hybrid(model), hybrid(theirs));
    assertSize(model, name, "dynamic", 0.02);
  });
}

for (
  const [name, mode, variant, io] of [
    ["seed_mnist", "int8", "int8", "float32"],
    ["seed_mnist", "int8", "int8_int8io", "int8"],
    ["seed_mnist", "int8", "int8_uint8io", "uint8"],
    ["seed_mnist", "int16x8", "int16x8", "float32"],
    ["seed_cifar_arch", "int8", "int8", "float32"],
    ["seed_cifar_arch", "int8", "int8_uint8io", "uint8"],
    ["seed_cifar_arch", "int16x8", "int16x8", "float32"],
    ["mobile_mnist", "int8", "int8", "float32"],
    ["mobile_mnist", "int8", "int8_int8io", "int8"],
    ["mobile_mnist", "int16x8", "int16x8", "float32"],
  ] as const
) {
  Deno.test(`${name} ${variant}: TensorFlow's graph and activation parameters within 1%`, async () => {
    const options: QuantizeOptions = {
      mode,
      representativeDataset: CALIBRATION[name],
      ...(mode === "int8" ? { inputType: io, outputType: io } : {}),
    };
    const { model, report } = await quantizeWithReport(fixture(`${name}.float`), options);
    assert.equal(report.samples, 100);
    assert.deepEqual(report.float, []);
    const theirs = fixture(`${name}.${variant}`);
    assert.deepEqual(signatureOf(model), signatureOf(theirs));
    const ours = activationParams(model);
    const tf = activationParams(theirs);
    assert.equal(ours.length, tf.length);
    ours.forEach(([op, , scale, zeroPoint], index) => {
      const [, , tfScale, tfZeroPoint] = tf[index];
      assert.ok(
        Math.abs(scale / tfScale - 1) <= 0.01,
        `${op} #${index}: scale ${scale}, TensorFlow ${tfScale}`,
      );
      assert.ok(
        Math.abs(zeroPoint - tfZeroPoint) <= Math.max(1, Math.abs(tfZeroPoint) * 0.01),
        `${op} #${index}: zero point ${zeroPoint}, TensorFlow ${tfZeroPoint}`,
      );
    });
    assertSize(model, name, variant, 0.03);
    // liteq runs the file it wrote, and its top-1 answers are those of TensorFlow's conversion.
    const inputs = parseNpy(readBytesSync(`${FIXTURES}/reference/${name}.inputs.npy`));
    const [outputs] = runSamples(await Interpreter.load(writeModel(model)), [inputs]);
    const reference = parseNpy(
      readBytesSync(`${FIXTURES}/reference/${name}.${variant}.ref_outputs.npy`),
    );
    const classes = reference.shape[1];
    const top = (data: ArrayLike<number | bigint>, sample: number) => {
      const row = Array.from({ length: classes }, (_, c) => Number(data[sample * classes + c]));
      return row.indexOf(Math.max(...row));
    };
    const samples = reference.shape[0];
    let agreeing = 0;
    for (let sample = 0; sample < samples; sample++) {
      if (top(outputs.data, sample) === top(reference.data, sample)) agreeing++;
    }
    assert.ok(agreeing >= samples - 1, `top-1 agrees in ${agreeing} of ${samples} samples`);
  });
}

Deno.test("TensorFlow's less obvious rules: in-place inputs, requantized concatenation inputs", async () => {
  // tools/make_quantizer_rules_fixture.py says what the model holds.
  const calibration = parseNpy(readBytesSync(`${FIXTURES}/quantizer_rules/rules.calibration.npy`));
  const size = 4 * 4 * 3;
  const samples = Array.from(
    { length: calibration.shape[0] },
    (_, index) => (calibration.data as Float32Array).slice(index * size, (index + 1) * size),
  );
  const model = await quantize(
    readModel(readBytesSync(`${FIXTURES}/quantizer_rules/rules.float.tflite`)),
    { mode: "int8", representativeDataset: samples },
  );
  const theirs = readModel(readBytesSync(`${FIXTURES}/quantizer_rules/rules.int8.tflite`));
  assert.deepEqual(signatureOf(model), signatureOf(theirs));
  const ours = activationParams(model);
  activationParams(theirs).forEach(([op, name, scale, zeroPoint], index) => {
    assert.equal(ours[index][0], op);
    assert.ok(Math.abs(ours[index][2] / scale - 1) <= 1e-3, `${name}: ${ours[index]}, TF ${scale}`);
    assert.ok(
      Math.abs(ours[index][3] - zeroPoint) <= 1,
      `${name}: ${ours[index]}, TF ${zeroPoint}`,
    );
  });
});

Deno.test("progress is reported per calibration sample, async datasets work", async () => {
  const seen: number[] = [];
  async function* dataset() {
    for (const sample of MNIST.slice(0, 5)) yield sample;
  }
  await quantize(fixture("seed_mnist.float"), {
    mode: "int8",
    representativeDataset: dataset(),
    onProgress: (done) => seen.push(done),
  });
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
});

Deno.test("the input model is left unchanged", async () => {
  const model = fixture("seed_mnist.float");
  const before = writeModel(model);
  await quantize(model, { mode: "int8", representativeDataset: MNIST.slice(0, 3) });
  await quantize(model, { mode: "float16" });
  assert.deepEqual(writeModel(model), before);
});

Deno.test("bad requests are refused naming the op, tensor or option", async () => {
  const model = fixture("seed_mnist.float");
  const refused = (options: QuantizeOptions, pattern: RegExp, source = model) =>
    assert.rejects(
      quantize(source, options),
      (error) => error instanceof QuantizeError && pattern.test(error.message),
    );
  await refused({ mode: "int8" }, /int8 needs a representativeDataset/);
  await refused(
    { mode: "float16", representativeDataset: MNIST },
    /takes no representativeDataset/,
  );
  await refused({ mode: "int8", representativeDataset: [] }, /representative dataset is empty/);
  await refused(
    { mode: "int8", representativeDataset: [new Float32Array(10)] },
    /sample 0, input 0: 10 values; the model input takes 784/,
  );
  await refused({ mode: "dynamicRange", inputType: "int8" }, /inputType int8 needs mode int8/);
  const withNaN = MNIST[0].slice();
  withNaN[3] = NaN;
  await refused(
    { mode: "int8", representativeDataset: [withNaN] },
    /sample 0: tensor ".*" takes the value NaN/,
  );
  await refused(
    { mode: "float16" },
    /already quantized: tensor ".*" is int8/,
    fixture("seed_mnist.int8"),
  );
  const broken = fixture("seed_mnist.float");
  const weights = broken.subgraphs[0].tensors.find((tensor) =>
    tensor.name === "sequential_1/dense_1/MatMul"
  )!;
  weights.data = (weights.data as Float32Array).slice();
  (weights.data as Float32Array)[7] = Infinity;
  await refused(
    { mode: "dynamicRange" },
    /FULLY_CONNECTED.*"sequential_1\/dense_1\/MatMul" holds Infinity at element 7/,
    broken,
  );
  const negAbsSquare = readModel(readBytesSync(`${FIXTURES}/ops/neg_abs_square.tflite`));
  await refused(
    { mode: "int8", int8Only: true, representativeDataset: [new Float32Array(18)] },
    /int8Only: 3 ops cannot be quantized: operator 0 NEG .*no integer kernel for NEG; operator 1 SQUARE .*no integer kernel for SQUARE; operator 4 CONCATENATION .*its input from NEG \(operator 0\) stays float/,
    negAbsSquare,
  );
  const sqrt = readModel(readBytesSync(`${FIXTURES}/ops/sqrt.tflite`));
  await refused(
    { mode: "int16x8", int8Only: true, representativeDataset: [new Float32Array(38)] },
    /operator 0 SQRT .*no int16-activation kernel for SQRT/,
    sqrt,
  );
});

Deno.test("ops without an integer form stay float between QUANTIZE and DEQUANTIZE", async () => {
  const negAbsSquare = readModel(readBytesSync(`${FIXTURES}/ops/neg_abs_square.tflite`));
  const { model, report } = await quantizeWithReport(negAbsSquare, {
    mode: "int8",
    representativeDataset: [Float32Array.from({ length: 18 }, (_, index) => index / 9 - 1)],
  });
  // The CONCATENATION stays float too: as in TensorFlow, an op that shares its inputs' range
  // does when a float op computes one of them.
  assert.deepEqual(report.float.map((entry) => entry.detail), [
    "no integer kernel for NEG",
    "no integer kernel for SQUARE",
    "its input from NEG (operator 0) stays float",
  ]);
  assert.deepEqual(signatureOf(model), [
    "NEG(float32) -> float32",
    "SQUARE(float32) -> float32",
    "QUANTIZE(float32) -> int8",
    "MUL(int8,int8) -> int8",
    "ABS(int8) -> int8",
    "DEQUANTIZE(int8) -> float32",
    "CONCATENATION(float32,float32,float32) -> float32",
  ]);
});

Deno.test("denylisted op types stay float", async () => {
  const { model, report } = await quantizeWithReport(fixture("seed_mnist.float"), {
    mode: "int8",
    representativeDataset: MNIST.slice(0, 4),
    denylist: ["FULLY_CONNECTED"],
  });
  assert.deepEqual(report.float.map((entry) => `${entry.op}: ${entry.detail}`), [
    "FULLY_CONNECTED: denylisted",
  ]);
  const fc = model.subgraphs[0].operators.find((operator) => operator.op === "FULLY_CONNECTED")!;
  assert.equal(model.subgraphs[0].tensors[fc.inputs[0]].dtype, "float32");
  assert.ok(model.subgraphs[0].operators.some((operator) => operator.op === "DEQUANTIZE"));
});

Deno.test("a float op writing a model output gets a QUANTIZE under an integer output type", async () => {
  const float = fixture("seed_mnist.float");
  const outputName = float.subgraphs[0].tensors[float.subgraphs[0].outputs[0]].name;
  const options: QuantizeOptions = {
    mode: "int8",
    representativeDataset: MNIST.slice(0, 8),
    denylist: ["FULLY_CONNECTED"],
  };
  const floatOutput = await quantize(float, options);
  const model = await quantize(float, { ...options, outputType: "int8" });
  const subgraph = model.subgraphs[0];
  const output = subgraph.tensors[subgraph.outputs[0]];
  assert.equal(output.name, outputName);
  assert.equal(output.dtype, "int8");
  assert.deepEqual(signatureOf(model).slice(-2), [
    "FULLY_CONNECTED(float32,float32,float32) -> float32",
    "QUANTIZE(float32) -> int8",
  ]);
  // The only difference from the float-output model is that QUANTIZE.
  const scale = output.quantization!.scale[0];
  const zeroPoint = output.quantization!.zeroPoint[0];
  const [expected] = (await Interpreter.load(writeModel(floatOutput))).run([MNIST[0]]);
  const [actual] = (await Interpreter.load(writeModel(model))).run([MNIST[0]]);
  assert.deepEqual(
    Array.from(actual as Int8Array),
    Array.from(
      expected as Float32Array,
      (value) => Math.max(-128, Math.min(127, Math.round(value / scale) + zeroPoint)),
    ),
  );
});

Deno.test("an LSTM's weights become int8 all together or not at all, and liteq runs it", async () => {
  const lstm = readModel(
    readBytesSync(`${FIXTURES}/robustness/unidirectional_sequence_lstm.tflite`),
  );
  const weightDtypes = (model: Model) => {
    const { operators, tensors } = model.subgraphs[0];
    return [1, 2, 3, 4, 5, 6, 7, 8, 16].map((position) =>
      tensors[operators[0].inputs[position]].dtype
    );
  };
  // Every weight has 4 values: below the default minimum, the LSTM stays float.
  const untouched = await quantizeWithReport(lstm, { mode: "dynamicRange" });
  assert.deepEqual(new Set(weightDtypes(untouched.model)), new Set(["float32"]));
  assert.match(untouched.report.float[0].detail, /no weights have 1024 values/);
  const hybrid = await quantize(lstm, { mode: "dynamicRange", minWeightElements: 4 });
  assert.deepEqual(new Set(weightDtypes(hybrid)), new Set(["int8"]));
  const interpreter = await Interpreter.load(writeModel(hybrid));
  const [output] = interpreter.run([Float32Array.of(0.5, -1, 2, 0.25)]);
  assert.equal(output.length, 4);
  assert.ok(Array.from(output as Float32Array).every(Number.isFinite));
});
