/** SELECT and SELECT_V2, broadcasting the condition and both choices; stored values copied. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { stridesOf } from "../common/broadcast.ts";
import { requireSharedParameters } from "../../quantization/parameters.ts";

/**
 * For each element of `outShape`, the index of the element of `shape` broadcast onto it: an int32
 * map in wasm memory (inside the memory budget); returns its offset.
 */
function broadcastIndex(context: OpContext, shape: number[], outShape: number[]): number {
  const rank = outShape.length;
  const padded = [...new Array(rank - shape.length).fill(1), ...shape];
  if (padded.some((size, axis) => size !== 1 && size !== outShape[axis])) {
    context.unsupported(`[${shape}] does not broadcast to [${outShape}]`);
  }
  const strides = stridesOf(padded);
  const offset = context.memory.allocate(elementCount(outShape) * 4);
  const map = context.memory.i32(offset, elementCount(outShape));
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
  return offset;
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

/**
 * SELECT_V2 (condition, x and y broadcast together) and SELECT (the same, or a condition over
 * the first dimension only). Quantized x, y and output must share their parameters: the stored
 * values are copied.
 */
export function select(context: OpContext): PreparedOp {
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
  const count = elementCount(output.shape);
  return {
    run() {
      const [conditionAt, xAt, yAt] = [conditionIndex, xIndex, yIndex].map((map) =>
        memory.i32(map, count)
      );
      const mask = memory.bytes(condition.offset, elementCount(condition.shape));
      const xs = memory.view(x.dtype, x.offset, elementCount(x.shape));
      const ys = memory.view(y.dtype, y.offset, elementCount(y.shape));
      const target = memory.view(output.dtype, output.offset, count);
      for (let index = 0; index < count; index++) {
        target[index] = mask[conditionAt[index]] ? xs[xAt[index]] : ys[yAt[index]];
      }
    },
  };
}
