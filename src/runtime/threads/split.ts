/**
 * How a heavy op's rows divide into chunks for the threads: equal shares on the op's grain, the
 * kernel calls of each recorded as numbers, and the per-image pieces of a range of rows.
 */
import { KERNEL_FUNCTIONS } from "../kernel_exports.generated.ts";
import type { KernelCalls, RowSplit } from "../op.ts";

/**
 * [first, end) row ranges of `split` in `parts` chunks, cut on its grain. When `parts` is a
 * multiple of `threads`, each of `threads` equal shares of the rows is cut into chunks that shrink
 * (in the ratios n, n - 1, ..., 1), so that the last chunk a thread takes, the one the others may
 * wait for, is its smallest; otherwise the chunks are equal.
 */
export function rowRanges(split: RowSplit, parts: number, threads: number): [number, number][] {
  const grains = Math.ceil(split.rows / split.grain);
  const perThread = parts / threads;
  const weights = (perThread * (perThread + 1)) / 2;
  /** Where chunk `part` starts, in grains. */
  const boundary = (part: number) => {
    if (!Number.isInteger(perThread)) return (grains * part) / parts;
    const thread = Math.floor(part / perThread);
    const within = part - thread * perThread;
    const before = within * perThread - (within * (within - 1)) / 2;
    return (grains * (thread + before / weights)) / threads;
  };
  const ranges: [number, number][] = [];
  for (let part = 0; part < parts; part++) {
    const first = Math.min(split.rows, Math.floor(boundary(part)) * split.grain);
    const end = Math.min(split.rows, Math.floor(boundary(part + 1)) * split.grain);
    ranges.push([first, end]);
  }
  return ranges;
}

/** Where `recordingKernels` writes: float64 values, filled from `length` on. */
export interface CallRecord {
  readonly values: Float64Array;
  /** Values written so far. */
  length: number;
  /** Set when a call did not fit (the calls after it are not written). */
  overflowed: boolean;
}

/**
 * Kernel functions that write each call into `record` instead of making it: the function's index
 * in `KERNEL_FUNCTIONS`, the number of arguments, then the arguments. A recorded call returns 0,
 * so `RowSplit.runRows` must not use a kernel's result.
 */
export function recordingKernels(record: CallRecord): KernelCalls {
  const recorder: Record<string, (...args: number[]) => number> = {};
  KERNEL_FUNCTIONS.forEach((name, index) => {
    recorder[name] = (...args: number[]) => {
      const { values, length } = record;
      const end = length + 2 + args.length;
      if (end > values.length) {
        record.overflowed = true;
        return 0;
      }
      values[length] = index;
      values[length + 1] = args.length;
      for (let argument = 0; argument < args.length; argument++) {
        values[length + 2 + argument] = args[argument];
      }
      record.length = end;
      return 0;
    };
  });
  return recorder as unknown as KernelCalls;
}

/**
 * Calls `use(image, first, end)` for each image that rows [first, end) of a stack of images of
 * `perImage` rows each touch, with the image's rows in it (counted from the image's first row).
 */
export function forEachImage(
  first: number,
  end: number,
  perImage: number,
  use: (image: number, first: number, end: number) => void,
): void {
  for (let image = Math.floor(first / perImage); image * perImage < end; image++) {
    const base = image * perImage;
    use(image, Math.max(first, base) - base, Math.min(end, base + perImage) - base);
  }
}
