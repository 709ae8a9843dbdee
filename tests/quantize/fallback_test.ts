/**
 * The automatic fallback (`accuracyBudget`, `minSqnr`): it keeps float the layers the goal needs
 * and reports what each buys, measured as the debugger measures; it keeps none when the goal
 * already holds; it fails clearly when even every op float cannot meet the goal; its options are
 * checked; it measures in TensorFlow Lite's reference arithmetic and XNNPACK's unless told one;
 * `reportRanges` gives each calibration method's range per activation.
 */
import assert from "node:assert/strict";
import { readModel } from "../../mod.ts";
import { stackSamples } from "../../src/quantize/accuracy_fallback.ts";
import { compareModels } from "../../src/quantize/debug/compare.ts";
import { QuantizeError } from "../../src/quantize/errors.ts";
import { quantizeWithReport } from "../../src/quantize/quantize.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";
import { mnistSamples } from "./debug/mnist_samples.ts";

const float = readModel(readBytesSync(`${FIXTURES}/models/seed_mnist.float.tflite`));
const { data, labels } = await mnistSamples(200);
const images = Array.from(
  { length: 50 },
  (_, sample) => (data.data as Float32Array).slice(sample * 784, (sample + 1) * 784),
);

Deno.test("minSqnr keeps float the layer the outputs need, and says what it buys", async () => {
  const { model, report } = await quantizeWithReport(float, {
    mode: "int8",
    representativeDataset: images,
    minSqnr: 45,
    evaluation: { data: [data] },
  });
  const fallback = report.fallback!;
  assert.equal(fallback.goal, "minSqnr");
  assert.equal(fallback.samples, 200);
  assert.ok(fallback.before < 45, `plain int8 at ${fallback.before} dB`);
  assert.ok(fallback.after >= 45, `${fallback.after} dB after`);
  assert.deepEqual(fallback.layers.map((layer) => layer.op), ["FULLY_CONNECTED"]);
  const [layer] = fallback.layers;
  assert.ok(layer.bought > 0);
  // The report's float list carries the reason, the model holds the float op.
  const entry = report.float.find((entry) => entry.operator === layer.operator)!;
  assert.match(entry.detail, /^kept float by the automatic fallback \(minSqnr 45\): it buys/);
  assert.ok(model.subgraphs[0].operators.some((operator) =>
    operator.op === "FULLY_CONNECTED" &&
    model.subgraphs[0].tensors[operator.outputs[0]].dtype === "float32"
  ));
  // The debugger measures the model returned as the fallback did, in the arithmetic where it
  // measured lowest.
  const lowest = fallback.arithmetics.find((entry) => entry.after === fallback.after)!;
  const comparison = await compareModels(float, model, [data], { arithmetic: lowest.arithmetic });
  assert.equal(comparison.outputs[0].sqnr, fallback.after);
  assert.ok(report.quantized.some((entry) => entry.op === "CONV_2D"), "the rest stays integer");
});

Deno.test("minSqnr without evaluation data measures on the calibration samples", async () => {
  const { report } = await quantizeWithReport(float, {
    mode: "int8",
    representativeDataset: images,
    minSqnr: 45,
  });
  assert.equal(report.fallback!.samples, 50);
  assert.ok(report.fallback!.after >= 45);
});

Deno.test("a budget that already holds keeps every layer integer", async () => {
  const plain = await quantizeWithReport(float, { mode: "int8", representativeDataset: images });
  const { model, report } = await quantizeWithReport(float, {
    mode: "int8",
    representativeDataset: images,
    accuracyBudget: 1,
    evaluation: { data: [data], labels },
  });
  const fallback = report.fallback!;
  assert.deepEqual(fallback.layers, []);
  assert.equal(fallback.before, fallback.after);
  assert.ok(fallback.floatTop1! - fallback.after <= 0.01);
  assert.deepEqual(model, plain.model);
});

Deno.test("a goal that even every op float cannot meet is a clear QuantizeError", async () => {
  await assert.rejects(
    quantizeWithReport(float, { mode: "int8", representativeDataset: images, minSqnr: 250 }),
    (error: Error) =>
      error instanceof QuantizeError &&
      /^minSqnr 250 cannot be met: with every op float 200\.0 dB at the lowest output on 50 samples$/
        .test(error.message),
  );
});

Deno.test("the fallback's options are checked", async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ accuracyBudget: 1 }, /accuracyBudget needs evaluation data with labels/],
    [{ accuracyBudget: 1, evaluation: { data: [data] } }, /needs evaluation data with labels/],
    [{ accuracyBudget: -1, evaluation: { data: [data], labels } }, /points >= 0, not -1/],
    [{ minSqnr: 30, accuracyBudget: 1 }, /give accuracyBudget or minSqnr, not both/],
    [{ minSqnr: NaN }, /minSqnr must be a finite number of dB, not NaN/],
    [{ evaluation: { data: [data] } }, /evaluation is for accuracyBudget or minSqnr/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(
      quantizeWithReport(float, { mode: "int8", representativeDataset: images, ...options }),
      message,
    );
  }
  await assert.rejects(
    quantizeWithReport(float, { mode: "dynamicRange", minSqnr: 30 }),
    /minSqnr needs mode int8 or int16x8 \(this is dynamicRange\)/,
  );
});

Deno.test("reportRanges gives every method's range and the one used, per activation", async () => {
  const { report } = await quantizeWithReport(float, {
    mode: "int8",
    representativeDataset: images,
    calibration: "mse",
    reportRanges: true,
  });
  const ranges = Object.values(report.ranges!);
  assert.ok(ranges.length >= 4);
  for (const clips of ranges) {
    assert.deepEqual(clips.map((clip) => clip.method), [
      "minmax",
      "percentile",
      "mse",
      "entropy",
      "used",
    ]);
    const [minmax, , mse, , used] = clips;
    assert.deepEqual([used.low, used.high], [mse.low, mse.high]);
    assert.ok(minmax.low <= mse.low + 1e-9 && mse.high <= minmax.high + 1e-9);
  }
});

Deno.test("auto still measures its candidates on its 32 samples when the fallback keeps more", async () => {
  const mobile = readModel(readBytesSync(`${FIXTURES}/models/mobile_mnist.float.tflite`));
  const { report } = await quantizeWithReport(mobile, {
    mode: "int8",
    representativeDataset: images,
    calibration: "auto",
    minSqnr: 20,
  });
  assert.equal(report.fallback!.samples, 50);
  assert.deepEqual(report.fallback!.layers, []);
  assert.ok(report.notes.some((note) => /mean output SQNR on 32 calibration samples/.test(note)));
});

Deno.test("the fallback measures in both arithmetics by default, or in the one named", async () => {
  const options = { mode: "int8" as const, representativeDataset: images, minSqnr: 20 };
  const { model, report } = await quantizeWithReport(float, options);
  const both = report.fallback!;
  assert.deepEqual(both.arithmetics.map((entry) => entry.arithmetic), ["reference", "xnnpack"]);
  assert.equal(both.before, Math.min(...both.arithmetics.map((entry) => entry.before)));
  assert.equal(both.after, Math.min(...both.arithmetics.map((entry) => entry.after)));
  // Each arithmetic's measure is the debugger's in it, on the calibration samples.
  const samples = stackSamples(images.map((image) => [image]));
  for (const entry of both.arithmetics) {
    const comparison = await compareModels(float, model, samples, {
      arithmetic: entry.arithmetic,
    });
    assert.equal(comparison.outputs[0].sqnr, entry.after);
  }
  const one = await quantizeWithReport(float, { ...options, fallbackArithmetic: "xnnpack" });
  assert.deepEqual(one.report.fallback!.arithmetics, [both.arithmetics[1]]);
  await assert.rejects(
    quantizeWithReport(float, { ...options, fallbackArithmetic: "gpu" as "both" }),
    /fallbackArithmetic must be one of both, reference, xnnpack, not gpu/,
  );
  await assert.rejects(
    quantizeWithReport(float, {
      mode: "int8",
      representativeDataset: images,
      fallbackArithmetic: "reference",
    }),
    /fallbackArithmetic is for accuracyBudget or minSqnr; neither is given/,
  );
});
