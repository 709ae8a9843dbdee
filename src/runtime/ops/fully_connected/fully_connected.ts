/** FULLY_CONNECTED: the one place that chooses its float32, hybrid or integer path. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { checkFullyConnectedOperands } from "../common/layer_operands.ts";
import { floatFullyConnected } from "./fully_connected_float.ts";
import { hybridFullyConnected } from "./fully_connected_hybrid.ts";
import { integerFullyConnected } from "./fully_connected_integer.ts";

/**
 * FULLY_CONNECTED: integer for int8, uint8 and int16 inputs, hybrid for float32 inputs with int8
 * weights, float32 otherwise.
 */
export function fullyConnected(context: OpContext): PreparedOp {
  checkFullyConnectedOperands(context);
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerFullyConnected(context);
    case "float32":
      return context.inputs[1]?.dtype === "int8"
        ? hybridFullyConnected(context)
        : floatFullyConnected(context);
    default:
      return floatFullyConnected(context);
  }
}
