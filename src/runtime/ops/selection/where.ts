/**
 * WHERE (one input): the coordinates of the true (non-zero) elements. Their count is known only
 * once the condition holds its values: at load for a constant condition, else at every invoke,
 * where the output is a dynamic tensor (TFLite's kTfLiteDynamic).
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { sizeOf } from "../../tensor.ts";
import { stridesOf } from "../common/broadcast.ts";

/**
 * WHERE: the coordinates [count, rank] of the condition's non-zero elements in row-major order,
 * as int64 (or int32), for the condition dtypes TensorFlow Lite takes; a scalar condition is
 * refused, as TensorFlow Lite refuses it ("Where op requires condition w/ rank > 0").
 */
export function where(context: OpContext): PreparedOp {
  const condition = context.input(
    0,
    "bool",
    "float32",
    "int32",
    "int64",
    "int8",
    "uint8",
    "uint32",
  );
  const output = context.output(0, "int64", "int32");
  const rank = condition.shape.length;
  if (rank === 0) {
    const role = context.describe(condition, "condition");
    context.unsupported(
      `${role} is a scalar; WHERE takes a condition of rank 1 or more, as TFLite`,
    );
  }
  const strides = stridesOf(condition.shape);
  const memory = context.memory;
  const values = () => memory.view(condition.dtype, condition.offset, sizeOf(condition));
  return {
    reshape() {
      let count = 0;
      for (const value of values()) if (Number(value) !== 0) count++;
      output.shape = [count, rank];
    },
    run() {
      const target = memory.view(output.dtype, output.offset, output.shape[0] * rank);
      const int64 = output.dtype === "int64";
      let at = 0;
      values().forEach((value: number | bigint, index: number) => {
        if (Number(value) === 0) return;
        let rest = index;
        for (let axis = 0; axis < rank; axis++) {
          const coordinate = Math.floor(rest / strides[axis]);
          target[at++] = int64 ? BigInt(coordinate) : coordinate;
          rest %= strides[axis];
        }
      });
    },
  };
}
