/** SPLIT, SPLIT_V and UNPACK as block copies, for any dtype. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { axisInput, normalizeAxis } from "../common/axes.ts";
import { copyBlocks, elementBytes } from "./movement_common.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** The block copies that cut `input` along `axis` into `outputs` of the given axis sizes. */
function splitRun(
  context: OpContext,
  input: RuntimeTensor,
  axis: number,
  sizes: number[],
  drop: boolean,
) {
  const outputs = context.outputs.map((_, position) => context.output(position, input.dtype));
  if (outputs.length !== sizes.length) {
    context.unsupported(`${sizes.length} pieces, but ${outputs.length} outputs`);
  }
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
  return { run: () => copyBlocks(memory, blocks, input, outer, false) };
}

/** UNPACK: one output per index along `axis`, the axis dropped. */
export function unpack(context: OpContext): PreparedOp {
  const input = context.input(0);
  const axis = normalizeAxis(context, Number(context.options.axis ?? 0), input.shape.length);
  return splitRun(context, input, axis, new Array(input.shape[axis]).fill(1), true);
}

/** SPLIT: `num_splits` equal pieces along the constant axis (input 0). */
export function split(context: OpContext): PreparedOp {
  const input = context.input(1);
  const axis = axisInput(context, 0, input.shape.length);
  const pieces = Number(context.options.numSplits ?? context.outputs.length);
  if (pieces < 1 || input.shape[axis] % pieces !== 0) {
    context.unsupported(`axis ${axis} of [${input.shape}] does not split into ${pieces}`);
  }
  return splitRun(context, input, axis, new Array(pieces).fill(input.shape[axis] / pieces), false);
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
  return splitRun(context, input, axis, resolved, false);
}
