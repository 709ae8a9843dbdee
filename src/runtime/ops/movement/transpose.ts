/** TRANSPOSE by a constant permutation, as a separable copy, for any dtype. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { normalizeAxis } from "../common/axes.ts";
import { stridesOf } from "../common/broadcast.ts";
import { separableCopy } from "./movement_common.ts";

/** TRANSPOSE by a constant permutation. */
export function transpose(context: OpContext): PreparedOp {
  const input = context.input(0);
  const output = context.output(0, input.dtype);
  const rank = input.shape.length;
  const permutation = context.integers(context.input(1), "permutation")
    .map((axis) => normalizeAxis(context, axis, rank));
  if (permutation.length !== rank || new Set(permutation).size !== rank) {
    context.unsupported(`[${permutation}] is not a permutation of ${rank} axes`);
  }
  output.shape = permutation.map((axis) => input.shape[axis]);
  const strides = stridesOf(input.shape);
  const terms = permutation.map((axis) => (index: number) => index * strides[axis]);
  return separableCopy(context, input, output, terms);
}
