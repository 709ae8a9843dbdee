/** The op kernels liteq has, by TFLite builtin op name. */
import type { OpKernel } from "./op.ts";
import { conv2d, depthwiseConv2d } from "./ops/conv.ts";
import { cast, dequantize } from "./ops/convert.ts";
import { ELEMENTWISE_KERNELS, softmax } from "./ops/elementwise.ts";
import { unidirectionalSequenceLstm } from "./ops/lstm.ts";
import { batchMatmul, fullyConnected } from "./ops/matmul.ts";
import { MOVEMENT_KERNELS } from "./ops/movement.ts";
import { averagePool2d, maxPool2d } from "./ops/pool.ts";
import { REDUCE_KERNELS } from "./ops/reduce.ts";
import { expandDims, reshape, shape, squeeze } from "./ops/shape.ts";

/** Kernel by op name. */
export const KERNELS: ReadonlyMap<string, OpKernel> = new Map(Object.entries({
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
  ...ELEMENTWISE_KERNELS,
  ...REDUCE_KERNELS,
  ...MOVEMENT_KERNELS,
}));
