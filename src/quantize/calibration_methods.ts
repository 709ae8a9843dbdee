/**
 * Calibration methods: the range each activation is quantized over, chosen from its histogram.
 * - `minmax`: the observed minimum and maximum (TensorFlow's choice, its files exactly);
 * - `percentile`: the values below which `percentile`% and above which `100 - percentile`% of
 *   the observed values lie (outliers clipped);
 * - `mse`: the range whose integer grid gives the least mean squared error (clipping plus
 *   rounding) over the observed distribution;
 * - `entropy`: the range whose quantized distribution has the least Kullback-Leibler divergence
 *   from the observed one clipped to it, as TensorRT's entropy calibrator (not for int16, whose
 *   65535 levels are finer than the histogram: there it is `minmax`).
 * The `mse` and `entropy` searches shrink the range towards 0 on a geometric grid, both ends
 * together, then refine each end alone.
 */
import type { Range } from "./calibrate.ts";
import { type Histogram, HISTOGRAM_BINS } from "./histogram.ts";
import type { Scheme } from "./integer_scheme.ts";

/** The calibration methods that choose one range per activation from its histogram. */
export const RANGE_METHODS = ["minmax", "percentile", "mse", "entropy"] as const;

/** A calibration method that chooses one range per activation from its histogram. */
export type RangeMethod = typeof RANGE_METHODS[number];

/** The range grid of the searches: factors 0.97^k down to 1/16 of the observed range. */
const SHRINK_FACTORS = (() => {
  const factors = [];
  for (let factor = 1; factor >= 1 / 16; factor *= 0.97) factors.push(factor);
  return factors;
})();

/** The value below which `fraction` of the histogram's counts lie (interpolated in the bin). */
function quantile(histogram: Histogram, fraction: number): number {
  const { counts } = histogram;
  const total = counts.reduce((sum, count) => sum + count, 0);
  const target = fraction * total;
  let seen = 0;
  for (let bin = 0; bin < HISTOGRAM_BINS; bin++) {
    if (seen + counts[bin] >= target && counts[bin] > 0) {
      const within = (target - seen) / counts[bin];
      const value = histogram.start + (bin + within) * histogram.width;
      return Math.min(histogram.max, Math.max(histogram.min, value));
    }
    seen += counts[bin];
  }
  return histogram.max;
}

/** The non-empty bins: their centers (kept within the observed extremes) and counts. */
function occupiedBins(
  histogram: Histogram,
): { centers: number[]; counts: number[]; bins: number[] } {
  const centers = [];
  const counts = [];
  const bins = [];
  for (let bin = 0; bin < HISTOGRAM_BINS; bin++) {
    if (histogram.counts[bin] === 0) continue;
    centers.push(Math.min(histogram.max, Math.max(histogram.min, histogram.center(bin))));
    counts.push(histogram.counts[bin]);
    bins.push(bin);
  }
  return { centers, counts, bins };
}

/** The squared error of quantizing the histogram's values over `range` (bin centers stand for them). */
function squaredError(
  occupied: ReturnType<typeof occupiedBins>,
  range: Range,
  scheme: Scheme,
): number {
  const params = scheme.params(range);
  const [scale] = params.scale;
  const [zeroPoint] = params.zeroPoint;
  const [low, high] = scheme.limits;
  let error = 0;
  const { centers, counts } = occupied;
  for (let index = 0; index < centers.length; index++) {
    const level = Math.min(high, Math.max(low, Math.round(centers[index] / scale) + zeroPoint));
    const difference = centers[index] - (level - zeroPoint) * scale;
    error += counts[index] * difference * difference;
  }
  return error;
}

/**
 * The Kullback-Leibler divergence between the histogram clipped to `range` (values beyond it
 * counted in its end bins) and its quantized version (each integer level's count spread evenly
 * over the level's non-empty bins, values beyond the range left out), as TensorRT computes it.
 * Infinity when the range holds fewer bins than integer levels (the comparison means nothing).
 */
function divergence(histogram: Histogram, range: Range, scheme: Scheme): number {
  const params = scheme.params(range);
  const [scale] = params.scale;
  const [zeroPoint] = params.zeroPoint;
  const [low, high] = scheme.limits;
  const first = Math.max(0, Math.floor((range.min - histogram.start) / histogram.width));
  const last = Math.min(
    HISTOGRAM_BINS - 1,
    Math.ceil((range.max - histogram.start) / histogram.width) - 1,
  );
  if (last - first + 1 < high - low) return Infinity;
  const { counts } = histogram;
  const clipped = counts.slice(first, last + 1);
  for (let bin = 0; bin < first; bin++) clipped[0] += counts[bin];
  for (let bin = last + 1; bin < HISTOGRAM_BINS; bin++) clipped[clipped.length - 1] += counts[bin];
  // Level totals and non-empty bin counts, over the bins in range as observed.
  const levelOf = (bin: number) =>
    Math.min(high, Math.max(low, Math.round(histogram.center(bin) / scale) + zeroPoint)) - low;
  const totals = new Float64Array(high - low + 1);
  const occupied = new Float64Array(high - low + 1);
  for (let bin = first; bin <= last; bin++) {
    if (counts[bin] === 0) continue;
    totals[levelOf(bin)] += counts[bin];
    occupied[levelOf(bin)]++;
  }
  const clippedTotal = clipped.reduce((sum, count) => sum + count, 0);
  const quantizedTotal = totals.reduce((sum, count) => sum + count, 0);
  let result = 0;
  clipped.forEach((count, offset) => {
    if (count === 0) return;
    const bin = first + offset;
    const level = levelOf(bin);
    const p = count / clippedTotal;
    const spread = counts[bin] > 0 ? totals[level] / occupied[level] : 0;
    const q = Math.max(spread / quantizedTotal, 1e-6);
    result += p * Math.log(p / q);
  });
  return result;
}

/** The range of the grid that minimises `cost`: both ends shrunk together, then each alone. */
function searchRange(histogram: Histogram, cost: (range: Range) => number): Range {
  const full = { min: Math.min(histogram.min, 0), max: Math.max(histogram.max, 0) };
  let best = full;
  let bestCost = cost(full);
  const consider = (range: Range) => {
    const value = cost(range);
    if (value < bestCost) {
      best = range;
      bestCost = value;
    }
  };
  for (const factor of SHRINK_FACTORS) consider({ min: full.min * factor, max: full.max * factor });
  const shrunk = best;
  for (const factor of SHRINK_FACTORS) consider({ min: shrunk.min * factor, max: shrunk.max });
  const lower = best;
  for (const factor of SHRINK_FACTORS) consider({ min: lower.min, max: shrunk.max * factor });
  return best;
}

/** The range `method` chooses for an activation with histogram `histogram`. */
export function chooseRange(
  histogram: Histogram,
  method: RangeMethod,
  scheme: Scheme,
  percentile: number,
): Range {
  const observed = { min: histogram.min, max: histogram.max };
  if (method === "minmax" || histogram.max <= histogram.min) return observed;
  if (method === "percentile") {
    return {
      min: quantile(histogram, 1 - percentile / 100),
      max: quantile(histogram, percentile / 100),
    };
  }
  if (method === "mse") {
    const occupied = occupiedBins(histogram);
    return searchRange(histogram, (range) => squaredError(occupied, range, scheme));
  }
  if (scheme.dtype === "int16") return observed;
  return searchRange(histogram, (range) => divergence(histogram, range, scheme));
}
