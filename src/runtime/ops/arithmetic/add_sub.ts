/**
 * ADD and SUB: float32 and int32 on `float_binary.ts`; int8 and most int16 on the wasm, uint8 and
 * the other int16 here.
 */
import type { OpContext, OpKernel, PreparedOp } from "../../op.ts";
import { commonScale } from "./arithmetic_common.ts";
import { floatBinary } from "./float_binary.ts";
import { qs8Binary } from "./int8_binary.ts";
import { quantizedActivationRange } from "../common/activation_range.ts";
import { broadcastBinary, broadcastShapes, broadcastWalk } from "../common/broadcast.ts";
import {
  multiplyByQuantizedMultiplierSmallerThanOne,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import { integerInput, params } from "../../quantization/parameters.ts";

/**
 * ADD and SUB on int8/uint8/int16 (TFLite's reference): both inputs are shifted left by 20 bits
 * (15 for int16, whose general-scale form TensorFlow marks with `potScaleInt16: false`) and
 * brought to a common scale (twice the larger input scale) by multipliers below one, summed,
 * then rescaled to the output; every multiplication rounds as `multiplyByQuantizedMultiplier
 * SmallerThanOne`.
 */
function integerAddSub(subtract: boolean): OpKernel {
  return (context) => {
    const a = integerInput(context, 0);
    const b = context.input(1, a.dtype);
    const output = context.output(0, a.dtype);
    output.shape = broadcastShapes(context, a.shape, b.shape);
    const pa = params(context, a);
    const pb = params(context, b);
    const po = params(context, output);
    if (a.dtype === "int16" && context.options.potScaleInt16 !== false) {
      context.unsupported(
        "int16 ADD/SUB with power-of-two scales (pot_scale_int16) is not supported",
      );
    }
    const leftShift = a.dtype === "int16" ? 15 : 20;
    const common = commonScale(pa, pb, leftShift);
    const [[, shiftA], [, shiftB]] = common.multipliers;
    const [multiplierOut, shiftOut] = quantizeMultiplier(
      common.twiceMax / (2 ** leftShift * po.scale),
    );
    const [low, high] = quantizedActivationRange(context, output);
    const walk = broadcastWalk(a.shape, b.shape, output.shape);
    // int16 on wasm where no multiplier shifts left (`qs16_binary`).
    const int16Wasm = a.dtype === "int16" &&
      [shiftA, shiftB, shiftOut].every((shift) => shift <= 0 && shift >= -30);
    if (a.dtype === "int8" || int16Wasm) {
      return qs8Binary(context, {
        op: subtract ? "SUB" : "ADD",
        a,
        b,
        output,
        zeroPoints: [pa.zeroPoint, pb.zeroPoint, po.zeroPoint],
        low,
        high,
        multipliers: [...common.multipliers, [multiplierOut, shiftOut]],
        walk,
      });
    }
    return broadcastBinary(context, a, b, output, (x, y) => {
      const scaledA = common.scaleA(x);
      const scaledB = common.scaleB(y);
      const sum = subtract ? scaledA - scaledB : scaledA + scaledB;
      const value = multiplyByQuantizedMultiplierSmallerThanOne(sum, multiplierOut, shiftOut) +
        po.zeroPoint;
      return Math.min(high, Math.max(low, value));
    });
  };
}

/** ADD: integer for int8, uint8 and int16 inputs, float32 or int32 otherwise. */
export function add(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerAddSub(false)(context);
    default:
      return floatBinary("ADD")(context);
  }
}

/** SUB: integer for int8, uint8 and int16 inputs, float32 or int32 otherwise. */
export function sub(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerAddSub(true)(context);
    default:
      return floatBinary("SUB")(context);
  }
}
