/** The op kernels liteq has, by TFLite builtin op name. */
import type { OpKernel } from "./op.ts";
import { conv2d, depthwiseConv2d } from "./ops/conv.ts";
import { cast, dequantize } from "./ops/convert.ts";
import { ELEMENTWISE_KERNELS, prelu, SCALAR_UNARY_KERNELS, softmax } from "./ops/elementwise.ts";
import { floatGelu, integerGelu } from "./ops/gelu.ts";
import {
  hybridBatchMatmul,
  hybridConv2d,
  hybridDepthwiseConv2d,
  hybridFullyConnected,
} from "./ops/hybrid.ts";
import { INTEGER_KERNELS, quantize } from "./ops/integer.ts";
import { INTEGER_UNARY_KERNELS } from "./ops/integer_unary.ts";
import { integerDiv, integerPrelu, integerSquaredDifference } from "./ops/integer_arithmetic.ts";
import { unidirectionalSequenceLstm } from "./ops/lstm.ts";
import { hybridUnidirectionalSequenceLstm } from "./ops/lstm_hybrid.ts";
import { batchMatmul, fullyConnected } from "./ops/matmul.ts";
import { MOVEMENT_KERNELS } from "./ops/movement.ts";
import { averagePool2d, maxPool2d } from "./ops/pool.ts";
import { REDUCE_KERNELS } from "./ops/reduce.ts";
import { expandDims, reshape, shape, squeeze } from "./ops/shape.ts";
import { transposeConv } from "./ops/transpose_conv.ts";
import { resizeBilinear } from "./ops/resize_bilinear.ts";
import { LOGICAL_KERNELS } from "./ops/logical.ts";

/** The float kernels by op name. */
const FLOAT_KERNELS: Record<string, OpKernel> = {
  CONV_2D: conv2d,
  DEPTHWISE_CONV_2D: depthwiseConv2d,
  FULLY_CONNECTED: fullyConnected,
  BATCH_MATMUL: batchMatmul,
  MAX_POOL_2D: maxPool2d,
  AVERAGE_POOL_2D: averagePool2d,
  SOFTMAX: softmax,
  RESHAPE: reshape,
  SQUEEZE: squeeze,
  EXPAND_DIMS: expandDims,
  SHAPE: shape,
  CAST: cast,
  DEQUANTIZE: dequantize,
  UNIDIRECTIONAL_SEQUENCE_LSTM: unidirectionalSequenceLstm,
  GELU: floatGelu,
  PRELU: prelu,
  TRANSPOSE_CONV: transposeConv,
  RESIZE_BILINEAR: resizeBilinear,
  ...ELEMENTWISE_KERNELS,
  ...SCALAR_UNARY_KERNELS,
  ...LOGICAL_KERNELS,
  ...REDUCE_KERNELS,
  ...MOVEMENT_KERNELS,
};

/** Chooses the integer kernel when input 0 is int8, uint8 or int16, the float one otherwise. */
function byInputType(float: OpKernel | undefined, integer: OpKernel): OpKernel {
  return (context) => {
    const type = context.inputs[0]?.dtype;
    if (type === "int8" || type === "uint8" || type === "int16" || !float) {
      return integer(context);
    }
    return float(context);
  };
}

/** Chooses the hybrid kernel when float32 activations meet int8 weights (input 1). */
function byWeightType(kernel: OpKernel, hybrid: OpKernel): OpKernel {
  return (context) =>
    context.inputs[0]?.dtype === "float32" && context.inputs[1]?.dtype === "int8"
      ? hybrid(context)
      : kernel(context);
}

/** Kernel by op name. */
export const KERNELS: ReadonlyMap<string, OpKernel> = new Map(Object.entries({
  ...FLOAT_KERNELS,
  ...Object.fromEntries(
    Object.entries({
      ...INTEGER_KERNELS,
      ...INTEGER_UNARY_KERNELS,
      DIV: integerDiv,
      SQUARED_DIFFERENCE: integerSquaredDifference,
      GELU: integerGelu,
      PRELU: integerPrelu,
    }).map((
      [op, kernel],
    ) => [op, byInputType(FLOAT_KERNELS[op], kernel)]),
  ),
  QUANTIZE: quantize,
}));

const HYBRID_KERNELS: Record<string, OpKernel> = {
  CONV_2D: hybridConv2d,
  DEPTHWISE_CONV_2D: hybridDepthwiseConv2d,
  FULLY_CONNECTED: hybridFullyConnected,
  BATCH_MATMUL: hybridBatchMatmul,
};
for (const [op, hybrid] of Object.entries(HYBRID_KERNELS)) {
  (KERNELS as Map<string, OpKernel>).set(op, byWeightType(KERNELS.get(op)!, hybrid));
}
// An LSTM is hybrid when its forget-gate weights (always present) are int8.
(KERNELS as Map<string, OpKernel>).set(
  "UNIDIRECTIONAL_SEQUENCE_LSTM",
  (context) =>
    context.inputs[2]?.dtype === "int8"
      ? hybridUnidirectionalSequenceLstm(context)
      : unidirectionalSequenceLstm(context),
);
