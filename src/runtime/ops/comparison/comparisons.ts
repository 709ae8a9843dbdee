/**
 * LESS, LESS_EQUAL, GREATER, GREATER_EQUAL, EQUAL and NOT_EQUAL into bool tensors, broadcasting.
 * Quantized comparisons rescale both sides as TFLite's ComparisonWithScaling does: (q - zero
 * point) << 8, times the input's own scale as a multiplier below one.
 */
import type { OpContext, OpKernel } from "../../op.ts";
import { broadcastBinary } from "../common/broadcast.ts";
import {
  multiplyByQuantizedMultiplierSmallerThanOne,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** A value's comparable form: quantized values rescaled as TFLite's ComparisonWithScaling. */
function comparable(context: OpContext, tensor: RuntimeTensor): (value: number) => number {
  if (tensor.dtype !== "int8" && tensor.dtype !== "uint8") return (value) => value;
  const quantization = context.quantization(tensor, "");
  const zeroPoint = quantization.zeroPoint[0] ?? 0;
  const [multiplier, shift] = quantizeMultiplier(quantization.scale[0]);
  if (shift > 0) context.unsupported(`tensor "${tensor.name}" has a scale of 1 or more`);
  return (value) =>
    multiplyByQuantizedMultiplierSmallerThanOne((value - zeroPoint) * 256, multiplier, shift);
}

/** A comparison kernel: `compare` on the (rescaled) values, broadcast, into a bool tensor. */
function comparison(compare: (a: number, b: number) => boolean): OpKernel {
  return (context) => {
    const a = context.input(0, "float32", "int32", "int64", "int8", "uint8", "int16", "bool");
    const b = context.input(1, a.dtype);
    const output = context.output(0, "bool");
    const left = comparable(context, a);
    const right = comparable(context, b);
    return broadcastBinary(context, a, b, output, (x, y) => compare(left(x), right(y)) ? 1 : 0);
  };
}

/** LESS. */
export const less: OpKernel = comparison((a, b) => a < b);

/** LESS_EQUAL. */
export const lessEqual: OpKernel = comparison((a, b) => a <= b);

/** GREATER. */
export const greater: OpKernel = comparison((a, b) => a > b);

/** GREATER_EQUAL. */
export const greaterEqual: OpKernel = comparison((a, b) => a >= b);

/** EQUAL. */
export const equal: OpKernel = comparison((a, b) => a === b);

/** NOT_EQUAL. */
export const notEqual: OpKernel = comparison((a, b) => a !== b);
