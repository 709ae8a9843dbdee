/**
 * The int16 arithmetic of TFLite's full-integer LSTM (portable tensor utils and gemmlowp's 16-bit
 * fixed point), exactly: gate products requantized into int16 accumulators, layer
 * normalization, logistic and tanh on Q3.12 / Qm.(15-m) inputs by gemmlowp's polynomial and
 * Newton-Raphson forms, element-wise products and clipping. Raw int16 arithmetic wraps as C's
 * int16 casts do; the saturating forms say so.
 */
import {
  multiplyByQuantizedMultiplier,
  roundingDivideByPOT,
} from "../../quantization/fixed_point.ts";
import { inverseSqrtMultiplier } from "../unary_math/unary_math_integer.ts";

const INT16_MAX = 32767;
const INT16_MIN = -32768;

/** x as C's int16 cast keeps it (two's complement wrap). */
const wrap = (x: number): number => (x << 16) >> 16;
const clamp16 = (x: number): number => Math.min(INT16_MAX, Math.max(INT16_MIN, x));

/** gemmlowp's 16-bit SaturatingRoundingDoublingHighMul: the fixed-point product. */
function mul(a: number, b: number): number {
  if (a === INT16_MIN && b === INT16_MIN) return INT16_MAX;
  const product = a * b;
  return Math.trunc((product + (product >= 0 ? 1 << 14 : 1 - (1 << 14))) / 32768);
}

/** x * 2^exponent: a saturating left shift, or a rounding right shift for negative exponents. */
function multiplyByPOT(x: number, exponent: number): number {
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  if (exponent === 0) return x;
  const threshold = (1 << (15 - exponent)) - 1;
  if (x > threshold) return INT16_MAX;
  if (x < -threshold) return INT16_MIN;
  return wrap(x << exponent);
}

/** A gemmlowp constant given in 32-bit raw form, in 16-bit raw form. */
const constant = (raw32: number): number => roundingDivideByPOT(raw32, 16);

/** exp(a) for a in [-1/4, 0), Q0.15 in and out (a Taylor expansion around -1/8). */
function expOnQuarterInterval(a: number): number {
  const constantTerm = constant(1895147668);
  const oneThird = constant(715827883);
  const x = wrap(a + (1 << 12));
  const x2 = mul(x, x);
  const x3 = mul(x2, x);
  const x4 = mul(x2, x2);
  const x4Over4 = multiplyByPOT(x4, -2);
  const tail = multiplyByPOT(wrap(mul(wrap(x4Over4 + x3), oneThird) + x2), -1);
  return clamp16(constantTerm + mul(constantTerm, wrap(x + tail)));
}

/** Raw Q0.15 factors exp(-2^k) for k = -2..4, as the barrel shifter applies them. */
const EXP_FACTORS: [number, number][] = [
  [-2, 1672461947],
  [-1, 1302514674],
  [0, 790015084],
  [1, 290630308],
  [2, 39332535],
  [3, 720401],
  [4, 242],
];

/** exp(a) for a <= 0 with `integerBits` integer bits in, Q0.15 out. */
function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 15 - integerBits;
  const quarter = 1 << (fractionalBits - 2);
  const modQuarterMinusQuarter = wrap((a & (quarter - 1)) - quarter);
  let result = expOnQuarterInterval(multiplyByPOT(modQuarterMinusQuarter, integerBits));
  const remainder = wrap(modQuarterMinusQuarter - a);
  for (const [exponent, factor] of EXP_FACTORS) {
    if (integerBits > exponent && (remainder & (1 << (fractionalBits + exponent)))) {
      result = mul(result, constant(factor));
    }
  }
  if (integerBits > 5 && a < constant(-(2 ** (36 - integerBits)))) result = 0;
  return a === 0 ? INT16_MAX : result;
}

/** Newton-Raphson 1 / (1 + a) (halved denominator), Q2.13, for a in (0, 1). */
function reciprocalOfOnePlus(a: number): number {
  const halfDenominator = Math.trunc((a + INT16_MAX + (a + INT16_MAX >= 0 ? 1 : -1)) / 2);
  let x = wrap(constant(1515870810) + mul(halfDenominator, constant(-1010580540)));
  for (let step = 0; step < 3; step++) {
    const oneMinus = wrap((1 << 13) - mul(halfDenominator, x));
    x = wrap(x + multiplyByPOT(mul(x, oneMinus), 2));
  }
  return x;
}

/** gemmlowp's logistic of a Q`integerBits` value, Q0.15 out. */
export function fixedLogistic(a: number, integerBits: number): number {
  if (a === 0) return constant(1 << 30);
  const magnitude = a > 0 ? a : wrap(-a);
  const positive = multiplyByPOT(
    reciprocalOfOnePlus(
      expOnNegativeValues(wrap(-magnitude), integerBits),
    ),
    1,
  );
  return a > 0 ? positive : wrap(INT16_MAX - positive);
}

/** gemmlowp's tanh of a Q`integerBits` value, Q0.15 out. */
export function fixedTanh(a: number, integerBits: number): number {
  if (a === 0) return 0;
  const negative = a < 0 ? a : wrap(-a);
  const exp = expOnNegativeValues(negative, integerBits + 1);
  const t = multiplyByPOT(wrap(reciprocalOfOnePlus(exp) - (1 << 13)), 2);
  return a < 0 ? wrap(-t) : t;
}

/**
 * gate[b][row] += clamp16(requantize(bias[row] + sum(weights[row] * input[b])) + zeroPoint):
 * TFLite's int8 x int8 matrix-batch product into int16 (or, with `int8Output`, int8) results.
 */
export function accumulateGate(
  input: ArrayLike<number>,
  bias: Int32Array,
  weights: Int8Array,
  multiplier: number,
  shift: number,
  batches: number,
  columns: number,
  rows: number,
  zeroPoint: number,
  output: Int16Array | Int8Array,
): void {
  const [low, high] = output instanceof Int8Array ? [-128, 127] : [INT16_MIN, INT16_MAX];
  for (let batch = 0; batch < batches; batch++) {
    for (let row = 0; row < rows; row++) {
      let sum = bias[row];
      for (let column = 0; column < columns; column++) {
        sum += input[batch * columns + column] * weights[row * columns + column];
      }
      const at = batch * rows + row;
      const value = multiplyByQuantizedMultiplier(sum | 0, multiplier, shift) + zeroPoint +
        output[at];
      output[at] = Math.min(high, Math.max(low, value));
    }
  }
}

/** result[b][v] = clamp16(result[b][v] + requantize(vector[v] * batchVector[b][v])) (peepholes). */
export function accumulateCwiseProduct(
  vector: Int16Array,
  size: number,
  batchVector: Int16Array,
  batches: number,
  multiplier: number,
  shift: number,
  result: Int16Array,
): void {
  let at = 0;
  for (let batch = 0; batch < batches; batch++) {
    for (let index = 0; index < size; index++, at++) {
      const product = multiplyByQuantizedMultiplier(
        vector[index] * batchVector[at],
        multiplier,
        shift,
      );
      result[at] = clamp16(product + result[at]);
    }
  }
}

/** a * b rounded off `shift` bits, as int16 (C's cast). */
export function cwiseMulShift(a: number, b: number, shift: number): number {
  return wrap(roundingDivideByPOT(a * b, shift));
}

/** A gate's layer normalization: int16 weights, int32 bias, output multiplier, variance guard. */
export interface LayerNorm {
  weights: Int16Array;
  bias: Int32Array;
  multiplier: number;
  shift: number;
  varianceGuard: number;
}

/**
 * TFLite's integer layer normalization of each batch row in place: mean and variance in units of
 * 2^-10 (64-bit sums; the variance guard where it is below 1), 1 / stddev by
 * `inverseSqrtMultiplier`, times the weight plus the bias (int32 arithmetic), rounded off 10 bits
 * half away from zero, requantized with 12 more bits of shift (to Q3.12), clamped to int16.
 */
export function layerNorm(
  values: Int16Array,
  norm: LayerNorm,
  batches: number,
  size: number,
): void {
  for (let batch = 0; batch < batches; batch++) {
    const row = values.subarray(batch * size, (batch + 1) * size);
    let sum = 0n;
    let sumSquares = 0n;
    for (const value of row) {
      sum += BigInt(value);
      sumSquares += BigInt(value * value);
    }
    const mean = Number(BigInt.asIntN(32, (sum * 1024n) / BigInt(size)));
    const temp = BigInt(Math.trunc((1 << 20) / size));
    const variance = sumSquares * temp - BigInt(mean) * BigInt(mean);
    let variance32 = Number(BigInt.asIntN(32, variance / BigInt(1 << 20)));
    if (variance32 < 1) variance32 = norm.varianceGuard;
    const [inverse, inverseShift] = inverseSqrtMultiplier(variance32);
    for (let index = 0; index < size; index++) {
      const shifted = (1024 * row[index] - mean) | 0;
      const rescaled = multiplyByQuantizedMultiplier(shifted, inverse, inverseShift);
      const weighted = (rescaled * norm.weights[index] + norm.bias[index]) | 0;
      const rounded = Math.trunc((weighted > 0 ? weighted + 512 : weighted - 512) / 1024);
      row[index] = clamp16(
        multiplyByQuantizedMultiplier(rounded | 0, norm.multiplier, norm.shift + 12),
      );
    }
  }
}
