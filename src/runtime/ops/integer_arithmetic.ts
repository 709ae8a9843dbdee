/**
 * Quantized DIV, SQUARED_DIFFERENCE and PRELU (int8/uint8), bit-exact with TensorFlow Lite's
 * reference kernels, all with broadcasting. DIV divides by a fixed-point reciprocal (gemmlowp's
 * one_over_one_plus_x_for_x_in_0_1, three Newton-Raphson steps); SQUARED_DIFFERENCE brings both
 * inputs to a common scale with a 7-bit left shift, as ADD does with 20 bits.
 */
import type { OpContext, PreparedOp } from "../op.ts";
import type { RuntimeTensor } from "../tensor.ts";
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierSmallerThanOne,
  quantizeMultiplier,
  saturatingRoundingDoublingHighMul,
} from "../quantized/fixed_point.ts";
import { broadcastBinary } from "./common.ts";
import { activationRange, params } from "./quantized_params.ts";

const f = Math.fround;
const INT32_MAX = 2 ** 31 - 1;

/** a op b over broadcast int8/uint8 inputs into the output, by `combine` on the raw values. */
function binary(
  context: OpContext,
  prepare: (
    a: RuntimeTensor,
    b: RuntimeTensor,
    output: RuntimeTensor,
  ) => (x: number, y: number) => number,
): PreparedOp {
  const a = context.input(0, "int8", "uint8");
  const b = context.input(1, a.dtype);
  const output = context.output(0, a.dtype);
  return broadcastBinary(context, a, b, output, prepare(a, b, output));
}

/** gemmlowp's SaturatingRoundingMultiplyByPOT for a positive exponent: x * 2^e, saturated. */
function saturatingShiftLeft(x: number, exponent: number): number {
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return -(2 ** 31);
  return x * 2 ** exponent;
}

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
  return binary(context, (a, b, output) => {
    const pa = params(context, a);
    const pb = params(context, b);
    const po = params(context, output);
    const [multiplier, shift] = quantizeMultiplier(f(pa.scale / f(pb.scale * po.scale)));
    const [low, high] = activationRange(context, output);
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

/**
 * SQUARED_DIFFERENCE on int8/uint8: both inputs (minus their zero points) shifted left by 7 bits
 * and rescaled to twice the larger input scale (multipliers below one), their difference
 * squared, rescaled by (twice the larger scale)^2 / (2^14 x output scale), plus the output zero
 * point, clamped to the type.
 */
export function integerSquaredDifference(context: OpContext): PreparedOp {
  return binary(context, (a, b, output) => {
    const pa = params(context, a);
    const pb = params(context, b);
    const po = params(context, output);
    const leftShift = 7;
    const twiceMax = 2 * Math.max(pa.scale, pb.scale);
    const [multiplierA, shiftA] = quantizeMultiplier(pa.scale / twiceMax);
    const [multiplierB, shiftB] = quantizeMultiplier(pb.scale / twiceMax);
    const [multiplierOut, shiftOut] = quantizeMultiplier(
      (twiceMax * twiceMax) / (2 ** (2 * leftShift) * po.scale),
    );
    const [low, high] = activationRange(context, output);
    return (x, y) => {
      const scaledA = multiplyByQuantizedMultiplierSmallerThanOne(
        (x - pa.zeroPoint) * 2 ** leftShift,
        multiplierA,
        shiftA,
      );
      const scaledB = multiplyByQuantizedMultiplierSmallerThanOne(
        (y - pb.zeroPoint) * 2 ** leftShift,
        multiplierB,
        shiftB,
      );
      const difference = scaledA - scaledB;
      const value =
        multiplyByQuantizedMultiplier(difference * difference, multiplierOut, shiftOut) +
        po.zeroPoint;
      return Math.min(high, Math.max(low, value));
    };
  });
}

/**
 * PRELU on int8/uint8: x - zero point kept as it is when not negative, else times alpha - its
 * zero point; each branch rescaled by its own multiplier, in / out and in x alpha / out, TFLite
 * computing both real multipliers in float32.
 */
export function integerPrelu(context: OpContext): PreparedOp {
  return binary(context, (input, alpha, output) => {
    const pin = params(context, input);
    const pa = params(context, alpha);
    const po = params(context, output);
    const [positiveMultiplier, positiveShift] = quantizeMultiplier(f(pin.scale / po.scale));
    const [negativeMultiplier, negativeShift] = quantizeMultiplier(
      f(f(pin.scale * pa.scale) / po.scale),
    );
    const [low, high] = activationRange(context, output);
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
