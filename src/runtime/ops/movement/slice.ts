/** SLICE and STRIDED_SLICE with constant arguments, as separable copies, for any dtype. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { stridesOf } from "../common/broadcast.ts";
import { separableCopy } from "./movement_common.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** Input coordinates [start, start + step * i] along each axis, and the output's shape. */
interface SliceSpec {
  starts: number[];
  steps: number[];
  shape: number[];
}

/**
 * Prepares a slice: `spec`'s input coordinates, into an output of `outputShape` (`spec.shape`
 * without the shrunk axes of 1).
 */
function sliceRun(
  context: OpContext,
  input: RuntimeTensor,
  spec: SliceSpec,
  outputShape: number[],
) {
  const output = context.output(0, input.dtype);
  output.shape = outputShape;
  const strides = stridesOf(input.shape);
  const terms = spec.shape.map((_, axis) => (index: number) =>
    (spec.starts[axis] + spec.steps[axis] * index) * strides[axis]
  );
  return separableCopy(context, input, output, terms, null, spec.shape);
}

/** SLICE: constant begin and size (-1: to the end). */
export function slice(context: OpContext): PreparedOp {
  const input = context.input(0);
  const rank = input.shape.length;
  const begin = context.integers(context.input(1), "begin");
  const size = context.integers(context.input(2), "size");
  if (begin.length !== rank || size.length !== rank) {
    context.unsupported(`begin [${begin}] and size [${size}] must have ${rank} entries`);
  }
  const shape = size.map((count, axis) => (count === -1 ? input.shape[axis] - begin[axis] : count));
  shape.forEach((count, axis) => {
    if (begin[axis] < 0 || count < 0 || begin[axis] + count > input.shape[axis]) {
      context.unsupported(`slice [${begin}] + [${size}] leaves input [${input.shape}]`);
    }
  });
  return sliceRun(context, input, { starts: begin, steps: shape.map(() => 1), shape }, shape);
}

/**
 * STRIDED_SLICE with TFLite's masks: begin_mask / end_mask take the whole extent, negative
 * indices count from the end and are clamped, `offset` makes end relative to begin,
 * shrink_axis_mask keeps one element and drops the axis. Ellipsis and new-axis masks are refused.
 */
export function stridedSlice(context: OpContext): PreparedOp {
  const input = context.input(0);
  const rank = input.shape.length;
  const begin = context.integers(context.input(1), "begin");
  const end = context.integers(context.input(2), "end");
  const strides = context.integers(context.input(3), "strides");
  const options = context.options;
  const mask = (name: string) => Number(options[name] ?? 0);
  if (mask("ellipsisMask") !== 0 || mask("newAxisMask") !== 0) {
    context.unsupported("ellipsis and new-axis masks are not supported");
  }
  if (begin.length > rank || end.length !== begin.length || strides.length !== begin.length) {
    context.unsupported(`begin, end and strides must have the same length, at most ${rank}`);
  }
  const starts: number[] = [];
  const steps: number[] = [];
  const shape: number[] = [];
  const outputShape: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const size = input.shape[axis];
    if (axis >= begin.length) {
      starts.push(0);
      steps.push(1);
      shape.push(size);
      outputShape.push(size);
      continue;
    }
    const step = strides[axis];
    if (step === 0) context.unsupported(`stride of axis ${axis} is 0`);
    const bit = 1 << axis;
    const clampIndex = (index: number) => {
      const absolute = index < 0 ? index + size : index;
      return step > 0
        ? Math.min(Math.max(absolute, 0), size)
        : Math.min(Math.max(absolute, -1), size - 1);
    };
    const start = mask("beginMask") & bit ? (step > 0 ? 0 : size - 1) : clampIndex(begin[axis]);
    let stop: number;
    if (mask("shrinkAxisMask") & bit) {
      const index = begin[axis] < 0 ? begin[axis] + size : begin[axis];
      if (index < 0 || index >= size) {
        context.unsupported(`index ${begin[axis]} is outside axis ${axis}`);
      }
      starts.push(index);
      steps.push(1);
      shape.push(1);
      continue;
    } else if (mask("endMask") & bit) {
      stop = step > 0 ? size : -1;
    } else {
      stop = clampIndex(options.offset ? begin[axis] + end[axis] : end[axis]);
    }
    const count = Math.max(0, Math.ceil((stop - start) / step));
    starts.push(start);
    steps.push(step);
    shape.push(count);
    outputShape.push(count);
  }
  return sliceRun(context, input, { starts, steps, shape }, outputShape);
}
