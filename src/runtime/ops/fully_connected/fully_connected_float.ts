/** Float32 FULLY_CONNECTED on the packed-panel GEMM, divided among threads by rows or channels. */
import { elementCount } from "../../../format/dtype.ts";
import { storeLayer } from "../../kernel_layout.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { floatActivationRange } from "../common/activation_range.ts";
import { floatGemmRowsOp } from "../common/float_gemm.ts";
import { packWeights, paddedBias, roundUp } from "../common/weight_packing.ts";

/**
 * FULLY_CONNECTED on float32: input rows of `k` times weights [n, k] plus bias; weights packed at
 * load.
 */
export function floatFullyConnected(context: OpContext): PreparedOp {
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
  const [low, high] = floatActivationRange(context);
  const bias = paddedBias(context, 2, n, 8);
  const kernels = context.kernels;
  const layer = storeLayer(context.memory, {
    n,
    depth: k,
    lda: k,
    ldc: n,
    bias,
    lowF: low,
    highF: high,
  });
  if (weights.constant) {
    const packed = packWeights(context, 1, n, k);
    return floatGemmRowsOp([1, 2], context.memory, kernels, {
      input,
      output,
      packed,
      layer,
      rows: m,
      k,
      n,
    });
  }
  return {
    consumedInputs: [2],
    scratchBytes: roundUp(n, 8) * k * 4,
    run(scratch) {
      kernels.f32_pack_rhs(weights.offset, n, k, k, 1, scratch);
      kernels.f32_gemm_4x8(input.offset, scratch, output.offset, m, layer);
    },
  };
}
