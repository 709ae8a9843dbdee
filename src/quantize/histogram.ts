/**
 * The distribution of one activation over the calibration set, in bounded memory: 2048 equal bins
 * over a range that grows as values fall outside it (doubling the bin width and merging bins in
 * pairs, which loses no count), beside the exact minimum and maximum.
 */

/** How many bins a histogram has. */
export const HISTOGRAM_BINS = 2048;

/** Counts of an activation's values in `HISTOGRAM_BINS` bins, with its exact minimum and maximum. */
export class Histogram {
  /** The smallest value seen. */
  min = Infinity;
  /** The largest value seen. */
  max = -Infinity;
  /** How many values fell in each bin. */
  readonly counts = new Float64Array(HISTOGRAM_BINS);
  /** The lower edge of bin 0. */
  start = 0;
  /** The width of every bin (0 until the first values arrive). */
  width = 0;

  /** The value at the middle of bin `bin`. */
  center(bin: number): number {
    return this.start + (bin + 0.5) * this.width;
  }

  /** Adds finite `values` to the counts. */
  add(values: ArrayLike<number>): void {
    let low = Infinity;
    let high = -Infinity;
    for (let index = 0; index < values.length; index++) {
      const value = values[index];
      if (value < low) low = value;
      if (value > high) high = value;
    }
    if (values.length === 0) return;
    this.min = Math.min(this.min, low);
    this.max = Math.max(this.max, high);
    if (this.width === 0) {
      this.start = low;
      this.width = (high > low ? high - low : Math.abs(low) || 1) / HISTOGRAM_BINS;
    }
    while (low < this.start) this.grow(false);
    while (high > this.start + HISTOGRAM_BINS * this.width) this.grow(true);
    const { counts, start } = this;
    const perUnit = 1 / this.width;
    for (let index = 0; index < values.length; index++) {
      const bin = Math.floor((values[index] - start) * perUnit);
      counts[bin < HISTOGRAM_BINS ? bin : HISTOGRAM_BINS - 1]++;
    }
  }

  /** Doubles the range upwards (`up`) or downwards, merging the bins in pairs. */
  private grow(up: boolean): void {
    const { counts } = this;
    const half = HISTOGRAM_BINS / 2;
    const merged = new Float64Array(half);
    for (let bin = 0; bin < half; bin++) merged[bin] = counts[2 * bin] + counts[2 * bin + 1];
    counts.fill(0);
    counts.set(merged, up ? 0 : half);
    if (!up) this.start -= HISTOGRAM_BINS * this.width;
    this.width *= 2;
  }
}
