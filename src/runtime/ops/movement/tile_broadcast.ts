/** TILE and BROADCAST_TO, as precomputed index maps, for any dtype. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { stridesOf } from "../common/broadcast.ts";
import { copiedInput, forEachCoordinate, mapRun } from "./movement_common.ts";

/** TILE: the input repeated `multiples[axis]` times along each axis (constant input 1). */
export function tile(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const rank = input.shape.length;
  const multiples = context.integers(context.input(1), "multiples");
  if (multiples.length !== rank || multiples.some((count) => count < 0)) {
    context.unsupported(`multiples [${multiples}] do not fit a rank-${rank} input`);
  }
  output.shape = input.shape.map((size, axis) => size * multiples[axis]);
  const strides = stridesOf(input.shape);
  const map = new Int32Array(elementCount(output.shape));
  forEachCoordinate(output.shape, (coordinate, index) => {
    let from = 0;
    for (let axis = 0; axis < rank; axis++) {
      from += (coordinate[axis] % input.shape[axis]) * strides[axis];
    }
    map[index] = from;
  });
  return mapRun(context, input, output, map);
}

/** BROADCAST_TO the constant shape (input 1), numpy's broadcasting rules. */
export function broadcastTo(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const shape = context.integers(context.input(1), "shape");
  const rank = shape.length;
  const padded = [...new Array(Math.max(0, rank - input.shape.length)).fill(1), ...input.shape];
  if (padded.length !== rank || padded.some((size, axis) => size !== 1 && size !== shape[axis])) {
    context.unsupported(`[${input.shape}] does not broadcast to [${shape}]`);
  }
  output.shape = shape;
  const strides = stridesOf(padded);
  const map = new Int32Array(elementCount(shape));
  forEachCoordinate(shape, (coordinate, index) => {
    let from = 0;
    for (let axis = 0; axis < rank; axis++) {
      if (padded[axis] !== 1) from += coordinate[axis] * strides[axis];
    }
    map[index] = from;
  });
  return mapRun(context, input, output, map);
}
