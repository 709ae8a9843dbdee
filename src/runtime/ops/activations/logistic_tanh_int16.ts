/**
 * LOGISTIC and TANH on int16 (int16x8 models), bit-exact with TensorFlow Lite's
 * reference kernels: one 256-entry table of sigmoid(i / 24) in unsigned 0.16 fixed point
 * (tanh(x) = 2 sigmoid(2x) - 1) with linear interpolation between entries, the input first
 * rescaled to units of 1 / (3 * 4096).
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { elementwiseRun } from "../common/elementwise_run.ts";
import { int16Scale } from "../../quantization/parameters.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/**
 * Entries of TFLite's sigmoid table that are one above round(65536 sigmoid(i / 24)): TFLite's
 * table is not plain rounding (it leans up where linear interpolation would undershoot).
 */
const SIGMOID_TABLE_RAISED = [
  4,
  8,
  12,
  14,
  15,
  16,
  17,
  19,
  20,
  21,
  22,
  25,
  27,
  28,
  29,
  30,
  31,
  33,
  34,
  35,
  37,
  39,
  40,
  41,
  43,
  44,
  45,
  46,
  49,
  50,
  54,
  62,
  63,
  64,
  66,
  82,
  86,
  93,
  100,
  103,
  112,
  116,
  135,
  255,
];

/** TFLite's `sigmoid_table_uint16`: sigmoid(i / 24) for i in 0..255, unsigned 0.16. */
export const SIGMOID_TABLE: Uint16Array = (() => {
  const table = Uint16Array.from(
    { length: 256 },
    (_, index) => Math.min(65535, Math.round(65536 / (1 + Math.exp(-index / 24)))),
  );
  for (const index of SIGMOID_TABLE_RAISED) table[index]++;
  return table;
})();

/** The exponent e with 2^e = value, or null when value is not a power of two. */
function exactLog2(value: number): number | null {
  const exponent = Math.round(Math.log2(value));
  return Math.abs(Math.log2(value) - exponent) < 1e-3 ? exponent : null;
}

/**
 * The input rescaling of LOGISTIC and TANH (TFLite's Prepare): with a power-of-two input scale
 * of the expected size, multiply by 3 shifted; otherwise multiplier = scale * 3 * 4096 doubled
 * (counting shifts) while at most 32767 / 2, truncated to an integer. The output scale must be
 * 2^-15.
 */
function inputRescaling(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
  acceptedShifts: number[],
): { multiplier: number; shift: number } {
  const inputScale = int16Scale(context, input);
  if (exactLog2(int16Scale(context, output)) !== -15) {
    context.unsupported(`int16 output "${output.name}" must have scale 2^-15`);
  }
  const inputIntegerBits = 3;
  const log2 = exactLog2(inputScale);
  if (log2 !== null && acceptedShifts.includes(15 - inputIntegerBits + log2)) {
    return { multiplier: 3 << (15 - inputIntegerBits + log2), shift: 0 };
  }
  let multiplier = inputScale * 4096 * 3;
  let shift = 0;
  while (multiplier <= 32767 / 2 && shift <= 30) {
    shift++;
    multiplier *= 2;
  }
  return { multiplier: Math.trunc(multiplier), shift };
}

/**
 * LOGISTIC on int16: x rescaled (x * multiplier + round) >> shift to units of 1/(3*4096), its
 * absolute value split into a table index (>> 9) and a 9-bit fraction, interpolated in 0.25
 * fixed point, mirrored for negative inputs (1 - sigmoid(|x|)), rounded back to 0.15.
 */
export function int16Logistic(context: OpContext): PreparedOp {
  const input = context.input(0, "int16");
  const output = context.output(0, "int16");
  output.shape = [...input.shape];
  const { multiplier, shift } = inputRescaling(context, input, output, [0]);
  const round = shift > 0 ? 2 ** (shift - 1) : 0;
  return elementwiseRun(context, input, output, (value) => {
    const scaled = Math.floor((value * multiplier + round) / 2 ** shift);
    const magnitude = Math.abs(scaled);
    const index = magnitude >>> 9;
    let result: number;
    if (index >= 255) {
      result = 0x7fff << 10;
    } else {
      const below = SIGMOID_TABLE[index];
      const above = SIGMOID_TABLE[index + 1];
      result = below * 512 + (magnitude & 0x1ff) * (above - below);
    }
    result = scaled >= 0 ? result + 512 : 2 ** 25 - result + 512 - 1;
    return Math.floor(result / 1024);
  });
}

/**
 * TANH on int16: the same table at twice the argument (8-bit fraction), 2 sigmoid - 1 formed in
 * 0.24 fixed point with a rounding offset of 2^7, shifted back by 8.
 */
export function int16Tanh(context: OpContext): PreparedOp {
  const input = context.input(0, "int16");
  const output = context.output(0, "int16");
  output.shape = [...input.shape];
  const { multiplier, shift } = inputRescaling(context, input, output, [0, 1]);
  const round = shift > 0 ? 2 ** (shift - 1) : 0;
  return elementwiseRun(context, input, output, (value) => {
    const scaled = Math.floor((value * multiplier + round) / 2 ** shift);
    const magnitude = Math.abs(scaled);
    const index = magnitude >>> 8;
    let result: number;
    if (index >= 255) {
      result = 0xffff << 8;
    } else {
      const below = SIGMOID_TABLE[index];
      const above = SIGMOID_TABLE[index + 1];
      result = below * 256 + (magnitude & 0xff) * (above - below);
    }
    result = scaled >= 0 ? result - 2 ** 23 + 2 ** 7 : -result + 2 ** 23 + 2 ** 7 - 1;
    return Math.floor(result / 256);
  });
}
