/** MAXIMUM and MINIMUM: float32 and int32 on `float_binary.ts`, quantized ones on stored values. */
import type { OpContext, OpKernel, PreparedOp } from "../../op.ts";
import { floatBinary } from "./float_binary.ts";
import { broadcastBinary } from "../common/broadcast.ts";
import { integerInput, requireSharedParameters } from "../../quantization/parameters.ts";

/**
 * MAXIMUM and MINIMUM on int8/uint8/int16: the larger (smaller) raw value, broadcast as TFLite does;
 * TFLite requires the inputs and the output to share their parameters.
 */
function integerExtremum(largest: boolean): OpKernel {
  return (context) => {
    const a = integerInput(context, 0);
    const b = context.input(1, a.dtype);
    const output = context.output(0, a.dtype);
    requireSharedParameters(context, [a, b], output);
    return broadcastBinary(context, a, b, output, largest ? Math.max : Math.min);
  };
}

/** MAXIMUM: integer for int8, uint8 and int16 inputs, float32 or int32 otherwise. */
export function maximum(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerExtremum(true)(context);
    default:
      return floatBinary("MAXIMUM")(context);
  }
}

/** MINIMUM: integer for int8, uint8 and int16 inputs, float32 or int32 otherwise. */
export function minimum(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerExtremum(false)(context);
    default:
      return floatBinary("MINIMUM")(context);
  }
}
