/** TILE and BROADCAST_TO, as separable copies, for any dtype. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { stridesOf } from "../common/broadcast.ts";
import { copiedInput, separableCopy } from "./movement_common.ts";

/** TILE: the input repeated `multiples[axis]` times along each axis (constant input 1). */
export function tile(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const rank = input.shape.length;
  const multiples = context.integers(context.input(1), "multiples");
  if (multiples.length !== rank || multiples.some((count) => count < 0)) {
    context.unsupported(`multiples [${multiples}] do not fit a rank-${rank} input`);
  }
  output.shape = input.shape.map((size, axis) => size * multiples[axis]);
  const strides = stridesOf(input.shape);
  const terms = input.shape.map((size, axis) => (index: number) => (index % size) * strides[axis]);
  return separableCopy(context, input, output, terms);
}

/** BROADCAST_TO the constant shape (input 1), numpy's broadcasting rules. */
export function broadcastTo(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const shape = context.integers(context.input(1), "shape");
  const rank = shape.length;
  const padded = [...new Array(Math.max(0, rank - input.shape.length)).fill(1), ...input.shape];
  if (padded.length !== rank || padded.some((size, axis) => size !== 1 && size !== shape[axis])) {
    context.unsupported(`[${input.shape}] does not broadcast to [${shape}]`);
  }
  output.shape = shape;
  const strides = stridesOf(padded);
  const terms = padded.map((size, axis) => (index: number) =>
    size === 1 ? 0 : index * strides[axis]
  );
  return separableCopy(context, input, output, terms);
}
