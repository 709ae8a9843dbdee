/**
 * SOFTMAX on int16 (int16x8 models), bit-exact with TensorFlow Lite's reference kernel: two
 * 513-entry tables built at load (`populateTable16`), exp on [-10, 0] and 1 / (1 + x) on [0, 1],
 * read with linear interpolation.
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import { lookupTable16, populateTable16 } from "../../quantization/lookup_tables.ts";
import { int16Scale } from "../../quantization/parameters.ts";

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
  const inputScale = int16Scale(context, input);
  int16Scale(context, output);
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
