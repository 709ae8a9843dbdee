/**
 * LOGISTIC, TANH and SOFTMAX on int16 (int16x8 models), bit-exact with TensorFlow Lite's
 * reference kernels. These are table-driven with linear interpolation between entries:
 * - LOGISTIC and TANH read one 256-entry table of sigmoid(i / 24) in unsigned 0.16 fixed point
 *   (tanh(x) = 2 sigmoid(2x) - 1), the input first rescaled to units of 1 / (3 * 4096);
 * - SOFTMAX reads two 513-entry tables built at load (`populateTable16`): exp on [-10, 0]
 *   and 1 / (1 + x) on [0, 1].
 */
import { elementCount } from "../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../op.ts";
import type { RuntimeTensor } from "../tensor.ts";
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from "../quantized/fixed_point.ts";
import { lookupTable16, populateTable16 } from "./lookup_tables.ts";
import { elementwiseRun } from "./quantized_params.ts";

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

/** The scale of a per-tensor int16 tensor, whose zero point must be 0. */
function scaleOf(context: OpContext, tensor: RuntimeTensor): number {
  const quantization = tensor.quantization;
  if (!quantization || quantization.scale.length !== 1) {
    context.unsupported(`tensor "${tensor.name}" needs one scale`);
  }
  if ((quantization.zeroPoint[0] ?? 0) !== 0) {
    context.unsupported(
      `int16 tensor "${tensor.name}" has zero point ${quantization.zeroPoint[0]}`,
    );
  }
  return quantization.scale[0];
}

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
  const inputScale = scaleOf(context, input);
  if (exactLog2(scaleOf(context, output)) !== -15) {
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

/**
 * SOFTMAX on int16 (TFLite's SoftmaxInt16): per row, exp of (x - max) through the exp table
 * after rescaling by input scale * beta / (10 / 65535) (multiplyByQuantizedMultiplier) and
 * re-centring by 32767; the sum's reciprocal through the 1/(1+x) table after normalising the sum
 * by its leading zeros; each exp times the reciprocal, shifted back and clamped to [0, 32767].
 */
export function int16Softmax(context: OpContext): PreparedOp {
  const input = context.input(0, "int16");
  const output = context.output(0, "int16");
  output.shape = [...input.shape];
  const inputScale = scaleOf(context, input);
  scaleOf(context, output);
  // input scale x beta is a float32 product in TFLite, divided in double.
  const beta = Math.fround(Number(context.options.beta ?? 1));
  const [multiplier, shift] = quantizeMultiplier(
    Math.fround(Math.fround(inputScale) * beta) / (10 / 65535),
  );
  const range = 65535;
  // TFLite builds these two in double precision.
  const expTable = populateTable16(10 / range, 32767, 2 / range, 0, Math.exp, "float64");
  const reciprocalTable = populateTable16(
    1 / range,
    -32768,
    2 / range,
    0,
    (x) => 1 / (1 + x),
    "float64",
  );
  const depth = input.shape[input.shape.length - 1];
  const count = elementCount(input.shape);
  const exps = new Int32Array(depth);
  const memory = context.memory;
  const saturate = (value: number) => Math.min(32767, Math.max(-32768, value));
  return {
    run() {
      const source = memory.view("int16", input.offset, count) as Int16Array;
      const target = memory.view("int16", output.offset, count) as Int16Array;
      for (let start = 0; start < count; start += depth) {
        let largest = -32768;
        for (let c = 0; c < depth; c++) largest = Math.max(largest, source[start + c]);
        let sum = 0;
        for (let c = 0; c < depth; c++) {
          const scaled = multiplyByQuantizedMultiplier(
            source[start + c] - largest,
            multiplier,
            shift,
          );
          exps[c] = lookupTable16(expTable, saturate(scaled + 32767));
          sum += exps[c];
        }
        const headroomPlusOne = Math.clz32(sum);
        const shiftedSum = Math.floor((sum * 2 ** (headroomPlusOne - 1) + 2 ** 13) / 2 ** 14);
        const reciprocal = lookupTable16(
          reciprocalTable,
          saturate(shiftedSum - (2 ** 15 + 2 ** 16)),
        );
        const rightShift = 31 - headroomPlusOne;
        for (let c = 0; c < depth; c++) {
          const result = Math.floor(
            (exps[c] * reciprocal + 2 ** (rightShift - 1)) / 2 ** rightShift,
          );
          target[start + c] = Math.min(32767, Math.max(0, result));
        }
      }
    },
  };
}
