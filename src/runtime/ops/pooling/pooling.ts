/** MAX_POOL_2D and AVERAGE_POOL_2D: the one place that chooses their float32 or integer path. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { floatPool } from "./pooling_float.ts";
import { integerPool } from "./pooling_integer.ts";

/** MAX_POOL_2D: integer for int8, uint8 and int16 inputs, float32 otherwise. */
export function maxPool2d(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerPool(false)(context);
    default:
      return floatPool(context, false);
  }
}

/** AVERAGE_POOL_2D: the mean over the window's elements inside the image; integer for int8, uint8
 * and int16 inputs, float32 otherwise. */
export function averagePool2d(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerPool(true)(context);
    default:
      return floatPool(context, true);
  }
}
