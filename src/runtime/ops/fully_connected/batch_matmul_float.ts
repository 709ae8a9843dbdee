/** Float32 BATCH_MATMUL on the packed-panel GEMM. */
import { storeLayer } from "../../kernel_layout.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { roundUp } from "../common/weight_packing.ts";
import { batchMatmulShape } from "./batch_matmul_common.ts";

/**
 * BATCH_MATMUL on float32 (see `batchMatmulShape`). A transposed left side is copied upright
 * into scratch; the right side is packed per batch, at load when constant.
 */
export function floatBatchMatmul(context: OpContext): PreparedOp {
  const left = context.input(0, "float32");
  const right = context.input(1, "float32");
  const output = context.output(0, "float32");
  const shape = batchMatmulShape(context, left, right, output);
  const { m, k, n, adjX, adjY, batches, rightCount, leftIndex, rightIndex } = shape;
  const panel = roundUp(n, 8) * k * 4;
  const zeroBias = context.storePadded([], n, 8);
  const layer = storeLayer(context.memory, {
    n,
    depth: k,
    lda: k,
    ldc: n,
    bias: zeroBias,
    lowF: -Infinity,
    highF: Infinity,
  });
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
        kernels.f32_gemm_4x8(a, packed, output.offset + batch * m * n * 4, m, layer);
      }
    },
  };
}
