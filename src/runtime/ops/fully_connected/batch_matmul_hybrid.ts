/** Hybrid (dynamic-range) BATCH_MATMUL: a float32 left side, a constant int8 right side. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { gemmOperands, quantizeInput } from "../common/hybrid_layer.ts";
import { roundUp } from "../common/weight_packing.ts";
import { batchMatmulShape } from "./batch_matmul_common.ts";

const f = Math.fround;

/**
 * Hybrid BATCH_MATMUL (float32 left side, constant int8 right side with one scale): each left
 * row quantized (asymmetrically when the options say so), multiplied on the int8 GEMM against
 * the right side's batch (packed at load), then sum x (row scale x weight scale) in float32, as
 * TFLite's hybrid kernel. A transposed left side (adj_x) is not supported.
 */
export function hybridBatchMatmul(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const right = context.input(1, "int8");
  const output = context.output(0, "float32");
  const { m, k, n, adjX, adjY, batches, rightCount, leftIndex, rightIndex } = batchMatmulShape(
    context,
    input,
    right,
    output,
  );
  if (adjX) context.unsupported("hybrid BATCH_MATMUL with a transposed left side (adj_x)");
  const quantization = right.quantization;
  if (!quantization || quantization.scale.length !== 1) {
    context.unsupported(`right side "${right.name}" needs one scale`);
  }
  const values = context.values(right, "right side") as Int8Array;
  const depth = roundUp(k, 8);
  const padded = roundUp(n, 8);
  const memory = context.memory;
  const kernels = context.kernels;
  // Each right-side batch as rows [n][k], packed, with its rows' sums.
  const packedBytes = padded * depth * 2;
  const packed = memory.allocate(packedBytes * rightCount);
  const rowSums = new Int32Array(padded * rightCount);
  const upright = new Int8Array(n * k);
  for (let batch = 0; batch < rightCount; batch++) {
    for (let row = 0; row < n; row++) {
      for (let index = 0; index < k; index++) {
        const value = values[batch * k * n + (adjY ? row * k + index : index * n + row)];
        upright[row * k + index] = value;
        rowSums[batch * padded + row] += value;
      }
    }
    memory.withTemporary(upright.byteLength, (source) => {
      memory.bytes(source, upright.byteLength).set(new Uint8Array(upright.buffer));
      kernels.qs8_pack_weights(source, n, k, depth, packed + batch * packedBytes);
    });
  }
  const weightScale = quantization.scale[0];
  const asymmetric = Boolean(context.options.asymmetricQuantizeInputs);
  const zeroBias = memory.store(new Float32Array(padded));
  const operands = gemmOperands(memory, padded, n, depth, zeroBias, -Infinity, Infinity);
  const range = memory.allocate(8);
  return {
    consumedInputs: [1],
    scratchBytes: depth * 3,
    run(scratch) {
      const quantized = scratch;
      const widened = scratch + depth;
      const bias = memory.i32(operands.bias, padded);
      const scales = memory.f32(operands.scales, padded);
      for (let batch = 0; batch < batches; batch++) {
        const weights = rightIndex(batch);
        for (let row = 0; row < m; row++) {
          const { scale, zeroPoint } = quantizeInput(
            memory,
            input.offset + ((leftIndex(batch) * m + row) * k) * 4,
            k,
            quantized,
            range,
            asymmetric,
          );
          // TFLite folds the weight scale into the row's: one float32 factor for all columns.
          scales.fill(f(scale * weightScale));
          for (let column = 0; column < n; column++) {
            bias[column] = -zeroPoint * rowSums[weights * padded + column];
          }
          kernels.qs8_widen(quantized, 1, k, k, depth, widened);
          kernels.qs8_gemm_dequantize_4x8(
            widened,
            packed + weights * packedBytes,
            output.offset + ((batch * m + row) * n) * 4,
            1,
            operands.layer,
            1,
          );
        }
      }
    },
  };
}
