/**
 * Quantized ABS, EXP, LOG, SQRT and RSQRT (the integer paths of `unary_math.ts`), bit-exact with
 * TensorFlow Lite's kernels: EXP, LOG and int16 RSQRT through lookup tables; ABS and SQRT from
 * the dequantized value; int8 RSQRT with TFLite's fixed-point inverse square root
 * (GetInvSqrtQuantizedMultiplierExp).
 */
import type { OpContext, OpKernel, PreparedOp } from "../../op.ts";
import { elementwiseRun } from "../common/elementwise_run.ts";
import { tableKernel } from "../common/table_kernel.ts";
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  saturatingShiftLeft,
} from "../../quantization/fixed_point.ts";
import { params, RANGES } from "../../quantization/parameters.ts";
import type { RuntimeTensor } from "../../tensor.ts";

const f = Math.fround;
const INT32_MAX = 2 ** 31 - 1;

/** Runs `each` over every element of a quantized input into its same-typed output. */
function elementwise(
  context: OpContext,
  dtypes: ("int8" | "uint8" | "int16")[],
  each: (input: RuntimeTensor, output: RuntimeTensor) => (value: number) => number,
): PreparedOp {
  const input = context.input(0, ...dtypes);
  const output = context.output(0, input.dtype);
  output.shape = [...input.shape];
  return elementwiseRun(context, input, output, each(input, output));
}

/**
 * ABS on int8/int16: |x - input zero point|, rescaled by input scale / output scale (a float32
 * quotient; skipped when the scales are equal), plus the output zero point, clamped.
 */
export function integerAbs(context: OpContext): PreparedOp {
  return elementwise(context, ["int8", "int16"], (input, output) => {
    const pin = params(context, input);
    const pout = params(context, output);
    const [low, high] = RANGES[output.dtype];
    const rescale = pin.scale !== pout.scale;
    const [multiplier, shift] = quantizeMultiplier(f(pin.scale / pout.scale));
    return (value) => {
      const magnitude = Math.abs(value - pin.zeroPoint);
      const result = rescale
        ? multiplyByQuantizedMultiplier(magnitude, multiplier, shift)
        : magnitude;
      return Math.min(high, Math.max(low, result + pout.zeroPoint));
    };
  });
}

/**
 * SQRT on int8/int16: the square root of the dequantized input (float32), divided by the output
 * scale and truncated toward zero (TFLite casts, it does not round), plus the output zero point.
 */
export function integerSqrt(context: OpContext): PreparedOp {
  return elementwise(context, ["int8", "int16"], (input, output) => {
    const pin = params(context, input);
    const pout = params(context, output);
    const [low, high] = RANGES[output.dtype];
    return (value) => {
      const dequantized = f(pin.scale * (value - pin.zeroPoint));
      // TFLite refuses negative inputs at run time; liteq takes them as 0.
      const root = f(Math.sqrt(Math.max(0, dequantized)));
      const result = Math.trunc(f(root / pout.scale)) + pout.zeroPoint;
      return Math.min(high, Math.max(low, result));
    };
  });
}

/**
 * TFLite's GetInvSqrtQuantizedMultiplierExp (reverse shift -1): 1 / sqrt(input) as a Q0.31
 * multiplier and shift, by five Newton-Raphson steps in gemmlowp fixed point with three integer
 * bits (each product a SaturatingRoundingDoublingHighMul, each rescale a saturating shift).
 */
export function inverseSqrtMultiplier(input: number): [number, number] {
  if (input <= 1) return [INT32_MAX, 0];
  let shift = 11;
  while (input >= 2 ** 29) {
    input = Math.trunc(input / 4);
    shift++;
  }
  const pairs = Math.floor((Math.clz32(input) - 1) / 2) - 1;
  shift -= pairs;
  input *= 4 ** pairs;
  const mul = saturatingRoundingDoublingHighMul;
  const halfInput = roundingDivideByPOT(Math.floor(input / 2), 1);
  const halfThree = 2 ** 28 + 2 ** 27;
  let x = 2 ** 28; // 1.0 with three integer bits
  for (let step = 0; step < 5; step++) {
    const cube = saturatingShiftLeft(mul(mul(x, x), x), 6);
    x = saturatingShiftLeft((mul(halfThree, x) - mul(halfInput, cube)) | 0, 3);
  }
  let multiplier = mul(x, 1518500250); // times sqrt(2) / 2
  if (shift < 0) {
    multiplier = (multiplier * 2 ** -shift) | 0;
    shift = 0;
  }
  return [multiplier, -shift];
}

/**
 * RSQRT: int8 as TFLite computes it, from (x - zero point) by `inverseSqrtMultiplier` with a
 * 20-bit headroom, then rescaled by 1 / (sqrt(input scale) x output scale) (a float32 product);
 * zero maps to the type's maximum. int16 through a lookup table of 1 / sqrt(x) (non-positive
 * inputs to the output's largest value).
 */
export const integerRsqrt8: OpKernel = (context) =>
  elementwise(context, ["int8"], (input, output) => {
    const pin = params(context, input);
    const pout = params(context, output);
    const [low, high] = RANGES[output.dtype];
    const [multiplier, shift] = quantizeMultiplier(
      1 / f(f(Math.sqrt(pin.scale)) * pout.scale),
    );
    const headroom = 20;
    return (value) => {
      const centred = value - pin.zeroPoint;
      if (centred <= 0) return high; // TFLite refuses negative inputs at run time
      const [inverse, inverseShift] = inverseSqrtMultiplier(centred);
      const data = multiplyByQuantizedMultiplier(1, inverse, inverseShift + headroom);
      const result = multiplyByQuantizedMultiplier(data, multiplier, shift - headroom) +
        pout.zeroPoint;
      return Math.min(high, Math.max(low, result));
    };
  });

/** EXP on int8, uint8 and int16 through a lookup table. */
export const integerExp: OpKernel = tableKernel(() => Math.exp);

/** LOG through a lookup table; non-positive inputs give the output's smallest value. */
export const integerLog: OpKernel = tableKernel((context, _, output) => {
  const { scale, zeroPoint } = params(context, output);
  const smallest = f((RANGES[output.dtype][0] - zeroPoint) * scale);
  return (value) => (value <= 0 ? smallest : Math.log(value));
});

/** RSQRT on int16 through a lookup table of 1 / sqrt(x) (non-positive inputs to the largest). */
export const int16Rsqrt: OpKernel = tableKernel((context, _, output) => {
  const largest = f(32767 * params(context, output).scale);
  return (value) => (value <= 0 ? largest : f(1 / f(Math.sqrt(value))));
});
