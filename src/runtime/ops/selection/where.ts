/** WHERE (one input): the coordinates of the true (non-zero) elements, when known at load. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { stridesOf } from "../common/broadcast.ts";

/**
 * WHERE with a condition known when the model loads (a constant, or computed from shapes): the
 * coordinates [count, rank] of its non-zero elements in row-major order, as int64 (or int32). A
 * condition computed at run time would give an output whose size depends on its values, which
 * liteq's static memory plan cannot hold.
 */
export function where(context: OpContext): PreparedOp {
  const condition = context.input(0, "bool", "float32", "int32", "int64", "int8", "uint8");
  const output = context.output(0, "int64", "int32");
  if (!condition.constant) {
    context.unsupported(
      "the output size depends on the condition's values, known only at run time",
    );
  }
  const values = context.values(condition, "condition");
  const rank = condition.shape.length;
  const strides = stridesOf(condition.shape);
  const coordinates: number[] = [];
  for (let index = 0; index < values.length; index++) {
    if (Number(values[index]) === 0) continue;
    let rest = index;
    for (let axis = 0; axis < rank; axis++) {
      coordinates.push(Math.floor(rest / strides[axis]));
      rest %= strides[axis];
    }
  }
  output.shape = [rank === 0 ? 0 : coordinates.length / rank, rank];
  const memory = context.memory;
  return {
    run() {
      const target = memory.view(output.dtype, output.offset, coordinates.length);
      coordinates.forEach((value, index) => {
        target[index] = output.dtype === "int64" ? BigInt(value) : value;
      });
    },
  };
}
