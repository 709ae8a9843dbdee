/**
 * Activation histograms and the clip ranges drawn on them: counts over fixed bins, the min-max
 * range and a percentile range read from the counts.
 */

/** A range a calibration method would clip a tensor to, as drawn on its histogram. */
export interface ClipRange {
  /** The method's name (`minmax`, `percentile`, `quantized` for the range in the file). */
  method: string;
  /** Lowest real value kept. */
  low: number;
  /** Highest real value kept. */
  high: number;
}

/** Counts of values in equal bins between `low` and `high` (the last bin includes `high`). */
export interface Histogram {
  /** Lower edge of the first bin. */
  low: number;
  /** Upper edge of the last bin. */
  high: number;
  /** How many values fell in each bin. */
  counts: number[];
}

/** The fraction of values a percentile range keeps on each side: 99.99% (0.01% clipped). */
export const PERCENTILE_KEPT = 0.9999;

/** Counts values into `bins` equal bins over [low, high]; values outside go to the end bins. */
export class HistogramAccumulator {
  /** The counts so far. */
  readonly counts: number[];

  /** A histogram with `bins` equal bins between `low` and `high`. */
  constructor(readonly low: number, readonly high: number, bins: number) {
    this.counts = new Array(bins).fill(0);
  }

  /** Adds every value. */
  add(values: ArrayLike<number>): void {
    const bins = this.counts.length;
    const width = (this.high - this.low) / bins;
    for (let index = 0; index < values.length; index++) {
      const bin = width > 0 ? Math.floor((values[index] - this.low) / width) : 0;
      this.counts[Math.min(bins - 1, Math.max(0, bin))]++;
    }
  }

  /** The histogram as plain data. */
  histogram(): Histogram {
    return { low: this.low, high: this.high, counts: [...this.counts] };
  }
}

/**
 * The value below which `fraction` of the histogram's values lie, interpolated linearly inside
 * the bin where that count is reached.
 */
export function quantile(histogram: Histogram, fraction: number): number {
  const { low, high, counts } = histogram;
  const total = counts.reduce((sum, count) => sum + count, 0);
  const width = (high - low) / counts.length;
  const target = fraction * total;
  let below = 0;
  for (let bin = 0; bin < counts.length; bin++) {
    if (counts[bin] > 0 && below + counts[bin] >= target) {
      return low + width * (bin + (target - below) / counts[bin]);
    }
    below += counts[bin];
  }
  return high;
}

/** The min-max range and the percentile range (`PERCENTILE_KEPT` kept on each side). */
export function observedClipRanges(histogram: Histogram): ClipRange[] {
  return [
    { method: "minmax", low: histogram.low, high: histogram.high },
    {
      method: "percentile",
      low: quantile(histogram, 1 - PERCENTILE_KEPT),
      high: quantile(histogram, PERCENTILE_KEPT),
    },
  ];
}
