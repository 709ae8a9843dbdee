/**
 * How a heavy op's rows divide into chunks for the threads: equal shares on the op's grain, the
 * kernel calls of each recorded as numbers, and the per-image pieces of a range of rows.
 */
import { KERNEL_FUNCTIONS } from "../kernel_exports.generated.ts";
import type { KernelCalls, RowSplit } from "../op.ts";

/** [first, end) row ranges of `split` in `parts` chunks: equal shares, cut on its grain. */
export function rowRanges(split: RowSplit, parts: number): [number, number][] {
  const grains = Math.ceil(split.rows / split.grain);
  const ranges: [number, number][] = [];
  for (let part = 0; part < parts; part++) {
    const first = Math.min(split.rows, Math.floor((grains * part) / parts) * split.grain);
    const end = Math.min(split.rows, Math.floor((grains * (part + 1)) / parts) * split.grain);
    ranges.push([first, end]);
  }
  return ranges;
}

/**
 * Kernel functions that append each call to `calls` instead of making it: the function's index in
 * `KERNEL_FUNCTIONS`, the number of arguments, then the arguments. A recorded call returns 0, so
 * `RowSplit.runRows` must not use a kernel's result.
 */
export function recordingKernels(calls: number[]): KernelCalls {
  const recorder: Record<string, (...args: number[]) => number> = {};
  KERNEL_FUNCTIONS.forEach((name, index) => {
    recorder[name] = (...args: number[]) => {
      calls.push(index, args.length, ...args);
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
