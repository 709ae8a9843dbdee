/** BATCH_MATMUL's geometry, which every path checks the same way. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext } from "../../op.ts";
import { broadcastShapes } from "../common/broadcast.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** BATCH_MATMUL's geometry: sizes, transpositions and each output batch's operand batches. */
export interface BatchMatmulShape {
  m: number;
  k: number;
  n: number;
  adjX: boolean;
  adjY: boolean;
  batches: number;
  /** Operand batches: how many the right side has, and which each output batch reads. */
  rightCount: number;
  leftIndex(batch: number): number;
  rightIndex(batch: number): number;
}

/**
 * Checks BATCH_MATMUL's operands ([..., m, k] x [..., k, n], either side transposed by adj_x /
 * adj_y, leading dimensions broadcast) and sets the output's shape.
 */
export function batchMatmulShape(
  context: OpContext,
  left: RuntimeTensor,
  right: RuntimeTensor,
  output: RuntimeTensor,
): BatchMatmulShape {
  if (left.shape.length < 2 || right.shape.length < 2) {
    context.unsupported(`operands [${left.shape}] and [${right.shape}] must be at least 2-D`);
  }
  const adjX = Boolean(context.options.adjX);
  const adjY = Boolean(context.options.adjY);
  const [leftRows, leftColumns] = left.shape.slice(-2);
  const [rightRows, rightColumns] = right.shape.slice(-2);
  const m = adjX ? leftColumns : leftRows;
  const k = adjX ? leftRows : leftColumns;
  const n = adjY ? rightRows : rightColumns;
  if ((adjY ? rightColumns : rightRows) !== k) {
    context.unsupported(`inner dimensions of [${left.shape}] and [${right.shape}] differ`);
  }
  const leftBatch = left.shape.slice(0, -2);
  const rightBatch = right.shape.slice(0, -2);
  const batchShape = broadcastShapes(context, leftBatch, rightBatch);
  output.shape = [...batchShape, m, n];
  // Batch b of the output reads batch (b mod count) of an operand: broadcasting along leading
  // dimensions of size 1 or absent, which is what TFLite allows.
  return {
    m,
    k,
    n,
    adjX,
    adjY,
    batches: elementCount(batchShape),
    rightCount: elementCount(rightBatch),
    leftIndex: (batch) => broadcastIndex(batch, batchShape, leftBatch),
    rightIndex: (batch) => broadcastIndex(batch, batchShape, rightBatch),
  };
}

/** The flat index into `operandShape` that broadcasting maps output batch `batch` to. */
function broadcastIndex(batch: number, batchShape: number[], operandShape: number[]): number {
  let index = 0;
  let remaining = batch;
  let stride = 1;
  for (let dim = batchShape.length - 1; dim >= 0; dim--) {
    const coordinate = remaining % batchShape[dim];
    remaining = Math.floor(remaining / batchShape[dim]);
    const size = operandShape[operandShape.length - batchShape.length + dim] ?? 1;
    if (size !== 1) index += coordinate * stride;
    stride *= size;
  }
  return index;
}
