/** BATCH_MATMUL: the one place that chooses its float32, hybrid or integer path. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { floatBatchMatmul } from "./batch_matmul_float.ts";
import { hybridBatchMatmul } from "./batch_matmul_hybrid.ts";
import { integerBatchMatmul } from "./batch_matmul_integer.ts";

/**
 * BATCH_MATMUL: integer for int8, uint8 and int16 left sides, hybrid for a float32 left side
 * with an int8 right side, float32 otherwise.
 */
export function batchMatmul(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerBatchMatmul(context);
    case "float32":
      return context.inputs[1]?.dtype === "int8"
        ? hybridBatchMatmul(context)
        : floatBatchMatmul(context);
    default:
      return floatBatchMatmul(context);
  }
}
