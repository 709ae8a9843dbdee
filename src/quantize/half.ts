/**
 * IEEE 754 half precision (float16) conversions: float32 to half bits rounded to nearest even
 * (values beyond the half range become infinities, NaN the quiet NaN 0x7e00), and half bits back to the
 * exact float32 value.
 */

const float = new Float32Array(1);
const floatBits = new Uint32Array(float.buffer);

/** Rounds `kept` (the bits above `shift`) to nearest even by the `shift` low bits of `bits`. */
function roundNearestEven(kept: number, bits: number, shift: number): number {
  const rest = bits & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** The half bits of `value` (taken as float32), rounded to nearest even. */
export function halfBitsOf(value: number): number {
  float[0] = value;
  const bits = floatBits[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return mantissa ? 0x7e00 : sign | 0x7c00;
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent > 0) {
    // A carry out of the mantissa moves to the next exponent (up to infinity), as it should.
    return sign | roundNearestEven((halfExponent << 10) | (mantissa >>> 13), mantissa, 13);
  }
  // Subnormal half: the 24-bit significand shifted to units of 2^-24.
  const shift = 14 - halfExponent;
  if (shift > 24) return sign;
  const significand = mantissa | 0x800000;
  return sign | roundNearestEven(significand >>> shift, significand, shift);
}

/** The exact value of half `bits`. */
export function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (0x400 + mantissa) * 2 ** (exponent - 25);
}

/** Half bits widened to float32 values (exactly: every half is a float32). */
export function fromHalfBits(bits: Uint16Array): Float32Array {
  return Float32Array.from(bits, halfValue);
}
