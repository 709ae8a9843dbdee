/** CONV_2D: the one place that chooses its float32, hybrid or integer path. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { checkConvolutionOperands } from "../common/layer_operands.ts";
import { floatConv2d } from "./convolution_float.ts";
import { hybridConv2d } from "./convolution_hybrid.ts";
import { integerConv2d } from "./convolution_integer.ts";

/**
 * CONV_2D: integer for int8, uint8 and int16 inputs, hybrid for float32 inputs with int8
 * filters, float32 otherwise.
 */
export function conv2d(context: OpContext): PreparedOp {
  checkConvolutionOperands(context);
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerConv2d(context);
    case "float32":
      return context.inputs[1]?.dtype === "int8" ? hybridConv2d(context) : floatConv2d(context);
    default:
      return floatConv2d(context);
  }
}
