/** REVERSE_V2: a tensor with the constant axes reversed, for any dtype, as an index map. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { normalizeAxis } from "../common/axes.ts";
import { stridesOf } from "../common/broadcast.ts";
import { copiedInput, forEachCoordinate, mapRun } from "./movement_common.ts";

/** REVERSE_V2 over the axes listed in input 1 (quantized outputs share the input's parameters). */
export function reverseV2(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const rank = input.shape.length;
  const axes = new Set(
    context.integers(context.input(1), "axes").map((axis) => normalizeAxis(context, axis, rank)),
  );
  output.shape = [...input.shape];
  const strides = stridesOf(input.shape);
  const map = new Int32Array(elementCount(input.shape));
  forEachCoordinate(input.shape, (coordinate, index) => {
    let from = 0;
    for (let axis = 0; axis < rank; axis++) {
      const position = axes.has(axis) ? input.shape[axis] - 1 - coordinate[axis] : coordinate[axis];
      from += position * strides[axis];
    }
    map[index] = from;
  });
  return mapRun(context, input, output, map);
}
