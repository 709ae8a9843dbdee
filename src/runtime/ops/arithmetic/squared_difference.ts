/**
 * SQUARED_DIFFERENCE: float32 and int32 on `float_binary.ts`; int8/uint8 bit-exact with
 * TensorFlow Lite's reference kernel, both inputs brought to a common scale with a 7-bit left
 * shift, as ADD does with 20 bits.
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { commonScale, quantizedBinary } from "./arithmetic_common.ts";
import { floatBinary } from "./float_binary.ts";
import { quantizedActivationRange } from "../common/activation_range.ts";
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import { params } from "../../quantization/parameters.ts";

/**
 * SQUARED_DIFFERENCE on int8/uint8: both inputs (minus their zero points) shifted left by 7 bits
 * and rescaled to twice the larger input scale (multipliers below one), their difference
 * squared, rescaled by (twice the larger scale)^2 / (2^14 x output scale), plus the output zero
 * point, clamped to the type.
 */
export function integerSquaredDifference(context: OpContext): PreparedOp {
  return quantizedBinary(context, (a, b, output) => {
    const pa = params(context, a);
    const pb = params(context, b);
    const po = params(context, output);
    const leftShift = 7;
    const common = commonScale(pa, pb, leftShift);
    const [multiplierOut, shiftOut] = quantizeMultiplier(
      (common.twiceMax * common.twiceMax) / (2 ** (2 * leftShift) * po.scale),
    );
    const [low, high] = quantizedActivationRange(context, output);
    return (x, y) => {
      const difference = common.scaleA(x) - common.scaleB(y);
      const value =
        multiplyByQuantizedMultiplier(difference * difference, multiplierOut, shiftOut) +
        po.zeroPoint;
      return Math.min(high, Math.max(low, value));
    };
  });
}

/** SQUARED_DIFFERENCE: integer for int8, uint8 and int16 inputs, float32 or int32 otherwise. */
export function squaredDifference(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerSquaredDifference(context);
    default:
      return floatBinary("SQUARED_DIFFERENCE")(context);
  }
}
