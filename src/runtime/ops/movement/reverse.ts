/** REVERSE_V2: a tensor with the constant axes reversed, for any dtype, as a separable copy. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { normalizeAxis } from "../common/axes.ts";
import { stridesOf } from "../common/broadcast.ts";
import { copiedInput, separableCopy } from "./movement_common.ts";

/** REVERSE_V2 over the axes listed in input 1 (quantized outputs share the input's parameters). */
export function reverseV2(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const rank = input.shape.length;
  const axes = new Set(
    context.integers(context.input(1), "axes").map((axis) => normalizeAxis(context, axis, rank)),
  );
  output.shape = [...input.shape];
  const strides = stridesOf(input.shape);
  const terms = input.shape.map((size, axis) => (index: number) =>
    (axes.has(axis) ? size - 1 - index : index) * strides[axis]
  );
  return separableCopy(context, input, output, terms);
}
