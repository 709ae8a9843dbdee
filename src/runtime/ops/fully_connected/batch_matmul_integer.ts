/** Integer BATCH_MATMUL (int8, int16), bit-exact with TensorFlow Lite's reference kernel. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { batchMatmulShape } from "./batch_matmul_common.ts";
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplier64,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import { params, RANGES } from "../../quantization/parameters.ts";

/**
 * BATCH_MATMUL on int8 or int16 (TFLite's reference): sum (a - za)(b - zb) per output, rescaled
 * by input scale x filter scale (a float32 product) / output scale, as int32 accumulators with
 * multiplyByQuantizedMultiplier for int8 and int64 ones with the 15-bit form for int16, plus
 * the output zero point, clamped to the type. No fused activation.
 */
export function integerBatchMatmul(context: OpContext): PreparedOp {
  const left = context.input(0, "int8", "int16");
  const right = context.input(1, left.dtype);
  const output = context.output(0, left.dtype);
  const { m, k, n, adjX, adjY, batches, leftIndex, rightIndex } = batchMatmulShape(
    context,
    left,
    right,
    output,
  );
  const pl = params(context, left);
  const pr = params(context, right);
  const po = params(context, output);
  const [multiplier, shift] = quantizeMultiplier(Math.fround(pl.scale * pr.scale) / po.scale);
  const rescale = left.dtype === "int16"
    ? multiplyByQuantizedMultiplier64
    : multiplyByQuantizedMultiplier;
  const [low, high] = RANGES[output.dtype];
  // Element (row, depth) of the left batch and (depth, column) of the right, honouring adj_x/y.
  const [leftRowStride, leftDepthStride] = adjX ? [1, m] : [k, 1];
  const [rightDepthStride, rightColumnStride] = adjY ? [1, k] : [n, 1];
  const memory = context.memory;
  return {
    run() {
      const a = memory.view(left.dtype, left.offset, elementCount(left.shape)) as Int8Array;
      const b = memory.view(right.dtype, right.offset, elementCount(right.shape)) as Int8Array;
      const c = memory.view(output.dtype, output.offset, elementCount(output.shape)) as Int8Array;
      for (let batch = 0; batch < batches; batch++) {
        const aBase = leftIndex(batch) * m * k;
        const bBase = rightIndex(batch) * k * n;
        for (let row = 0; row < m; row++) {
          for (let column = 0; column < n; column++) {
            let acc = 0;
            for (let depth = 0; depth < k; depth++) {
              acc += (a[aBase + row * leftRowStride + depth * leftDepthStride] - pl.zeroPoint) *
                (b[bBase + depth * rightDepthStride + column * rightColumnStride] - pr.zeroPoint);
            }
            const value = rescale(acc, multiplier, shift) + po.zeroPoint;
            c[(batch * m + row) * n + column] = Math.min(high, Math.max(low, value));
          }
        }
      }
    },
  };
}
