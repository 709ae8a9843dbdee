/**
 * SPLIT, SPLIT_V and UNPACK as block copies, for any dtype. SPLIT's axis may be computed at run
 * time: its pieces' shapes are then known only at invoke (dynamic tensors, as TFLite's).
 */
import { elementCount } from "../../../format/dtype.ts";
import { InvokeError } from "../../errors.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { axisInput, axisWithin, normalizeAxis } from "../common/axes.ts";
import { copyBlocks, elementBytes } from "./movement_common.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** The outputs, one per piece, of `input`'s dtype. */
function pieceOutputs(context: OpContext, input: RuntimeTensor, pieces: number): RuntimeTensor[] {
  const outputs = context.outputs.map((_, position) => context.output(position, input.dtype));
  if (outputs.length !== pieces) {
    context.unsupported(`${pieces} pieces, but ${outputs.length} outputs`);
  }
  return outputs;
}

/**
 * Gives `outputs` the shapes of `input` cut along `axis` into pieces of the given axis sizes (the
 * axis dropped when `drop`) and returns the block copies that cut it.
 */
function cut(
  context: OpContext,
  input: RuntimeTensor,
  outputs: RuntimeTensor[],
  axis: number,
  sizes: number[],
  drop: boolean,
): () => void {
  outputs.forEach((tensor, position) => {
    tensor.shape = drop
      ? input.shape.filter((_, at) => at !== axis)
      : input.shape.map((size, at) => (at === axis ? sizes[position] : size));
  });
  const outer = elementCount(input.shape.slice(0, axis));
  const innerBytes = elementCount(input.shape.slice(axis + 1)) * elementBytes(input);
  const blocks = outputs.map((tensor, position) => ({
    tensor,
    bytes: sizes[position] * innerBytes,
  }));
  const memory = context.memory;
  return () => copyBlocks(memory, blocks, input, outer, false);
}

/** UNPACK: one output per index along `axis`, the axis dropped. */
export function unpack(context: OpContext): PreparedOp {
  const input = context.input(0);
  const axis = normalizeAxis(context, Number(context.options.axis ?? 0), input.shape.length);
  const outputs = pieceOutputs(context, input, input.shape[axis]);
  return { run: cut(context, input, outputs, axis, new Array(outputs.length).fill(1), true) };
}

/**
 * SPLIT: `num_splits` equal pieces of input 1 along the axis input 0 holds: a constant, or a
 * value computed at run time, read at every invoke (then an axis outside the input or a size the
 * pieces do not divide is an `InvokeError`).
 */
export function split(context: OpContext): PreparedOp {
  const input = context.input(1);
  const pieces = Number(context.options.numSplits ?? context.outputs.length);
  const rank = input.shape.length;
  const problem = (axis: number) =>
    pieces < 1 || input.shape[axis] % pieces !== 0
      ? `axis ${axis} of [${input.shape}] does not split into ${pieces}`
      : null;
  const sizes = (axis: number) => new Array(pieces).fill(input.shape[axis] / pieces);
  if (context.input(0).constant) {
    const axis = axisInput(context, 0, rank);
    const refused = problem(axis);
    if (refused) context.unsupported(refused);
    return {
      run: cut(context, input, pieceOutputs(context, input, pieces), axis, sizes(axis), false),
    };
  }
  const axisTensor = context.input(0, "int32", "int64");
  context.expectElements(axisTensor, "axis", 1, "axis");
  const outputs = pieceOutputs(context, input, pieces);
  const memory = context.memory;
  let run = () => {};
  return {
    reshape() {
      const value = Number(memory.view(axisTensor.dtype, axisTensor.offset, 1)[0]);
      const axis = axisWithin(value, rank);
      if (axis === null) {
        throw new InvokeError(
          context.where,
          `${context.describe(axisTensor, "axis")} holds ${value}, outside a rank-${rank} input`,
        );
      }
      const refused = problem(axis);
      if (refused) throw new InvokeError(context.where, refused);
      run = cut(context, input, outputs, axis, sizes(axis), false);
    },
    run: () => run(),
  };
}

/** SPLIT_V: pieces of constant sizes (one may be -1) along the constant axis (input 2). */
export function splitV(context: OpContext): PreparedOp {
  const input = context.input(0);
  const sizes = context.integers(context.input(1), "size_splits");
  const axis = axisInput(context, 2, input.shape.length);
  const known = sizes.filter((size) => size !== -1).reduce((sum, size) => sum + size, 0);
  const resolved = sizes.map((size) => (size === -1 ? input.shape[axis] - known : size));
  if (
    resolved.some((size) => size < 0) ||
    resolved.reduce((sum, size) => sum + size, 0) !== input.shape[axis]
  ) {
    context.unsupported(`sizes [${sizes}] do not add up to axis ${axis} of [${input.shape}]`);
  }
  const outputs = pieceOutputs(context, input, resolved.length);
  return { run: cut(context, input, outputs, axis, resolved, false) };
}
