/**
 * The op kernels liteq has, by TFLite builtin op name (or, for the custom ops TensorFlow's
 * interpreter and MediaPipe provide, custom code): one flat table, built once. Each kernel
 * chooses its own float32, integer or hybrid path (one switch on the input types, in its file).
 */
import type { OpKernel } from "./op.ts";
import { conv2d } from "./ops/convolution/conv_2d.ts";
import { depthwiseConv2d } from "./ops/convolution/depthwise_conv_2d.ts";
import { transposeConv } from "./ops/convolution/transpose_conv.ts";
import { fullyConnected } from "./ops/fully_connected/fully_connected.ts";
import { batchMatmul } from "./ops/fully_connected/batch_matmul.ts";
import { averagePool2d, maxPool2d } from "./ops/pooling/pooling.ts";
import { add, sub } from "./ops/arithmetic/add_sub.ts";
import { mul } from "./ops/arithmetic/mul.ts";
import { div } from "./ops/arithmetic/div.ts";
import { squaredDifference } from "./ops/arithmetic/squared_difference.ts";
import { maximum, minimum } from "./ops/arithmetic/maximum_minimum.ts";
import { relu, relu0To1, relu6, reluN1To1 } from "./ops/activations/relu.ts";
import { leakyRelu } from "./ops/activations/leaky_relu.ts";
import { logistic, tanh } from "./ops/activations/logistic_tanh.ts";
import { softmax } from "./ops/activations/softmax.ts";
import { hardSwish } from "./ops/activations/hard_swish.ts";
import { geluKernel } from "./ops/activations/gelu.ts";
import { prelu } from "./ops/activations/prelu.ts";
import {
  abs,
  ceil,
  cos,
  exp,
  floor,
  log,
  neg,
  round,
  rsqrt,
  sin,
  sqrt,
  square,
} from "./ops/unary_math/unary_math.ts";
import { mean, reduceMax, reduceMin, reduceProd, sum } from "./ops/reductions/reduce.ts";
import { argMax, argMin } from "./ops/reductions/arg_min_max.ts";
import { expandDims, reshape, shape, squeeze } from "./ops/shape/shape.ts";
import { transpose } from "./ops/movement/transpose.ts";
import { mirrorPad, pad } from "./ops/movement/pad.ts";
import { slice, stridedSlice } from "./ops/movement/slice.ts";
import { gather } from "./ops/movement/gather.ts";
import { gatherNd, scatterNd } from "./ops/movement/gather_nd.ts";
import { reverseV2 } from "./ops/movement/reverse.ts";
import { embeddingLookup } from "./ops/movement/embedding_lookup.ts";
import { oneHot } from "./ops/selection/one_hot.ts";
import { topKV2 } from "./ops/selection/top_k.ts";
import { where } from "./ops/selection/where.ts";
import { nonMaxSuppressionV4, nonMaxSuppressionV5 } from "./ops/selection/non_max_suppression.ts";
import { cumsum } from "./ops/reductions/cumsum.ts";
import { l2Normalization } from "./ops/normalization/l2_normalization.ts";
import { localResponseNormalization } from "./ops/normalization/local_response_normalization.ts";
import { fill, range, zerosLike } from "./ops/creation/fill.ts";
import { concatenation, pack } from "./ops/movement/concatenation.ts";
import { split, splitV, unpack } from "./ops/movement/split.ts";
import {
  batchToSpaceNd,
  depthToSpace,
  spaceToBatchNd,
  spaceToDepth,
} from "./ops/movement/space_depth_batch.ts";
import { broadcastTo, tile } from "./ops/movement/tile_broadcast.ts";
import { resizeBilinear } from "./ops/resize/resize_bilinear.ts";
import { resizeNearestNeighbor } from "./ops/resize/resize_nearest_neighbor.ts";
import {
  equal,
  greater,
  greaterEqual,
  less,
  lessEqual,
  notEqual,
} from "./ops/comparison/comparisons.ts";
import { logicalAnd, logicalNot, logicalOr } from "./ops/comparison/logical.ts";
import { select } from "./ops/comparison/select.ts";
import { quantize } from "./ops/conversion/quantize.ts";
import { dequantize } from "./ops/conversion/dequantize.ts";
import { cast } from "./ops/conversion/cast.ts";
import { densify } from "./ops/conversion/densify.ts";
import { svdf } from "./ops/svdf/svdf.ts";
import { detectionPostProcess } from "./ops/detection/detection_postprocess.ts";
import { unidirectionalSequenceLstm } from "./ops/lstm/unidirectional_sequence_lstm.ts";
import { convolution2dTransposeBias } from "./ops/custom/transpose_conv_bias.ts";
import { maxPoolingWithArgmax2d } from "./ops/custom/max_pool_argmax.ts";
import { maxUnpooling2d } from "./ops/custom/max_unpooling.ts";
import { transformTensorBilinear } from "./ops/custom/transform_tensor_bilinear.ts";
import { transformLandmarks } from "./ops/custom/transform_landmarks.ts";
import { landmarksToTransformMatrix } from "./ops/custom/landmarks_to_transform_matrix.ts";
import { ifKernel } from "./control_flow/if.ts";
import { whileKernel } from "./control_flow/while.ts";
import { callOnce } from "./control_flow/call_once.ts";
import { assignVariable, readVariable, varHandle } from "./control_flow/resource_variables.ts";

/** Kernel by op name. */
export const KERNELS: ReadonlyMap<string, OpKernel> = new Map<string, OpKernel>([
  ["CONV_2D", conv2d],
  ["DEPTHWISE_CONV_2D", depthwiseConv2d],
  ["TRANSPOSE_CONV", transposeConv],
  ["FULLY_CONNECTED", fullyConnected],
  ["BATCH_MATMUL", batchMatmul],
  ["MAX_POOL_2D", maxPool2d],
  ["AVERAGE_POOL_2D", averagePool2d],
  ["ADD", add],
  ["SUB", sub],
  ["MUL", mul],
  ["DIV", div],
  ["SQUARED_DIFFERENCE", squaredDifference],
  ["MAXIMUM", maximum],
  ["MINIMUM", minimum],
  ["RELU", relu],
  ["RELU6", relu6],
  ["RELU_N1_TO_1", reluN1To1],
  ["RELU_0_TO_1", relu0To1],
  ["LEAKY_RELU", leakyRelu],
  ["LOGISTIC", logistic],
  ["TANH", tanh],
  ["SOFTMAX", softmax],
  ["HARD_SWISH", hardSwish],
  ["GELU", geluKernel],
  ["PRELU", prelu],
  ["ABS", abs],
  ["EXP", exp],
  ["LOG", log],
  ["SQRT", sqrt],
  ["RSQRT", rsqrt],
  ["NEG", neg],
  ["SQUARE", square],
  ["FLOOR", floor],
  ["CEIL", ceil],
  ["ROUND", round],
  ["SIN", sin],
  ["COS", cos],
  ["MEAN", mean],
  ["SUM", sum],
  ["REDUCE_MAX", reduceMax],
  ["REDUCE_MIN", reduceMin],
  ["REDUCE_PROD", reduceProd],
  ["ARG_MAX", argMax],
  ["ARG_MIN", argMin],
  ["RESHAPE", reshape],
  ["SQUEEZE", squeeze],
  ["EXPAND_DIMS", expandDims],
  ["SHAPE", shape],
  ["TRANSPOSE", transpose],
  ["PAD", pad],
  ["PADV2", pad],
  ["MIRROR_PAD", mirrorPad],
  ["SLICE", slice],
  ["STRIDED_SLICE", stridedSlice],
  ["GATHER", gather],
  ["GATHER_ND", gatherNd],
  ["SCATTER_ND", scatterNd],
  ["REVERSE_V2", reverseV2],
  ["EMBEDDING_LOOKUP", embeddingLookup],
  ["ONE_HOT", oneHot],
  ["TOPK_V2", topKV2],
  ["WHERE", where],
  ["NON_MAX_SUPPRESSION_V4", nonMaxSuppressionV4],
  ["NON_MAX_SUPPRESSION_V5", nonMaxSuppressionV5],
  ["CUMSUM", cumsum],
  ["L2_NORMALIZATION", l2Normalization],
  ["LOCAL_RESPONSE_NORMALIZATION", localResponseNormalization],
  ["FILL", fill],
  ["ZEROS_LIKE", zerosLike],
  ["RANGE", range],
  ["CONCATENATION", concatenation],
  ["PACK", pack],
  ["SPLIT", split],
  ["SPLIT_V", splitV],
  ["UNPACK", unpack],
  ["DEPTH_TO_SPACE", depthToSpace],
  ["SPACE_TO_DEPTH", spaceToDepth],
  ["SPACE_TO_BATCH_ND", spaceToBatchNd],
  ["BATCH_TO_SPACE_ND", batchToSpaceNd],
  ["TILE", tile],
  ["BROADCAST_TO", broadcastTo],
  ["RESIZE_BILINEAR", resizeBilinear],
  ["RESIZE_NEAREST_NEIGHBOR", resizeNearestNeighbor],
  ["LESS", less],
  ["LESS_EQUAL", lessEqual],
  ["GREATER", greater],
  ["GREATER_EQUAL", greaterEqual],
  ["EQUAL", equal],
  ["NOT_EQUAL", notEqual],
  ["LOGICAL_AND", logicalAnd],
  ["LOGICAL_OR", logicalOr],
  ["LOGICAL_NOT", logicalNot],
  ["SELECT", select],
  ["SELECT_V2", select],
  ["QUANTIZE", quantize],
  ["DEQUANTIZE", dequantize],
  ["CAST", cast],
  ["DENSIFY", densify],
  ["UNIDIRECTIONAL_SEQUENCE_LSTM", unidirectionalSequenceLstm],
  ["SVDF", svdf],
  ["TFLite_Detection_PostProcess", detectionPostProcess],
  ["Convolution2DTransposeBias", convolution2dTransposeBias],
  ["MaxPoolingWithArgmax2D", maxPoolingWithArgmax2d],
  ["MaxUnpooling2D", maxUnpooling2d],
  ["TransformTensorBilinear", transformTensorBilinear],
  ["TransformTensor", transformTensorBilinear],
  ["TransformLandmarks", transformLandmarks],
  ["Landmarks2TransformMatrix", landmarksToTransformMatrix],
  ["IF", ifKernel],
  ["WHILE", whileKernel],
  ["CALL_ONCE", callOnce],
  ["VAR_HANDLE", varHandle],
  ["READ_VARIABLE", readVariable],
  ["ASSIGN_VARIABLE", assignVariable],
]);

/**
 * The ops that take string tensors (TFLite's `kTfLiteString`), whose kernels read and write
 * `RuntimeTensor.strings`: shape changes, SHAPE, slices, TILE, gathers, EQUAL and NOT_EQUAL, and
 * the control flow that passes them on. An op outside this set with a string operand is refused at
 * load.
 */
export const STRING_OPS: ReadonlySet<string> = new Set([
  "RESHAPE",
  "SQUEEZE",
  "EXPAND_DIMS",
  "SHAPE",
  "SLICE",
  "STRIDED_SLICE",
  "TILE",
  "GATHER",
  "GATHER_ND",
  "EQUAL",
  "NOT_EQUAL",
  "IF",
  "WHILE",
  "CALL_ONCE",
]);
