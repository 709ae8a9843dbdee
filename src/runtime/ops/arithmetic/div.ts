/**
 * DIV: float32 and int32 on `float_binary.ts`; int8/uint8 bit-exact with TensorFlow Lite's
 * reference kernel, dividing by a fixed-point reciprocal (gemmlowp's
 * one_over_one_plus_x_for_x_in_0_1, three Newton-Raphson steps).
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { quantizedBinary } from "./arithmetic_common.ts";
import { floatBinary } from "./float_binary.ts";
import { quantizedActivationRange } from "../common/activation_range.ts";
import {
  multiplyByQuantizedMultiplierSmallerThanOne,
  quantizeMultiplier,
  saturatingRoundingDoublingHighMul,
  saturatingShiftLeft,
} from "../../quantization/fixed_point.ts";
import { params } from "../../quantization/parameters.ts";

const f = Math.fround;
const INT32_MAX = 2 ** 31 - 1;

/**
 * TFLite's GetReciprocal(x, 31): 1 / x for x > 0 as a Q0.31 fraction and the number of bits the
 * value lies above 1. x is normalised to [1, 2) (its leading zeros), and gemmlowp's
 * one_over_one_plus_x_for_x_in_0_1 refines 48/17 - 32/17 d three times (Newton-Raphson), d the
 * half denominator, in fixed point with two integer bits.
 */
export function reciprocal(x: number): { inverse: number; bitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x);
  const bitsOverUnit = 31 - headroomPlusOne;
  const shiftedMinusOne = ((x * 2 ** headroomPlusOne) - 2 ** 31) | 0;
  const mul = saturatingRoundingDoublingHighMul;
  // RoundingHalfSum(a, 1.0), 1.0 being the largest Q0.31 value.
  const sum = shiftedMinusOne + INT32_MAX;
  const halfDenominator = Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
  let estimate = (1515870810 + mul(halfDenominator, -1010580540)) | 0;
  for (let step = 0; step < 3; step++) {
    const product = mul(halfDenominator, estimate);
    const oneMinus = (2 ** 29 - product) | 0;
    estimate = (estimate + saturatingShiftLeft(mul(estimate, oneMinus), 2)) | 0;
  }
  return { inverse: saturatingShiftLeft(estimate, 1), bitsOverUnit };
}

/** gemmlowp's CountLeadingSignBits for int32 (31 for zero). */
function leadingSignBits(x: number): number {
  if (x === 0) return 31;
  return Math.clz32(x >= 0 ? x : ~x) - 1;
}

/**
 * DIV on int8/uint8: with a = x - za and b = y - zb (signs moved so that b > 0), a x (1 / b) by
 * a reciprocal multiplier after shifting a left by its headroom, then rescaled by input1 scale /
 * (input2 scale x output scale) (float32) with the combined shift, plus the output zero point,
 * clamped to the activation range. A zero divisor saturates toward the dividend's sign.
 */
export function integerDiv(context: OpContext): PreparedOp {
  return quantizedBinary(context, (a, b, output) => {
    const pa = params(context, a);
    const pb = params(context, b);
    const po = params(context, output);
    const [multiplier, shift] = quantizeMultiplier(f(pa.scale / f(pb.scale * po.scale)));
    const [low, high] = quantizedActivationRange(context, output);
    return (x, y) => {
      let dividend = x - pa.zeroPoint;
      let divisor = y - pb.zeroPoint;
      if (divisor === 0) return dividend >= 0 ? high : low; // TFLite leaves this undefined
      if (divisor < 0) {
        dividend = -dividend;
        divisor = -divisor;
      }
      const { inverse, bitsOverUnit } = reciprocal(divisor);
      const headroom = leadingSignBits(dividend);
      const quotient = saturatingRoundingDoublingHighMul(dividend * 2 ** headroom, inverse);
      const value = po.zeroPoint + multiplyByQuantizedMultiplierSmallerThanOne(
        quotient,
        multiplier,
        shift - bitsOverUnit - headroom,
      );
      return Math.min(high, Math.max(low, value));
    };
  });
}

/** DIV: integer for int8, uint8 and int16 inputs, float32 or int32 otherwise. */
export function div(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerDiv(context);
    default:
      return floatBinary("DIV")(context);
  }
}
