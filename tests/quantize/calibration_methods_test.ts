/**
 * Calibration methods: the histogram keeps every count and the exact extremes while its range
 * grows; each method's range on distributions whose answer is known; `auto` never below
 * `minmax` on the samples it measures; the options and flags that select them.
 */
import assert from "node:assert/strict";
import { parseNpy, readModel, writeModel } from "../../mod.ts";
import { meanSqnr, worstLead } from "../../src/quantize/auto_selection.ts";
import { chooseRange } from "../../src/quantize/calibration_methods.ts";
import { QuantizeError } from "../../src/quantize/errors.ts";
import { Histogram, HISTOGRAM_BINS } from "../../src/quantize/histogram.ts";
import { schemeOf } from "../../src/quantize/integer_scheme.ts";
import { quantize, quantizeWithReport } from "../../src/quantize/quantize.ts";
import { outputSqnr, sqnr } from "../../src/quantize/sqnr.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

/** `count` values from `seed`, standard normal (Box-Muller) or Laplace with scale 1. */
function random(count: number, seed: number, laplace = false): Float32Array {
  let state = seed;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) + 1) / 2 ** 32;
  return Float32Array.from({ length: count }, () => {
    if (laplace) return (next() < 0.5 ? -1 : 1) * Math.log(next());
    return Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  });
}

const INT8 = schemeOf("int8");

Deno.test("the histogram grows by merging bins: counts and extremes stay exact", () => {
  const histogram = new Histogram();
  histogram.add(Float32Array.of(0, 0.5, 1));
  histogram.add(Float32Array.of(-3, 7.25));
  histogram.add(Float32Array.of(100));
  assert.equal(histogram.min, -3);
  assert.equal(histogram.max, 100);
  assert.equal(histogram.counts.reduce((sum, count) => sum + count, 0), 6);
  assert.ok(histogram.start <= -3 && histogram.start + HISTOGRAM_BINS * histogram.width >= 100);
  // Each value is in the bin that covers it (or the one below, when it sits on their edge).
  for (const value of [0, 0.5, 1, -3, 7.25, 100]) {
    const bin = Math.min(
      HISTOGRAM_BINS - 1,
      Math.floor((value - histogram.start) / histogram.width),
    );
    assert.ok(
      histogram.counts[bin] + (histogram.counts[bin - 1] ?? 0) > 0,
      `${value} in bin ${bin}`,
    );
  }
});

Deno.test("each method's range on known distributions", () => {
  const normal = new Histogram();
  normal.add(random(200_000, 3));
  const range = (
    histogram: Histogram,
    method: "minmax" | "percentile" | "mse" | "entropy",
    percentile = 99.99,
  ) => chooseRange(histogram, method, INT8, percentile);
  assert.deepEqual(range(normal, "minmax"), { min: normal.min, max: normal.max });
  const clipped = range(normal, "percentile", 99);
  assert.ok(Math.abs(clipped.max - 2.326) < 0.05 && Math.abs(clipped.min + 2.326) < 0.05);
  // Laplace tails: the extremes of 200,000 values lie beyond +-10; the range of least squared
  // error for 256 levels clips both tails, as does entropy.
  const laplace = new Histogram();
  laplace.add(random(200_000, 5, true));
  for (const method of ["mse", "entropy"] as const) {
    const chosen = range(laplace, method);
    assert.ok(
      chosen.max > 7 && chosen.max < laplace.max - 3 && chosen.min < -7 &&
        chosen.min > laplace.min,
      `${method}: ${JSON.stringify(chosen)} of ${laplace.min}..${laplace.max}`,
    );
  }
  // int16's grid is finer than the histogram: entropy is minmax there.
  assert.deepEqual(
    chooseRange(laplace, "entropy", schemeOf("int16x8"), 99.99),
    range(laplace, "minmax"),
  );
});

Deno.test("sqnr: infinite when equal, 20 dB for a tenth of the signal's amplitude in noise", () => {
  assert.equal(sqnr([1, 2, 3], [1, 2, 3]), Infinity);
  assert.ok(Math.abs(sqnr([1, -1, 1, -1], [1.1, -1.1, 1.1, -1.1]) - 20) < 1e-9);
});

const MNIST = (() => {
  const images = parseNpy(readBytesSync(`${FIXTURES}/data/mnist_calib_x.npy`));
  return Array.from(
    { length: 100 },
    (_, index) => (images.data as Float32Array).slice(index * 784, (index + 1) * 784),
  );
})();

Deno.test("every method quantizes; auto keeps the best of its candidates that beat minmax robustly", async () => {
  const float = readModel(readBytesSync(`${FIXTURES}/models/mobile_mnist.float.tflite`));
  const calibration = MNIST.slice(0, 40);
  const heldOut = MNIST.slice(60);
  const minmax = await quantize(float, { mode: "int8", representativeDataset: calibration });
  const explicit = await quantize(float, {
    mode: "int8",
    representativeDataset: calibration,
    calibration: "minmax",
  });
  assert.deepEqual(writeModel(explicit), writeModel(minmax));
  const decibels = async (model: typeof float) => (await outputSqnr(float, model, heldOut))[0];
  const baseline = await decibels(minmax);
  for (const method of ["percentile", "mse", "entropy"] as const) {
    const { report } = await quantizeWithReport(float, {
      mode: "int8",
      representativeDataset: calibration,
      calibration: method,
    });
    assert.deepEqual(report.notes, [`calibration ${method}`]);
  }
  const { model, report } = await quantizeWithReport(float, {
    mode: "int8",
    representativeDataset: calibration,
    calibration: "auto",
  });
  const note = report.notes.at(-1)!;
  // "label 38.58 dB, label (mse 4, percentile 5) 36.12 dB, ..." after the colon.
  const measured = [
    ...note.split(" samples: ")[1].matchAll(/([a-z ]+(?: \([^)]*\))?) (-?[\d.]+) dB/g),
  ].map((match) => [match[1].trim(), Number(match[2])] as const);
  assert.ok(measured.length >= 4, note);
  assert.equal(measured[0][0], "minmax");
  // Those above minmax with any one sample left out, after "left out: " ("none" or "; "-joined).
  const listed = note.split(" left out: ")[1];
  const robust = new Set(listed === "none" ? [] : listed.split("; "));
  const kept = note.match(/calibration auto: (.*?) kept/)![1];
  const best = Math.max(
    ...measured.filter(([label]) => label === "minmax" || robust.has(label)).map(([, value]) =>
      value
    ),
  );
  assert.ok(kept === "minmax" || robust.has(kept), note);
  assert.equal(measured.find(([label]) => label === kept)![1], best);
  assert.ok(best >= measured[0][1]);
  assert.ok((await decibels(model)) > baseline - 0.5, "auto on held-out samples");
});

Deno.test("auto's robust lead: a lead that hangs on one sample does not count", () => {
  // Two outputs over four samples: the candidate's errors against the baseline's.
  const signal = [Float64Array.of(1, 1, 1, 1), Float64Array.of(4, 4, 4, 4)];
  const baseline = [Float64Array.of(0.01, 0.01, 0.01, 0.01), Float64Array.of(0.1, 0.1, 0.1, 0.1)];
  // A tenth of the error on every sample: 10 dB ahead whichever sample is left out.
  const everywhere = baseline.map((errors) => errors.map((error) => error / 10));
  assert.ok(Math.abs(worstLead(signal, everywhere, baseline) - 10) < 1e-9);
  assert.ok(Math.abs(meanSqnr(signal, everywhere) - meanSqnr(signal, baseline) - 10) < 1e-9);
  // Ahead over the four samples only thanks to sample 0, where the baseline errs most: behind
  // once that sample is left out.
  const oneSample = [Float64Array.of(0.04, 0.01, 0.01, 0.01), Float64Array.of(0, 0, 0, 0.1)];
  const lucky = [Float64Array.of(0, 0.012, 0.012, 0.012), Float64Array.of(0, 0, 0, 0.1)];
  assert.ok(meanSqnr(signal, lucky) > meanSqnr(signal, oneSample));
  assert.ok(worstLead(signal, lucky, oneSample) < 0);
  // One sample: the lead over it.
  const single = [Float64Array.of(1)];
  assert.ok(
    Math.abs(worstLead(single, [Float64Array.of(0.01)], [Float64Array.of(0.1)]) - 10) < 1e-9,
  );
});

Deno.test("auto measures outputs computed at invoke and int64 outputs (WHERE's coordinates)", async () => {
  // where_gather_nd_sum: WHERE of x > 0 (int64 coordinates), GATHER_ND of x there, their sum.
  const float = readModel(
    readBytesSync(`${FIXTURES}/ops_dynamic_shape/where_gather_nd_sum.tflite`),
  );
  const samples = [1, 2, 3, 4].map((seed) => random(12, seed));
  assert.deepEqual(await outputSqnr(float, float, samples), [Infinity, Infinity, Infinity]);
  const { report } = await quantizeWithReport(float, {
    mode: "int8",
    representativeDataset: samples,
    calibration: "auto",
  });
  assert.match(report.notes.at(-1)!, /^calibration auto: .* kept; mean output SQNR on 4 /);
});

Deno.test("calibration options are checked", async () => {
  const float = readModel(readBytesSync(`${FIXTURES}/models/seed_mnist.float.tflite`));
  const refused = (options: Parameters<typeof quantize>[1], pattern: RegExp) =>
    assert.rejects(
      quantize(float, options),
      (error) => error instanceof QuantizeError && pattern.test(error.message),
    );
  const representativeDataset = MNIST.slice(0, 2);
  await refused({ mode: "float16", calibration: "mse" }, /calibration mse needs mode int8/);
  await refused(
    // @ts-expect-error: not a method
    { mode: "int8", representativeDataset, calibration: "kl" },
    /calibration "kl" is not one of minmax, percentile, mse, entropy, auto/,
  );
  await refused(
    { mode: "int8", representativeDataset, percentile: 99 },
    /percentile needs calibration "percentile" or "auto"/,
  );
  for (const percentile of [50, 100.5, NaN]) {
    await refused(
      { mode: "int8", representativeDataset, calibration: "percentile", percentile },
      /percentile must be above 50 and at most 100/,
    );
  }
});
