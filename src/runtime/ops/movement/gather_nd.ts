/**
 * GATHER_ND and SCATTER_ND: slices addressed by index tuples, for any dtype (GATHER_ND strings
 * too).
 */
import { elementCount } from "../../../format/dtype.ts";
import { InvokeError } from "../../errors.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import type { RuntimeTensor } from "../../tensor.ts";
import { stridesOf } from "../common/broadcast.ts";
import { gatherStrings } from "./movement_common.ts";

/** The flat offset of the slice an index tuple addresses, or -1 when it lies outside `shape`. */
function sliceOffset(
  tuple: ArrayLike<number | bigint>,
  start: number,
  depth: number,
  shape: number[],
  strides: number[],
): number {
  let offset = 0;
  for (let axis = 0; axis < depth; axis++) {
    const index = Number(tuple[start + axis]);
    if (!(index >= 0 && index < shape[axis])) return -1;
    offset += index * strides[axis];
  }
  return offset;
}

/**
 * What GATHER_ND and SCATTER_ND say of index tuple `slice` when it lies outside `shape` (of
 * `target`, their params or output); constant indices are checked here, at load, the others at
 * invoke, where an outside tuple is an `InvokeError` as TFLite's kernels fail there.
 */
function tupleChecker(
  context: OpContext,
  indices: RuntimeTensor,
  depth: number,
  shape: number[],
  strides: number[],
  target: string,
): (slice: number) => string {
  const outside = (slice: number) =>
    `${context.describe(indices, "indices")}: index tuple ${slice} is outside the ${target} ` +
    `[${shape}]`;
  if (indices.constant) {
    const tuples = context.integers(indices, "indices");
    for (let slice = 0; slice * depth < tuples.length; slice++) {
      if (sliceOffset(tuples, slice * depth, depth, shape, strides) < 0) {
        context.unsupported(outside(slice));
      }
    }
  }
  return outside;
}

/**
 * GATHER_ND: indices [..., depth] address slices params[i0, ..., i(depth-1)]; output =
 * indices.shape[:-1] + params.shape[depth:] (indices outside params: see `tupleChecker`).
 */
export function gatherNd(context: OpContext): PreparedOp {
  const params = context.input(0);
  const indices = context.input(1, "int32", "int64", "int16");
  const output = context.output(0, params.dtype);
  const depth = indices.shape[indices.shape.length - 1] ?? 0;
  if (indices.shape.length === 0 || depth > params.shape.length) {
    context.unsupported(`indices [${indices.shape}] do not fit params [${params.shape}]`);
  }
  output.shape = [...indices.shape.slice(0, -1), ...params.shape.slice(depth)];
  const slices = elementCount(indices.shape.slice(0, -1));
  const sliceSize = elementCount(params.shape.slice(depth));
  const strides = stridesOf(params.shape);
  const outside = tupleChecker(context, indices, depth, params.shape, strides, "params");
  const memory = context.memory;
  /** Calls `copy` with each addressed slice's offset in params and in the output, in order. */
  const forEachSlice = (copy: (from: number, to: number) => void) => {
    const tuples = memory.view(indices.dtype, indices.offset, slices * depth);
    for (let slice = 0; slice < slices; slice++) {
      const from = sliceOffset(tuples, slice * depth, depth, params.shape, strides);
      if (from < 0) throw new InvokeError(context.where, outside(slice));
      copy(from, slice * sliceSize);
    }
  };
  if (params.dtype === "string") return gatherStrings(params, output, sliceSize, forEachSlice);
  return {
    run() {
      const source = memory.view(params.dtype, params.offset, elementCount(params.shape));
      const target = memory.view(output.dtype, output.offset, slices * sliceSize);
      forEachSlice((from, to) => target.set(source.subarray(from, from + sliceSize) as never, to));
    },
  };
}

/**
 * SCATTER_ND: a zero tensor of the constant `shape` (input 2) with each update slice added at the
 * slice its index tuple addresses (repeated tuples add up, in order), for float32 and integers
 * (indices outside the shape: see `tupleChecker`).
 */
export function scatterNd(context: OpContext): PreparedOp {
  const indices = context.input(0, "int32", "int64");
  const updates = context.input(1, "float32", "int32", "int64", "int8", "uint8", "int16");
  const shape = context.integers(context.input(2), "shape");
  const output = context.output(0, updates.dtype);
  const depth = indices.shape[indices.shape.length - 1] ?? 0;
  if (indices.shape.length === 0 || depth > shape.length || shape.some((size) => size < 0)) {
    context.unsupported(`indices [${indices.shape}] do not fit shape [${shape}]`);
  }
  output.shape = shape;
  const slices = elementCount(indices.shape.slice(0, -1));
  const sliceSize = elementCount(shape.slice(depth));
  if (elementCount(updates.shape) !== slices * sliceSize) {
    context.unsupported(`updates [${updates.shape}] do not fit indices [${indices.shape}]`);
  }
  const strides = stridesOf(shape);
  const outside = tupleChecker(context, indices, depth, shape, strides, "shape");
  const memory = context.memory;
  const float = updates.dtype === "float32";
  return {
    run() {
      const tuples = memory.view(indices.dtype, indices.offset, slices * depth);
      const source = memory.view(updates.dtype, updates.offset, slices * sliceSize);
      const target = memory.view(output.dtype, output.offset, elementCount(shape));
      target.fill(updates.dtype === "int64" ? 0n as never : 0 as never);
      for (let slice = 0; slice < slices; slice++) {
        const to = sliceOffset(tuples, slice * depth, depth, shape, strides);
        if (to < 0) throw new InvokeError(context.where, outside(slice));
        for (let index = 0; index < sliceSize; index++) {
          const sum = (target[to + index] as number) +
            (source[slice * sliceSize + index] as number);
          target[to + index] = float ? Math.fround(sum) : sum;
        }
      }
    },
  };
}
