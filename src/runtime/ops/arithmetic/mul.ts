/**
 * MUL: float32 and int32 on `float_binary.ts`; int8 and most int16 on the wasm, uint8 and the
 * other int16 here.
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { floatBinary } from "./float_binary.ts";
import { qs8Binary } from "./int8_binary.ts";
import { quantizedActivationRange } from "../common/activation_range.ts";
import { broadcastBinary, broadcastShapes, broadcastWalk } from "../common/broadcast.ts";
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import { integerInput, params } from "../../quantization/parameters.ts";

/**
 * MUL on int8/uint8/int16: (a - za)(b - zb) times scale_a scale_b / scale_out (computed in
 * float32, as TFLite's Prepare does), rounded, plus the output zero point.
 */
export function integerMul(context: OpContext): PreparedOp {
  const a = integerInput(context, 0);
  const b = context.input(1, a.dtype);
  const output = context.output(0, a.dtype);
  output.shape = broadcastShapes(context, a.shape, b.shape);
  const pa = params(context, a);
  const pb = params(context, b);
  const po = params(context, output);
  const [multiplier, shift] = quantizeMultiplier(
    Math.fround(Math.fround(pa.scale * pb.scale) / po.scale),
  );
  const [low, high] = quantizedActivationRange(context, output);
  const walk = broadcastWalk(a.shape, b.shape, output.shape);
  // int16 on wasm where the multiplier does not shift left (`qs16_binary`).
  if (a.dtype === "int8" || (a.dtype === "int16" && shift <= 0 && shift >= -30)) {
    return qs8Binary(context, {
      op: "MUL",
      a,
      b,
      output,
      zeroPoints: [pa.zeroPoint, pb.zeroPoint, po.zeroPoint],
      low,
      high,
      multipliers: [[multiplier, shift]],
      walk,
    });
  }
  return broadcastBinary(context, a, b, output, (x, y) => {
    const product = (x - pa.zeroPoint) * (y - pb.zeroPoint);
    const value = multiplyByQuantizedMultiplier(product, multiplier, shift) + po.zeroPoint;
    return Math.min(high, Math.max(low, value));
  });
}

/** MUL: integer for int8, uint8 and int16 inputs, float32 or int32 otherwise. */
export function mul(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerMul(context);
    default:
      return floatBinary("MUL")(context);
  }
}
