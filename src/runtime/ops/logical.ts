/**
 * Comparisons (LESS, LESS_EQUAL, GREATER, GREATER_EQUAL, EQUAL, NOT_EQUAL) into bool tensors,
 * LOGICAL_AND, LOGICAL_OR and LOGICAL_NOT on bools, and SELECT / SELECT_V2, all broadcasting.
 * Quantized comparisons rescale both sides as TFLite's ComparisonWithScaling does: (q - zero
 * point) << 8, times the input's own scale as a multiplier below one.
 */
import { elementCount } from "../../format/dtype.ts";
import type { OpContext, OpKernel, PreparedOp } from "../op.ts";
import type { RuntimeTensor } from "../tensor.ts";
import {
  multiplyByQuantizedMultiplierSmallerThanOne,
  quantizeMultiplier,
} from "../quantized/fixed_point.ts";
import { broadcastBinary, requireSharedParameters, stridesOf } from "./common.ts";

/** For each element of `outShape`, the index of the element of `shape` broadcast onto it. */
function broadcastIndex(context: OpContext, shape: number[], outShape: number[]): Int32Array {
  const rank = outShape.length;
  const padded = [...new Array(rank - shape.length).fill(1), ...shape];
  if (padded.some((size, axis) => size !== 1 && size !== outShape[axis])) {
    context.unsupported(`[${shape}] does not broadcast to [${outShape}]`);
  }
  const strides = stridesOf(padded);
  const map = new Int32Array(elementCount(outShape));
  const counter = new Array<number>(rank).fill(0);
  for (let index = 0; index < map.length; index++) {
    let from = 0;
    for (let axis = 0; axis < rank; axis++) {
      if (padded[axis] !== 1) from += counter[axis] * strides[axis];
    }
    map[index] = from;
    for (let axis = rank - 1; axis >= 0; axis--) {
      if (++counter[axis] < outShape[axis]) break;
      counter[axis] = 0;
    }
  }
  return map;
}

/** The broadcast shape of several operands (numpy's rules). */
function broadcastAll(context: OpContext, shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((shape) => shape.length));
  return Array.from({ length: rank }, (_, axis) => {
    const sizes = shapes.map((shape) => shape[shape.length - rank + axis] ?? 1);
    const size = Math.max(...sizes);
    if (sizes.some((value) => value !== 1 && value !== size)) {
      context.unsupported(
        `shapes ${shapes.map((shape) => `[${shape}]`).join(", ")} do not broadcast`,
      );
    }
    return sizes.includes(0) ? 0 : size;
  });
}

/** A value's comparable form: quantized values rescaled as TFLite's ComparisonWithScaling. */
function comparable(context: OpContext, tensor: RuntimeTensor): (value: number) => number {
  if (tensor.dtype !== "int8" && tensor.dtype !== "uint8") return (value) => value;
  const quantization = tensor.quantization;
  if (!quantization) context.unsupported(`tensor "${tensor.name}" has no quantization parameters`);
  const zeroPoint = quantization.zeroPoint[0] ?? 0;
  const [multiplier, shift] = quantizeMultiplier(quantization.scale[0]);
  if (shift > 0) context.unsupported(`tensor "${tensor.name}" has a scale of 1 or more`);
  return (value) =>
    multiplyByQuantizedMultiplierSmallerThanOne((value - zeroPoint) * 256, multiplier, shift);
}

const COMPARISONS: Record<string, (a: number, b: number) => boolean> = {
  LESS: (a, b) => a < b,
  LESS_EQUAL: (a, b) => a <= b,
  GREATER: (a, b) => a > b,
  GREATER_EQUAL: (a, b) => a >= b,
  EQUAL: (a, b) => a === b,
  NOT_EQUAL: (a, b) => a !== b,
};

function comparison(op: string): OpKernel {
  const compare = COMPARISONS[op];
  return (context) => {
    const a = context.input(0, "float32", "int32", "int64", "int8", "uint8", "int16", "bool");
    const b = context.input(1, a.dtype);
    const output = context.output(0, "bool");
    const left = comparable(context, a);
    const right = comparable(context, b);
    return broadcastBinary(context, a, b, output, (x, y) => compare(left(x), right(y)) ? 1 : 0);
  };
}

function logical(combine: (x: boolean, y: boolean) => boolean): OpKernel {
  return (context) => {
    const a = context.input(0, "bool");
    const b = context.input(1, "bool");
    const output = context.output(0, "bool");
    return broadcastBinary(context, a, b, output, (x, y) => combine(x !== 0, y !== 0) ? 1 : 0);
  };
}

/** LOGICAL_NOT. */
function logicalNot(context: OpContext): PreparedOp {
  const input = context.input(0, "bool");
  const output = context.output(0, "bool");
  output.shape = [...input.shape];
  const count = elementCount(input.shape);
  const memory = context.memory;
  return {
    run() {
      const source = memory.bytes(input.offset, count);
      const target = memory.bytes(output.offset, count);
      for (let index = 0; index < count; index++) target[index] = source[index] ? 0 : 1;
    },
  };
}

/**
 * SELECT_V2 (condition, x and y broadcast together) and SELECT (the same, or a condition over
 * the first dimension only). Quantized x, y and output must share their parameters: the stored
 * values are copied.
 */
function select(context: OpContext): PreparedOp {
  const condition = context.input(0, "bool");
  const x = context.input(1);
  const y = context.input(2, x.dtype);
  const output = context.output(0, x.dtype);
  requireSharedParameters(context, [x, y], output);
  let conditionShape = condition.shape;
  if (
    context.operator.op === "SELECT" && conditionShape.length === 1 && x.shape.length > 1 &&
    conditionShape[0] === x.shape[0]
  ) {
    conditionShape = [conditionShape[0], ...new Array(x.shape.length - 1).fill(1)];
  }
  output.shape = broadcastAll(context, [conditionShape, x.shape, y.shape]);
  const conditionIndex = broadcastIndex(context, conditionShape, output.shape);
  const xIndex = broadcastIndex(context, x.shape, output.shape);
  const yIndex = broadcastIndex(context, y.shape, output.shape);
  const memory = context.memory;
  return {
    run() {
      const mask = memory.bytes(condition.offset, elementCount(condition.shape));
      const xs = memory.view(x.dtype, x.offset, elementCount(x.shape));
      const ys = memory.view(y.dtype, y.offset, elementCount(y.shape));
      const target = memory.view(output.dtype, output.offset, xIndex.length);
      for (let index = 0; index < xIndex.length; index++) {
        target[index] = mask[conditionIndex[index]] ? xs[xIndex[index]] : ys[yIndex[index]];
      }
    },
  };
}

/** The kernels of this module by op name. */
export const LOGICAL_KERNELS: Record<string, OpKernel> = {
  ...Object.fromEntries(Object.keys(COMPARISONS).map((op) => [op, comparison(op)])),
  LOGICAL_AND: logical((x, y) => x && y),
  LOGICAL_OR: logical((x, y) => x || y),
  LOGICAL_NOT: logicalNot,
  SELECT: select,
  SELECT_V2: select,
};
