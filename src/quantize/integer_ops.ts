/**
 * The op rules of full integer quantization, as TensorFlow's converter applies them: which ops
 * have an integer form (in int8, and in 16x8), how each op's output gets its parameters (the
 * `OutputRule`), which inputs are weights and bias, and the op version and options TensorFlow
 * writes for the integer op. Inputs follow from the rule: an op with the "shared" rule has its
 * inputs requantized to its output's parameters, a constant beside the data an op passes through
 * (PADV2's padding value) is stored at the data's parameters, other constants at their own range.
 */
import type { Operator } from "../format/ir.ts";
import type { ActivationType } from "./integer_scheme.ts";

/**
 * How an op's output parameters are chosen: "calibrated" from its output's calibrated range,
 * "input" those of its (first integer) input, "fixed" the scheme's fixed ones for the op,
 * "shared" one range over inputs and output (inputs with other parameters requantized to it),
 * "none" for outputs that are not float activations (ARG_MAX's indices, a comparison's bools).
 */
export type OutputRule = "calibrated" | "input" | "fixed" | "shared" | "none";

/** An op's integer form: its output rule, weight/bias inputs and the version TensorFlow writes. */
export interface IntegerSpec {
  /** How the output's parameters are chosen. */
  output: OutputRule;
  /** The version TensorFlow writes for the integer op (at least the float op's). */
  version: number;
  /** The version TensorFlow writes for int16 activations, when it differs. */
  int16Version?: number;
  /** False for ops TensorFlow has no int16-activation kernel for (they stay float in 16x8). */
  int16?: false;
  /** Input position of the weights and their per-channel axis. */
  weights?: { position: number; axis: number | null };
  /** Input position of the bias. */
  bias?: number;
  /** Input position of the activations the weights multiply (0 unless said). */
  data?: number;
  /**
   * Integer only when every input already is for other ops' sake (TensorFlow does not quantize
   * a tensor just for a comparison).
   */
  follows?: true;
  /**
   * The op keeps its state in variable inputs and its fused activation is its cell's (the LSTM):
   * both become integer with it (`integer_lstm.ts` quantizes its inputs).
   */
  recurrent?: true;
}

/** The ops with an integer form, by op name. */
export const INTEGER_OPS: Record<string, IntegerSpec> = {
  CONV_2D: { output: "calibrated", version: 3, weights: { position: 1, axis: 0 }, bias: 2 },
  DEPTHWISE_CONV_2D: {
    output: "calibrated",
    version: 3,
    weights: { position: 1, axis: 3 },
    bias: 2,
  },
  FULLY_CONNECTED: { output: "calibrated", version: 4, weights: { position: 1, axis: 0 }, bias: 2 },
  // Version 3 when a bias is present, which the float op's version already says.
  TRANSPOSE_CONV: {
    output: "calibrated",
    version: 2,
    int16Version: 3,
    weights: { position: 1, axis: 0 },
    bias: 3,
    data: 2,
  },
  BATCH_MATMUL: { output: "calibrated", version: 2 },
  ADD: { output: "calibrated", version: 2 },
  SUB: { output: "calibrated", version: 2 },
  MUL: { output: "calibrated", version: 2 },
  MEAN: { output: "calibrated", version: 2 },
  SUM: { output: "calibrated", version: 2 },
  RELU: { output: "calibrated", version: 2 },
  RELU6: { output: "calibrated", version: 2 },
  LEAKY_RELU: { output: "calibrated", version: 1, int16Version: 2 },
  HARD_SWISH: { output: "calibrated", version: 1, int16: false },
  SQUARED_DIFFERENCE: { output: "calibrated", version: 2, int16: false },
  DIV: { output: "calibrated", version: 1, int16: false },
  SQRT: { output: "calibrated", version: 2, int16: false },
  ABS: { output: "calibrated", version: 2 },
  EXP: { output: "calibrated", version: 2 },
  LOG: { output: "calibrated", version: 2 },
  RSQRT: { output: "calibrated", version: 2 },
  GELU: { output: "calibrated", version: 2 },
  // PRELU's alpha is stored like weights: int8 symmetric, one scale.
  PRELU: { output: "calibrated", version: 1, weights: { position: 1, axis: null }, int16: false },
  ARG_MAX: { output: "none", version: 2, int16: false },
  ARG_MIN: { output: "none", version: 2, int16: false },
  SOFTMAX: { output: "fixed", version: 2 },
  LOGISTIC: { output: "fixed", version: 2 },
  TANH: { output: "fixed", version: 2 },
  MAX_POOL_2D: { output: "input", version: 2 },
  AVERAGE_POOL_2D: { output: "input", version: 2 },
  REDUCE_MAX: { output: "input", version: 2 },
  REDUCE_MIN: { output: "input", version: 2 },
  RESHAPE: { output: "input", version: 1 },
  SQUEEZE: { output: "input", version: 1 },
  EXPAND_DIMS: { output: "input", version: 1 },
  TRANSPOSE: { output: "input", version: 2 },
  PAD: { output: "input", version: 2 },
  PADV2: { output: "input", version: 2 },
  STRIDED_SLICE: { output: "input", version: 2 },
  SLICE: { output: "input", version: 2 },
  GATHER: { output: "input", version: 2 },
  SPLIT: { output: "input", version: 2 },
  SPLIT_V: { output: "input", version: 2 },
  UNPACK: { output: "input", version: 2, int16Version: 1 },
  PACK: { output: "shared", version: 2 },
  CONCATENATION: { output: "shared", version: 2 },
  MAXIMUM: { output: "shared", version: 2 },
  MINIMUM: { output: "shared", version: 2 },
  SHAPE: { output: "none", version: 1 },
  LESS: { output: "none", version: 2, follows: true, int16: false },
  LESS_EQUAL: { output: "none", version: 2, follows: true, int16: false },
  GREATER: { output: "none", version: 2, follows: true, int16: false },
  GREATER_EQUAL: { output: "none", version: 2, follows: true, int16: false },
  EQUAL: { output: "none", version: 2, follows: true, int16: false },
  NOT_EQUAL: { output: "none", version: 2, follows: true, int16: false },
  SELECT: { output: "shared", version: 1, int16: false },
  SELECT_V2: { output: "shared", version: 1, int16: false },
  DEPTH_TO_SPACE: { output: "input", version: 2, int16: false },
  SPACE_TO_DEPTH: { output: "input", version: 2, int16: false },
  TILE: { output: "input", version: 3, int16: false },
  RESIZE_NEAREST_NEIGHBOR: { output: "input", version: 2 },
  RESIZE_BILINEAR: { output: "input", version: 2 },
  MIRROR_PAD: { output: "input", version: 2 },
  SPACE_TO_BATCH_ND: { output: "input", version: 2 },
  BATCH_TO_SPACE_ND: { output: "input", version: 2 },
  BROADCAST_TO: { output: "input", version: 3 },
  // TensorFlow's converter writes version 1 for the int8 form (its old quantizer wrote 2).
  UNIDIRECTIONAL_SEQUENCE_LSTM: { output: "calibrated", version: 1, int16: false, recurrent: true },
};

/** Sets the version and options TensorFlow writes for `operator` with `dtype` activations. */
export function setIntegerVersion(
  operator: Operator,
  spec: IntegerSpec,
  dtype: ActivationType,
): void {
  const version = dtype === "int16" ? spec.int16Version ?? spec.version : spec.version;
  operator.version = Math.max(operator.version, version);
  if (dtype === "int16" && (operator.op === "ADD" || operator.op === "SUB")) {
    // int16 ADD/SUB with general scales, as TensorFlow writes them (its default is the
    // power-of-two form, which needs power-of-two scales).
    operator.options = { ...operator.options, potScaleInt16: false };
  }
}
