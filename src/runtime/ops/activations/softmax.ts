/**
 * SOFTMAX over the last dimension: float32 on the wasm kernel, int8/uint8 as TFLite's table-driven
 * kernel, int16 in `softmax_int16.ts`.
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { int16Softmax } from "./softmax_int16.ts";
import { roundHalfAway } from "../../quantization/fixed_point.ts";
import { integerInput, params, RANGES } from "../../quantization/parameters.ts";

/** SOFTMAX on float32 over the last dimension: exp(beta * (x - max)) / sum. */
export function floatSoftmax(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const output = context.output(0, "float32");
  if (input.shape.length === 0) context.unsupported("input must have at least one dimension");
  output.shape = [...input.shape];
  const columns = input.shape[input.shape.length - 1];
  const rows = columns === 0 ? 0 : elementCount(input.shape) / columns;
  const beta = Number(context.options.beta ?? 1);
  const kernels = context.kernels;
  return {
    run() {
      kernels.f32_softmax(input.offset, output.offset, rows, columns, beta);
    },
  };
}

/**
 * SOFTMAX on int8/uint8, as TFLite's table-driven kernel: table[d] = expf(-input_scale * beta *
 * d) for d = max - x, sums and products in float32, output round(p / output_scale) + zero point.
 */
export function integerSoftmax(context: OpContext): PreparedOp {
  const input = integerInput(context, 0);
  const output = context.output(0, input.dtype);
  output.shape = [...input.shape];
  const pin = params(context, input);
  const pout = params(context, output);
  const beta = Number(context.options.beta ?? 1);
  const scale = Math.fround(-pin.scale * Math.fround(beta));
  const table = Float32Array.from(
    { length: 256 },
    (_, distance) => Math.exp(Math.fround(scale * distance)),
  );
  const columns = input.shape[input.shape.length - 1];
  const count = elementCount(input.shape);
  const [low, high] = RANGES[output.dtype];
  const memory = context.memory;
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, count);
      const target = memory.view(output.dtype, output.offset, count);
      for (let start = 0; start < count; start += columns) {
        let largest = -Infinity;
        for (let j = 0; j < columns; j++) largest = Math.max(largest, Number(source[start + j]));
        let sum = 0;
        for (let j = 0; j < columns; j++) {
          sum = Math.fround(sum + table[largest - Number(source[start + j])]);
        }
        const inverse = Math.fround(1 / Math.fround(sum * pout.scale));
        for (let j = 0; j < columns; j++) {
          const probability = Math.fround(table[largest - Number(source[start + j])] * inverse);
          target[start + j] = Math.min(
            high,
            Math.max(low, roundHalfAway(probability) + pout.zeroPoint),
          );
        }
      }
    },
  };
}

/** SOFTMAX: int16 and int8/uint8 as TFLite, float32 otherwise. */
export function softmax(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int16":
      return int16Softmax(context);
    case "int8":
    case "uint8":
      return integerSoftmax(context);
    default:
      return floatSoftmax(context);
  }
}
