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
 * Prepares a slice: `spec`'s input coordinates (in `inputShape`, the input's shape or that shape
 * with size-1 dimensions inserted), into an output of `outputShape` (`spec.shape` without the
 * shrunk axes of 1).
 */
function sliceRun(
  context: OpContext,
  input: RuntimeTensor,
  spec: SliceSpec,
  outputShape: number[],
  inputShape = input.shape,
) {
  const output = context.output(0, input.dtype);
  output.shape = outputShape;
  const strides = stridesOf(inputShape);
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

/** STRIDED_SLICE's arguments over the input's dimensions with new axes inserted. */
interface EffectiveSlice {
  shape: number[];
  begin: number[];
  end: number[];
  strides: number[];
  beginMask: number;
  endMask: number;
  shrinkMask: number;
}

/**
 * TFLite's BuildStridedSliceParams: the ellipsis expands to the dimensions the spec leaves out
 * (whole extents), each new axis (outside the ellipsis) becomes a size-1 dimension of the input
 * taken whole, dimensions past the spec are taken whole; the other entries keep their own begin,
 * end, stride and mask bits.
 */
function effectiveSlice(
  inputShape: number[],
  begin: number[],
  end: number[],
  strides: number[],
  mask: (name: string) => number,
): EffectiveSlice {
  const count = begin.length;
  const ellipsisMask = mask("ellipsisMask");
  const newAxisMask = mask("newAxisMask");
  let added = 0;
  for (let i = 0; i < count; i++) {
    if (!(ellipsisMask & (1 << i)) && newAxisMask & (1 << i)) added++;
  }
  const dims = inputShape.length + added;
  let ellipsisSet = 0;
  let newAxisSet = 0;
  let ellipsisStart = dims;
  let expanded = 0;
  for (let i = 0; i < dims;) {
    if (ellipsisMask & (1 << i)) {
      ellipsisStart = i;
      const ellipsisEnd = Math.max(
        i + 1,
        Math.min(i + 1 + added + inputShape.length - count, dims),
      );
      expanded = ellipsisEnd - ellipsisStart - 1;
      for (; i < ellipsisEnd; i++) ellipsisSet |= 1 << i;
      continue;
    }
    if (newAxisMask & (1 << (i - expanded))) newAxisSet |= 1 << i;
    i++;
  }
  const result: EffectiveSlice = {
    shape: [],
    begin: [],
    end: [],
    strides: [],
    beginMask: 0,
    endMask: 0,
    shrinkMask: 0,
  };
  let addedEllipsis = 0;
  let addedAxes = 0;
  /** Dimension `i` (bit `bit`) taken whole: both masks set. */
  const whole = (i: number, bit: number) => {
    result.begin.push(0);
    result.end.push(0);
    result.strides.push(1);
    result.beginMask |= bit;
    result.endMask |= bit;
    result.shape.push(inputShape[i - addedAxes]);
  };
  for (let i = 0; i < dims; i++) {
    const bit = 1 << i;
    if (ellipsisSet & bit) {
      addedEllipsis = Math.max(0, i - ellipsisStart);
      whole(i, bit);
    } else if (newAxisSet & bit) {
      result.begin.push(0);
      result.end.push(1);
      result.strides.push(1);
      result.shape.push(1);
      addedAxes++;
    } else if (i >= count + expanded) {
      whole(i, bit);
    } else {
      const original = i - addedEllipsis;
      result.begin.push(begin[original]);
      result.end.push(end[original]);
      result.strides.push(strides[original]);
      if (mask("beginMask") & (1 << original)) result.beginMask |= bit;
      if (mask("endMask") & (1 << original)) result.endMask |= bit;
      if (mask("shrinkAxisMask") & (1 << original)) result.shrinkMask |= bit;
      result.shape.push(inputShape[i - addedAxes]);
    }
  }
  return result;
}

/**
 * STRIDED_SLICE with TFLite's masks: the ellipsis and new axes first (`effectiveSlice`), then per
 * dimension begin_mask / end_mask take the whole extent, negative indices count from the end and
 * are clamped, `offset` makes end relative to begin, shrink_axis_mask keeps one element and drops
 * the dimension.
 */
export function stridedSlice(context: OpContext): PreparedOp {
  const input = context.input(0);
  const rank = input.shape.length;
  const begin = context.integers(context.input(1), "begin");
  const end = context.integers(context.input(2), "end");
  const strides = context.integers(context.input(3), "strides");
  const options = context.options;
  const mask = (name: string) => Number(options[name] ?? 0);
  if (end.length !== begin.length || strides.length !== begin.length) {
    context.unsupported("begin, end and strides must have the same length");
  }
  const spec = effectiveSlice(input.shape, begin, end, strides, mask);
  if (spec.shape.length < rank || spec.begin.length !== spec.shape.length) {
    context.unsupported(`the slice spec does not fit input [${input.shape}]`);
  }
  const starts: number[] = [];
  const steps: number[] = [];
  const shape: number[] = [];
  const outputShape: number[] = [];
  spec.shape.forEach((size, axis) => {
    const step = spec.strides[axis];
    if (step === 0) context.unsupported(`stride of dimension ${axis} is 0`);
    const bit = 1 << axis;
    const clampIndex = (index: number) => {
      const absolute = index < 0 ? index + size : index;
      return step > 0
        ? Math.min(Math.max(absolute, 0), size)
        : Math.min(Math.max(absolute, -1), size - 1);
    };
    if (spec.shrinkMask & bit) {
      const index = spec.begin[axis] < 0 ? spec.begin[axis] + size : spec.begin[axis];
      if (index < 0 || index >= size) {
        context.unsupported(`index ${spec.begin[axis]} is outside dimension ${axis}`);
      }
      starts.push(index);
      steps.push(1);
      shape.push(1);
      return;
    }
    const start = spec.beginMask & bit ? (step > 0 ? 0 : size - 1) : clampIndex(spec.begin[axis]);
    const stop = spec.endMask & bit
      ? (step > 0 ? size : -1)
      : clampIndex(options.offset ? spec.begin[axis] + spec.end[axis] : spec.end[axis]);
    const count = Math.max(0, Math.ceil((stop - start) / step));
    starts.push(start);
    steps.push(step);
    shape.push(count);
    outputShape.push(count);
  });
  return sliceRun(context, input, { starts, steps, shape }, outputShape, spec.shape);
}
