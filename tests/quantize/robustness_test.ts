/**
 * The quantizer on odd inputs: every problem ends in a `QuantizeError` naming what is at fault
 * (a weight tensor and its op, the dataset sample, the option), never in another error type.
 */
import assert from "node:assert/strict";
import { Interpreter, type Model, readModel, writeModel } from "../../mod.ts";
import { QuantizeError } from "../../src/quantize/errors.ts";
import type { QuantizeOptions } from "../../src/quantize/options.ts";
import { quantize, quantizeWithReport } from "../../src/quantize/quantize.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

function fixture(path: string): Model {
  return readModel(readBytesSync(`${FIXTURES}/${path}.tflite`));
}

const IMAGE = Float32Array.from({ length: 784 }, (_, index) => (index % 29) / 28);

async function refused(model: Model, options: QuantizeOptions, pattern: RegExp) {
  await assert.rejects(
    quantize(model, options),
    (error) => error instanceof QuantizeError && pattern.test(error.message),
  );
}

Deno.test("NaN or Inf in weights under int8 and int16x8 names the weight tensor and its op", async () => {
  for (
    const [value, mode] of [[NaN, "int8"], [Infinity, "int16x8"], [-Infinity, "int8"]] as const
  ) {
    const model = fixture("models/seed_mnist.float");
    const weights = model.subgraphs[0].tensors.find((tensor) =>
      tensor.name === "sequential_1/dense_1/MatMul"
    )!;
    weights.data = (weights.data as Float32Array).slice();
    (weights.data as Float32Array)[7] = value;
    await refused(
      model,
      { mode, representativeDataset: [IMAGE] },
      new RegExp(`FULLY_CONNECTED.*"sequential_1/dense_1/MatMul" holds ${value} at element 7`),
    );
  }
});

Deno.test("an error the dataset throws is wrapped, naming the sample, the original as cause", async () => {
  const failure = new TypeError("the camera went away");
  function* dataset() {
    yield IMAGE;
    yield IMAGE;
    throw failure;
  }
  await assert.rejects(
    quantize(fixture("models/seed_mnist.float"), {
      mode: "int8",
      representativeDataset: dataset(),
    }),
    (error) =>
      error instanceof QuantizeError && error.cause === failure &&
      /dataset failed at calibration sample 2: the camera went away/.test(error.message),
  );
  async function* rejecting() {
    yield IMAGE;
    await Promise.resolve();
    throw "not an Error";
  }
  await refused(
    fixture("models/seed_mnist.float"),
    { mode: "int8", representativeDataset: rejecting() },
    /failed at calibration sample 1: not an Error/,
  );
});

Deno.test("int8 of a model liteq cannot run (fused TANH, a custom op) is a QuantizeError", async () => {
  const tanh = fixture("models/seed_mnist.float");
  const conv = tanh.subgraphs[0].operators.find((operator) => operator.op === "CONV_2D")!;
  conv.options = { ...conv.options, fusedActivationFunction: "TANH" };
  await refused(
    tanh,
    { mode: "int8", representativeDataset: [IMAGE] },
    /calibration runs the float model .* cannot run it: operator \d+ CONV_2D.*TANH/,
  );
  const sinh = fixture("robustness/custom_sinh");
  await refused(
    sinh,
    { mode: "int8", representativeDataset: [new Float32Array(1)] },
    /cannot run it: .*no kernel for Sinh/,
  );
});

Deno.test("minWeightElements must be a whole number >= 0", async () => {
  for (const minimum of [-1, NaN, 2.5]) {
    await refused(
      fixture("models/seed_mnist.float"),
      { mode: "dynamicRange", minWeightElements: minimum },
      new RegExp(`minWeightElements must be a whole number >= 0, not ${minimum}`),
    );
  }
});

Deno.test("a model without subgraphs is refused in every mode", async () => {
  for (const mode of ["float16", "dynamicRange", "int8", "int16x8"] as const) {
    const representativeDataset = mode === "int8" || mode === "int16x8" ? [IMAGE] : undefined;
    await refused(
      fixture("robustness/no_subgraphs"),
      { mode, representativeDataset },
      /no subgraphs/,
    );
  }
});

Deno.test("an op reading a float variable stays float", async () => {
  const { report } = await quantizeWithReport(fixture("robustness/sub"), {
    mode: "int8",
    representativeDataset: [[Float32Array.of(1, 2, 3), Float32Array.of(0, 1, 5)]],
  });
  assert.deepEqual(report.float.map((entry) => `${entry.op}: ${entry.detail}`), [
    'SUB: input "b" is a variable (it changes as the model runs)',
  ]);
});

Deno.test("float16 gives a shared buffer's float constant halves of its own", async () => {
  // where_gather_nd_sum: a float32 and an int32 constant share one buffer, as TensorFlow's
  // converter stores equal bytes once.
  const model = fixture("ops_dynamic_shape/where_gather_nd_sum");
  const constants = model.subgraphs[0].tensors.filter((tensor) => tensor.data !== null);
  const shared = constants.find((tensor) =>
    tensor.dtype === "float32" &&
    constants.some((other) => other !== tensor && other.buffer === tensor.buffer)
  )!;
  assert.ok(shared, "the fixture shares a buffer");
  const converted = await quantize(model, { mode: "float16" });
  const bytes = writeModel(converted);
  const input = Float32Array.from({ length: 12 }, (_, index) => Math.sin(index * 3));
  const [before, after] = await Promise.all(
    [model, readModel(bytes)].map(async (each) => (await Interpreter.load(each)).run([input])),
  );
  assert.deepEqual(after, before);
});
