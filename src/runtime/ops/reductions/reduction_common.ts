/** How a reduction over constant axes walks its input, which every reduction path shares. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext } from "../../op.ts";
import { normalizeAxis } from "../common/axes.ts";
import { stridesOf } from "../common/broadcast.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** Most input elements in a row of a reduction: trailing axes are merged up to this. */
const ROW_ENTRIES = 65536;

/**
 * How a reduction walks its input: the reduced axes and, for each input element, its output slot,
 * as rows of `width` consecutive input elements whose slots are the row's base plus `rowTargets`
 * (a table of the trailing axes, never a map of the whole input).
 */
export interface Reduction {
  reduced: Set<number>;
  inputCount: number;
  outputCount: number;
  /** Input elements per output element. */
  perOutput: number;
  /**
   * Whether the input is `perOutput` rows of `outputCount` values, each row's value c reducing
   * into output c: the kept axes of more than one element all follow the reduced ones (an
   * image's pixels), where the wasm kernels sum whole rows.
   */
  rowsOfOutputs: boolean;
  /** Input elements per row. */
  width: number;
  /** The output slot of each element of a row, from the row's base. */
  rowTargets: Int32Array;
  /** Calls `visit(start, base)` for every row: its first input index and its base slot. */
  forEachRow(visit: (start: number, base: number) => void): void;
}

/**
 * Resolves the constant axes (input 1), sets the output's shape (kept or dropped axes, by the
 * keepDims option) and plans the walk that sends every input element to the output element it
 * reduces into: the input's coordinates with the reduced axes dropped.
 */
export function planReduction(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
): Reduction {
  const rank = input.shape.length;
  const reduced = new Set(
    context.integers(context.input(1), "axes").map((axis) => normalizeAxis(context, axis, rank)),
  );
  output.shape = context.options.keepDims
    ? input.shape.map((size, axis) => (reduced.has(axis) ? 1 : size))
    : input.shape.filter((_, axis) => !reduced.has(axis));
  const shape = rank === 0 ? [1] : input.shape;
  const keptStrides = stridesOf(shape.map((size, axis) => (reduced.has(axis) ? 1 : size)))
    .map((stride, axis) => (reduced.has(axis) ? 0 : stride));
  let split = shape.length - 1;
  let width = shape[split];
  while (split > 0 && width * shape[split - 1] <= ROW_ENTRIES) width *= shape[--split];
  const rowTargets = Int32Array.from({ length: width }, (_, index) => {
    let slot = 0;
    for (let axis = shape.length - 1; axis >= split; axis--) {
      slot += (index % shape[axis]) * keptStrides[axis];
      index = Math.floor(index / shape[axis]);
    }
    return slot;
  });
  const inputCount = elementCount(shape);
  const outputCount = elementCount(output.shape);
  const perOutput = outputCount === 0 ? 0 : inputCount / outputCount;
  const lastReduced = Math.max(-1, ...[...reduced].filter((axis) => shape[axis] > 1));
  const firstKept = shape.findIndex((size, axis) => !reduced.has(axis) && size > 1);
  const rowsOfOutputs = firstKept === -1 || firstKept > lastReduced;
  const forEachRow = (visit: (start: number, base: number) => void) => {
    const coordinate = new Array<number>(split).fill(0);
    for (let start = 0; start < inputCount; start += width) {
      let base = 0;
      for (let axis = 0; axis < split; axis++) base += coordinate[axis] * keptStrides[axis];
      visit(start, base);
      for (let axis = split - 1; axis >= 0; axis--) {
        if (++coordinate[axis] < shape[axis]) break;
        coordinate[axis] = 0;
      }
    }
  };
  return {
    reduced,
    inputCount,
    outputCount,
    perOutput,
    rowsOfOutputs,
    width,
    rowTargets,
    forEachRow,
  };
}
