/**
 * HARD_SWISH: float32 on the wasm kernel; int8/uint8 bit-exact with TFLite's reference,
 * x * relu6(x + 3) / 6 computed in 16-bit fixed point. The input (x - zero point) is shifted left by 7 ("hires" scale); one copy
 * is rescaled to the output scale before its final shift, another to a "relu-ish" value in
 * [-1, 1] (3.0 as 2^15), mapped to [0, 1]; their product, by a truncating doubling high multiply,
 * is shifted to the output scale and offset by the output zero point.
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { elementwiseRun } from "../common/elementwise_run.ts";
import { floatUnary } from "../common/float_unary.ts";
import { quantizeMultiplier, roundingDivideByPOT } from "../../quantization/fixed_point.ts";
import { params, RANGES } from "../../quantization/parameters.ts";

const INT16_MIN = -32768;
const INT16_MAX = 32767;

/** gemmlowp's SaturatingRoundingDoublingHighMul on int16: (2ab + nudge) / 2^16, truncated. */
function roundingDoublingHighMul16(a: number, b: number): number {
  if (a === INT16_MIN && b === INT16_MIN) return INT16_MAX;
  const product = a * b;
  return Math.trunc((product + (product >= 0 ? 1 << 14 : 1 - (1 << 14))) / 32768);
}

/** The same without rounding (ARM's SQDMULH): 2ab / 2^16 truncated toward zero. */
function doublingHighMul16(a: number, b: number): number {
  if (a === INT16_MIN && b === INT16_MIN) return INT16_MAX;
  return Math.trunc((a * b) / 32768);
}

/** value * 2^amount saturated to int16. */
function saturatingLeftShift16(value: number, amount: number): number {
  return Math.min(INT16_MAX, Math.max(INT16_MIN, value * 2 ** amount));
}

/**
 * A float32 real multiplier as TFLite's HARD_SWISH stores it: QuantizeMultiplier, then the
 * 31-bit fraction rounded to 15 bits (DownScaleInt32ToInt16Multiplier, saturating at 2^15 - 1).
 */
function int16Multiplier(real: number): { multiplier: number; exponent: number } {
  const [multiplier32, exponent] = quantizeMultiplier(real);
  const multiplier = multiplier32 >= 2 ** 31 - 1 - 2 ** 15
    ? INT16_MAX
    : Math.floor((multiplier32 + 2 ** 15) / 65536);
  return { multiplier, exponent };
}

/** HARD_SWISH on int8/uint8 (see the module comment); the scales are float32 as in TFLite. */
export function integerHardSwish(context: OpContext): PreparedOp {
  const input = context.input(0, "int8", "uint8");
  const output = context.output(0, input.dtype);
  output.shape = [...input.shape];
  const pin = params(context, input);
  const pout = params(context, output);
  const hiresInputScale = Math.fround(Math.fround(1 / 128) * pin.scale);
  const reluishScale = Math.fround(3 / 32768);
  const outputMultiplier = int16Multiplier(Math.fround(hiresInputScale / pout.scale));
  const reluishMultiplier = int16Multiplier(Math.fround(hiresInputScale / reluishScale));
  if (outputMultiplier.exponent > 0) {
    context.unsupported("output scale below input scale / 128 (TFLite requires a right shift)");
  }
  const [low, high] = RANGES[output.dtype];
  const reluishExponent = reluishMultiplier.exponent;
  return elementwiseRun(context, input, output, (value) => {
    const hires = (value - pin.zeroPoint) * 128;
    const preshiftOutput = roundingDoublingHighMul16(hires, outputMultiplier.multiplier);
    let reluish = hires;
    if (reluishExponent > 0) reluish = saturatingLeftShift16(reluish, reluishExponent - 1);
    reluish = roundingDoublingHighMul16(reluish, reluishMultiplier.multiplier);
    if (reluishExponent > 0) reluish = saturatingLeftShift16(reluish, 1);
    if (reluishExponent < 0) reluish = roundingDivideByPOT(reluish, -reluishExponent);
    reluish = (reluish + 32768) >> 1;
    const product = doublingHighMul16(reluish, preshiftOutput);
    const result = roundingDivideByPOT(product, -outputMultiplier.exponent) + pout.zeroPoint;
    return Math.min(high, Math.max(low, result));
  });
}

/** HARD_SWISH: integer for int8, uint8 and int16 inputs, float32 otherwise. */
export function hardSwish(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerHardSwish(context);
    default:
      return floatUnary("HARD_SWISH")(context);
  }
}
