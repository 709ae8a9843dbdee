/**
 * PRELU: float32 in TypeScript; int8/uint8 bit-exact with TensorFlow Lite's reference kernel,
 * each branch rescaled by its own multiplier.
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { quantizedBinary } from "../arithmetic/arithmetic_common.ts";
import { quantizedActivationRange } from "../common/activation_range.ts";
import { broadcastBinary } from "../common/broadcast.ts";
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import { params } from "../../quantization/parameters.ts";

const f = Math.fround;

/** PRELU on float32: x where x >= 0, else alpha * x, alpha (input 1) broadcast. */
export function floatPrelu(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const alpha = context.input(1, "float32");
  const output = context.output(0, "float32");
  return broadcastBinary(context, input, alpha, output, (x, slope) => (x >= 0 ? x : x * slope));
}

/**
 * PRELU on int8/uint8: x - zero point kept as it is when not negative, else times alpha - its
 * zero point; each branch rescaled by its own multiplier, in / out and in x alpha / out, TFLite
 * computing both real multipliers in float32.
 */
export function integerPrelu(context: OpContext): PreparedOp {
  return quantizedBinary(context, (input, alpha, output) => {
    const pin = params(context, input);
    const pa = params(context, alpha);
    const po = params(context, output);
    const [positiveMultiplier, positiveShift] = quantizeMultiplier(f(pin.scale / po.scale));
    const [negativeMultiplier, negativeShift] = quantizeMultiplier(
      f(f(pin.scale * pa.scale) / po.scale),
    );
    const [low, high] = quantizedActivationRange(context, output);
    return (x, slope) => {
      const centred = x - pin.zeroPoint;
      const value = centred >= 0
        ? multiplyByQuantizedMultiplier(centred, positiveMultiplier, positiveShift)
        : multiplyByQuantizedMultiplier(
          centred * (slope - pa.zeroPoint),
          negativeMultiplier,
          negativeShift,
        );
      return Math.min(high, Math.max(low, value + po.zeroPoint));
    };
  });
}

/** PRELU: integer for int8, uint8 and int16 inputs, float32 otherwise. */
export function prelu(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerPrelu(context);
    default:
      return floatPrelu(context);
  }
}
