/**
 * Integer BATCH_MATMUL (int8, int16), bit-exact with TensorFlow Lite's reference kernel, or for
 * int8 in the "xnnpack" arithmetic with XNNPACK's (as TensorFlow 2.21's delegate runs it).
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import type { RuntimeTensor } from "../../tensor.ts";
import { batchMatmulShape } from "./batch_matmul_common.ts";
import { xnnpackChannelScales, xnnpackRequantize } from "../common/xnnpack_arithmetic.ts";
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
 * the output zero point, clamped to the type. No fused activation. In the "xnnpack" arithmetic,
 * where XNNPACK's delegate takes the op (`xnnpackTakes`), the sum is XNNPACK's: the right
 * operand's zero point taken as 0 (TensorFlow 2.21's XNNPACK ignores it, constant or not),
 * requantized in float32 as its other int8 GEMMs are.
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
  const xnnpack = context.arithmetic === "xnnpack" && xnnpackTakes(left, right, output);
  const rightZero = xnnpack ? 0 : pr.zeroPoint;
  const requantize = xnnpack ? xnnpackSum(context, left, right, output) : referenceSum(
    left.dtype,
    quantizeMultiplier(Math.fround(pl.scale * pr.scale) / po.scale),
  );
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
                (b[bBase + depth * rightDepthStride + column * rightColumnStride] - rightZero);
            }
            const value = requantize(acc) + po.zeroPoint;
            c[(batch * m + row) * n + column] = Math.min(high, Math.max(low, value));
          }
        }
      }
    },
  };
}

/**
 * Whether TensorFlow 2.21's XNNPACK delegate takes an integer BATCH_MATMUL: int8 operands and
 * output, each with one scale (a per-channel right operand fails to delegate).
 */
function xnnpackTakes(left: RuntimeTensor, right: RuntimeTensor, output: RuntimeTensor): boolean {
  return [left, right, output].every((tensor) =>
    tensor.dtype === "int8" && (tensor.quantization?.scale.length ?? 0) === 1
  );
}

/** TFLite's reference rescaling of a sum by a quantized multiplier (64-bit for int16). */
function referenceSum(dtype: string, [multiplier, shift]: [number, number]) {
  return dtype === "int16"
    ? (acc: number) => multiplyByQuantizedMultiplier64(acc, multiplier, shift)
    : (acc: number) => multiplyByQuantizedMultiplier(acc, multiplier, shift);
}

/** XNNPACK's rescaling of a sum: by input scale x filter scale / output scale in float32. */
function xnnpackSum(
  context: OpContext,
  left: RuntimeTensor,
  right: RuntimeTensor,
  output: RuntimeTensor,
) {
  const [scale] = xnnpackChannelScales(context, left, [params(context, right).scale], output, 1, 1);
  return (acc: number) => xnnpackRequantize(acc, scale);
}
