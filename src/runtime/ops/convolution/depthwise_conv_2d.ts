/** DEPTHWISE_CONV_2D: the one place that chooses its float32, hybrid or integer path. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { checkDepthwiseOperands } from "../common/layer_operands.ts";
import { floatDepthwiseConv2d } from "./convolution_float.ts";
import { hybridDepthwiseConv2d } from "./convolution_hybrid.ts";
import { integerDepthwiseConv2d } from "./convolution_integer.ts";

/**
 * DEPTHWISE_CONV_2D: integer for int8, uint8 and int16 inputs, hybrid for float32 inputs with
 * int8 filters, float32 otherwise.
 */
export function depthwiseConv2d(context: OpContext): PreparedOp {
  checkDepthwiseOperands(context);
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerDepthwiseConv2d(context);
    case "float32":
      return context.inputs[1]?.dtype === "int8"
        ? hybridDepthwiseConv2d(context)
        : floatDepthwiseConv2d(context);
    default:
      return floatDepthwiseConv2d(context);
  }
}
