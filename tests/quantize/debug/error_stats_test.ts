/** The debugger's arithmetic: real values of stored integers, SQNR and its cap, histograms. */
import assert from "node:assert/strict";
import {
  ErrorAccumulator,
  MAX_SQNR_DB,
  realValues,
  sqnrDb,
} from "../../../src/quantize/debug/error_stats.ts";
import {
  HistogramAccumulator,
  observedClipRanges,
  quantile,
} from "../../../src/quantize/debug/histogram.ts";

Deno.test("real values: per tensor, and per channel along the quantized dimension", () => {
  const values = Int8Array.from([-128, 0, 127, 10]);
  const perTensor = { scale: [0.5], zeroPoint: [-128], quantizedDimension: 0 };
  assert.deepEqual([...realValues(values, perTensor, [4])], [0, 64, 127.5, 69]);
  const perChannel = { scale: [1, 2], zeroPoint: [0, 1], quantizedDimension: 1 };
  assert.deepEqual([...realValues(values, perChannel, [2, 2])], [-128, -2, 127, 18]);
  assert.deepEqual([...realValues(Float32Array.from([1.5]), null, [1])], [1.5]);
});

Deno.test("SQNR: 10·log10(signal/noise), capped at ±MAX_SQNR_DB", () => {
  assert.equal(sqnrDb(100, 1), 20);
  assert.equal(sqnrDb(1, 0), MAX_SQNR_DB);
  assert.equal(sqnrDb(0, 0), MAX_SQNR_DB);
  assert.equal(sqnrDb(0, 1), -MAX_SQNR_DB);
  const errors = new ErrorAccumulator();
  errors.add([3, -4], [3, -3]);
  errors.add([0, 0], [0, 1]);
  const summary = errors.summary();
  assert.ok(Math.abs(summary.sqnr - 10 * Math.log10(25 / 2)) < 1e-12);
  assert.equal(summary.rmse, Math.sqrt(2 / 4));
  assert.equal(summary.maxAbs, 1);
  assert.deepEqual([errors.floatMin, errors.floatMax], [-4, 3]);
  assert.throws(() => errors.add([1], [1, 2]), RangeError);
});

Deno.test("histograms: values binned, the ends clamped, quantiles interpolated in a bin", () => {
  const histogram = new HistogramAccumulator(0, 10, 10);
  histogram.add(Array.from({ length: 1000 }, (_, index) => index / 100));
  histogram.add([-5, 10, 20]);
  const { counts } = histogram.histogram();
  assert.deepEqual(counts, [101, 100, 100, 100, 100, 100, 100, 100, 100, 102]);
  assert.ok(Math.abs(quantile(histogram.histogram(), 0.5) - 5.0) < 0.02);
  const [minmax, percentile] = observedClipRanges(histogram.histogram());
  assert.deepEqual(minmax, { method: "minmax", low: 0, high: 10 });
  assert.equal(percentile.method, "percentile");
  assert.ok(percentile.low > 0 && percentile.low < 0.01);
  assert.ok(percentile.high < 10 && percentile.high > 9.99);
});
