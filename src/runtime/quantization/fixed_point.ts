/**
 * TensorFlow Lite's fixed-point arithmetic, exactly (the reference kernels' rules, which the
 * integer kernels must reproduce bit for bit):
 * - a real multiplier m is stored as a 31-bit fraction and a power of two
 *   (`quantizeMultiplier`: frexp, the fraction rounded half away from zero to 31 bits);
 * - `saturatingRoundingDoublingHighMul(a, b)` is the high half of 2ab rounded half away from zero
 *   (gemmlowp), saturating the single overflow case;
 * - `roundingDivideByPOT(x, e)` divides by 2^e rounding half away from zero;
 * - `multiplyByQuantizedMultiplier(x, m, shift)` shifts left by a positive shift first, then
 *   multiplies, then rounds a negative shift off (TFLite's default, double rounding).
 */

const TWO_31 = 2 ** 31;
const TWO_15 = 2 ** 15;

/** Rounds half away from zero (C's `round`, TFLite's `TfLiteRound`). */
export function roundHalfAway(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

/** m as [quantized multiplier (Q0.31), shift] with m = multiplier * 2^(shift - 31). */
export function quantizeMultiplier(real: number): [number, number] {
  if (real === 0) return [0, 0];
  let exponent = Math.ceil(Math.log2(Math.abs(real))) + 0; // + 0 turns -0 into 0
  let fraction = real / 2 ** exponent;
  while (Math.abs(fraction) >= 1) {
    fraction /= 2;
    exponent++;
  }
  while (Math.abs(fraction) < 0.5) {
    fraction *= 2;
    exponent--;
  }
  let fixed = roundHalfAway(fraction * TWO_31);
  if (fixed === TWO_31) {
    fixed /= 2;
    exponent++;
  }
  if (exponent < -31) return [0, 0];
  return [fixed, exponent];
}

/** High 32 bits of 2ab with rounding (gemmlowp's SaturatingRoundingDoublingHighMul), exact. */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === -TWO_31 && b === -TWO_31) return TWO_31 - 1;
  // ab = (a * bHigh) * 2^16 + a * bLow, kept exact by splitting off multiples of 2^31.
  const bLow = b & 0xffff;
  const bHigh = (b - bLow) / 65536;
  const high = a * bHigh;
  const quotient = Math.floor(high / TWO_15);
  const rest = (high - quotient * TWO_15) * 65536 + a * bLow;
  const negative = quotient * TWO_31 + rest < 0;
  const nudged = rest + (negative ? 1 - 2 ** 30 : 2 ** 30);
  const floorPart = Math.floor(nudged / TWO_31);
  const remainder = nudged - floorPart * TWO_31;
  const floored = quotient + floorPart;
  // C++ integer division truncates toward zero.
  return floored < 0 && remainder !== 0 ? floored + 1 : floored;
}

/** x / 2^exponent rounded half away from zero (gemmlowp's RoundingDivideByPOT). */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = 2 ** exponent - 1;
  const remainder = x - Math.floor(x / 2 ** exponent) * 2 ** exponent;
  const threshold = Math.floor(mask / 2) + (x < 0 ? 1 : 0);
  return Math.floor(x / 2 ** exponent) + (remainder > threshold ? 1 : 0);
}

/** x * multiplier * 2^(shift - 31), TFLite's MultiplyByQuantizedMultiplier. */
export function multiplyByQuantizedMultiplier(
  x: number,
  multiplier: number,
  shift: number,
): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x * 2 ** left, multiplier), right);
}

/** TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp (shift <= 0). */
export function multiplyByQuantizedMultiplierSmallerThanOne(
  x: number,
  multiplier: number,
  shift: number,
): number {
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), -shift);
}

/**
 * TFLite's MultiplyByQuantizedMultiplier for 64-bit accumulators (int16x8 kernels): the
 * multiplier is first reduced to 15 bits, round(m / 2^16) (0x7FFF when that would overflow),
 * then x * reduced is shifted right by 15 - shift, rounding half up.
 */
export function multiplyByQuantizedMultiplier64(
  x: number,
  multiplier: number,
  shift: number,
): number {
  const reduced = multiplier < 0x7fff0000 ? Math.floor((multiplier + TWO_15) / 65536) : 0x7fff;
  return productShiftedHalfUp(x, reduced, 15 - shift);
}

/**
 * x * multiplier * 2^(shift - 31) with a single rounding, half up: ruy's
 * MultiplyByQuantizedMultiplier, which TensorFlow's FULLY_CONNECTED reaches through its GEMM
 * backend.
 */
export function multiplyByQuantizedMultiplierSingleRounding(
  x: number,
  multiplier: number,
  shift: number,
): number {
  return productShiftedHalfUp(x, multiplier, 31 - shift);
}

/**
 * floor((x * multiplier + 2^(shift - 1)) / 2^shift) for integers, exactly: in doubles while the
 * product stays below 2^52, through BigInt beyond.
 */
function productShiftedHalfUp(x: number, multiplier: number, shift: number): number {
  const product = x * multiplier;
  if (Math.abs(product) < 2 ** 52) return Math.floor((product + 2 ** (shift - 1)) / 2 ** shift);
  const wide = BigInt(x) * BigInt(multiplier) + (1n << BigInt(shift - 1));
  return Number(wide >> BigInt(shift));
}

/** gemmlowp's SaturatingRoundingMultiplyByPOT for a positive exponent: x * 2^e, saturated. */
export function saturatingShiftLeft(x: number, exponent: number): number {
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return TWO_31 - 1;
  if (x < -threshold) return -TWO_31;
  return x * 2 ** exponent;
}
