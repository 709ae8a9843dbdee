/** Float32 FULLY_CONNECTED and BATCH_MATMUL on the packed-panel GEMM. */
import { elementCount } from "../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../op.ts";
import type { RuntimeTensor } from "../tensor.ts";
import { activationRange, broadcastShapes } from "./common.ts";
import { packWeights, paddedBias, roundUp } from "./conv.ts";

/** FULLY_CONNECTED: input rows of `k` times weights [n, k] plus bias; weights packed at load. */
export function fullyConnected(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const weights = context.input(1, "float32");
  const output = context.output(0, "float32");
  const options = context.options;
  if ((options.weightsFormat ?? "DEFAULT") !== "DEFAULT") {
    context.unsupported(`weights format ${options.weightsFormat} is not supported`);
  }
  if (weights.shape.length !== 2) context.unsupported(`weights [${weights.shape}] must be 2-D`);
  const [n, k] = weights.shape;
  const size = elementCount(input.shape);
  if (k === 0 || size % k !== 0) {
    context.unsupported(`input [${input.shape}] does not split into rows of ${k}`);
  }
  const m = size / k;
  output.shape = options.keepNumDims ? [...input.shape.slice(0, -1), n] : [m, n];
  const [low, high] = activationRange(context);
  const bias = paddedBias(context, 2, n, 8);
  const kernels = context.kernels;
  if (weights.constant) {
    const packed = packWeights(context, 1, n, k);
    return {
      consumedInputs: [1, 2],
      run() {
        kernels.f32_gemm_4x8(input.offset, k, packed, bias, output.offset, n, m, n, k, low, high);
      },
    };
  }
  return {
    consumedInputs: [2],
    scratchBytes: roundUp(n, 8) * k * 4,
    run(scratch) {
      kernels.f32_pack_rhs(weights.offset, n, k, k, 1, scratch);
      kernels.f32_gemm_4x8(input.offset, k, scratch, bias, output.offset, n, m, n, k, low, high);
    },
  };
}

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

/**
 * BATCH_MATMUL on float32 (see `batchMatmulShape`). A transposed left side is copied upright
 * into scratch; the right side is packed per batch, at load when constant.
 */
export function batchMatmul(context: OpContext): PreparedOp {
  const left = context.input(0, "float32");
  const right = context.input(1, "float32");
  const output = context.output(0, "float32");
  const shape = batchMatmulShape(context, left, right, output);
  const { m, k, n, adjX, adjY, batches, rightCount, leftIndex, rightIndex } = shape;
  const panel = roundUp(n, 8) * k * 4;
  const zeroBias = context.storePadded([], n, 8);
  const kernels = context.kernels;
  const memory = context.memory;
  const [strideN, strideK] = adjY ? [k, 1] : [1, n];
  let packedConstant = -1;
  if (right.constant) {
    packedConstant = memory.allocate(panel * rightCount);
    context.withConstantInMemory(right, "right operand", (source) => {
      for (let batch = 0; batch < rightCount; batch++) {
        kernels.f32_pack_rhs(
          source + batch * k * n * 4,
          n,
          k,
          strideN,
          strideK,
          packedConstant + batch * panel,
        );
      }
    });
  }
  const transposeBytes = adjX ? m * k * 4 : 0;
  return {
    consumedInputs: right.constant ? [1] : [],
    scratchBytes: transposeBytes + (right.constant ? 0 : panel),
    run(scratch) {
      for (let batch = 0; batch < batches; batch++) {
        let a = left.offset + leftIndex(batch) * m * k * 4;
        if (adjX) {
          const source = memory.f32(a, m * k);
          const upright = memory.f32(scratch, m * k);
          for (let row = 0; row < m; row++) {
            for (let column = 0; column < k; column++) {
              upright[row * k + column] = source[column * m + row];
            }
          }
          a = scratch;
        }
        let packed: number;
        if (packedConstant >= 0) {
          packed = packedConstant + rightIndex(batch) * panel;
        } else {
          packed = scratch + transposeBytes;
          kernels.f32_pack_rhs(
            right.offset + rightIndex(batch) * k * n * 4,
            n,
            k,
            strideN,
            strideK,
            packed,
          );
        }
        kernels.f32_gemm_4x8(
          a,
          k,
          packed,
          zeroBias,
          output.offset + batch * m * n * 4,
          n,
          m,
          n,
          k,
          -Infinity,
          Infinity,
        );
      }
    },
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
