/** How a reduction over constant axes walks its input, which every reduction path shares. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext } from "../../op.ts";
import { normalizeAxis } from "../common/axes.ts";
import { stridesOf } from "../common/broadcast.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** How a reduction walks its input: the reduced axes and, per input element, its output slot. */
export interface Reduction {
  reduced: Set<number>;
  inputCount: number;
  outputCount: number;
  /** Input elements per output element. */
  perOutput: number;
  /**
   * Where in wasm memory (inside the memory budget) the int32 flat index of the output element
   * each input element reduces into is, for every input element.
   */
  targets: number;
}

/**
 * Resolves the constant axes (input 1), sets the output's shape (kept or dropped axes, by the
 * keepDims option) and maps every input element to the output element it reduces into: the
 * input's coordinates with the reduced axes dropped.
 */
export function planReduction(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
): Reduction {
  const shape = input.shape;
  const rank = shape.length;
  const reduced = new Set(
    context.integers(context.input(1), "axes").map((axis) => normalizeAxis(context, axis, rank)),
  );
  output.shape = context.options.keepDims
    ? shape.map((size, axis) => (reduced.has(axis) ? 1 : size))
    : shape.filter((_, axis) => !reduced.has(axis));
  const keptStrides = stridesOf(shape.map((size, axis) => (reduced.has(axis) ? 1 : size)));
  const inputCount = elementCount(shape);
  const offset = context.memory.allocate(inputCount * 4);
  const targets = context.memory.i32(offset, inputCount);
  const counter = new Array<number>(rank).fill(0);
  for (let index = 0; index < targets.length; index++) {
    let target = 0;
    for (let axis = 0; axis < rank; axis++) {
      if (!reduced.has(axis)) target += counter[axis] * keptStrides[axis];
    }
    targets[index] = target;
    for (let axis = rank - 1; axis >= 0; axis--) {
      if (++counter[axis] < shape[axis]) break;
      counter[axis] = 0;
    }
  }
  const outputCount = elementCount(output.shape);
  const perOutput = outputCount === 0 ? 0 : inputCount / outputCount;
  return { reduced, inputCount, outputCount, perOutput, targets: offset };
}
