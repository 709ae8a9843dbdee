/**
 * LESS, LESS_EQUAL, GREATER, GREATER_EQUAL, EQUAL and NOT_EQUAL into bool tensors, broadcasting.
 * Quantized comparisons rescale both sides as TFLite's ComparisonWithScaling does: (q - zero
 * point) << 8, times the input's own scale as a multiplier below one. EQUAL and NOT_EQUAL also
 * compare string tensors, byte for byte.
 */
import type { OpContext, OpKernel } from "../../op.ts";
import { elementCount } from "../../../format/dtype.ts";
import { broadcastBinary, broadcastShapes, broadcastWalk } from "../common/broadcast.ts";
import {
  multiplyByQuantizedMultiplierSmallerThanOne,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import { type RuntimeTensor, stringsOf } from "../../tensor.ts";

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

/** Whether two byte strings hold the same bytes. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, index) => byte === b[index]);
}

/**
 * EQUAL or NOT_EQUAL (`equalGives`: what equal strings give): on numbers as `compare`, on string
 * tensors byte for byte, as TFLite's ComparisonStringImpl, broadcast.
 */
function equality(equalGives: boolean, compare: (a: number, b: number) => boolean): OpKernel {
  const numeric = comparison(compare);
  return (context) => {
    const a = context.input(0);
    if (a.dtype !== "string") return numeric(context);
    const b = context.input(1, "string");
    const output = context.output(0, "bool");
    output.shape = broadcastShapes(context, a.shape, b.shape);
    const { rowLength, aStep, bStep, aRows, bRows } = broadcastWalk(a.shape, b.shape, output.shape);
    const memory = context.memory;
    return {
      run() {
        const x = stringsOf(a);
        const y = stringsOf(b);
        const z = memory.bytes(output.offset, elementCount(output.shape));
        let target = 0;
        for (let row = 0; row < aRows.length; row++) {
          for (let i = 0; i < rowLength; i++) {
            const same = sameBytes(x[aRows[row] + i * aStep], y[bRows[row] + i * bStep]);
            z[target++] = same === equalGives ? 1 : 0;
          }
        }
      },
    };
  };
}

/** EQUAL, strings included. */
export const equal: OpKernel = equality(true, (a, b) => a === b);

/** NOT_EQUAL, strings included. */
export const notEqual: OpKernel = equality(false, (a, b) => a !== b);
