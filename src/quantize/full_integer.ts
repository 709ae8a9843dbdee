/**
 * Full integer quantization (int8, and 16x8: int16 activations with int8 weights), following the
 * TFLite quantization spec as TensorFlow's converter applies it:
 * - activations: int8 asymmetric per tensor from the calibrated range widened to contain 0
 *   (scale = (max - min) / 255, zero point = round(-128 - min / scale) clamped); int16
 *   symmetric (scale = max(|min|, |max|) / 32767, zero point 0);
 * - weights: int8 symmetric in [-127, 127], per output channel (CONV_2D and FULLY_CONNECTED
 *   axis 0, DEPTHWISE_CONV_2D axis 3) unless `perChannel` is false;
 * - biases: int32 (int64 in 16x8) at input scale x weight scale, zero point 0;
 * - op constraints: SOFTMAX and LOGISTIC output 1/256 with zero point -128 (int16: 1/32768, 0),
 *   TANH 1/128 with 0 (int16: 1/32768, 0); pooling, reshapes, padding, slicing, transposes and
 *   the like keep their input's parameters (PADV2's padding value is stored at them too);
 *   CONCATENATION, PACK, MAXIMUM and MINIMUM share one range over inputs and output, an input
 *   with other parameters (a LOGISTIC's output, say) requantized to it;
 * - QUANTIZE where float tensors enter integer ops (and at float model inputs), DEQUANTIZE where
 *   integer tensors reach float ops or float model outputs; int8 or uint8 model inputs and
 *   outputs on request (uint8 through a QUANTIZE that shifts the zero point by 128).
 * Ops without an integer form stay float32 between QUANTIZE/DEQUANTIZE pairs, or are refused
 * all together under `int8Only`.
 */
import type { DType } from "../format/dtype.ts";
import type { Model, Operator, Quantization, Subgraph, Tensor } from "../format/ir.ts";
import { calibrate, type Calibration, type Range } from "./calibrate.ts";
import { QuantizeError } from "./errors.ts";
import { addTensor, describeOperator, plainOperator, quantization } from "./graph.ts";
import type { QuantizeOptions, QuantizeReport } from "./options.ts";
import { roundHalfAway } from "../runtime/quantization/fixed_point.ts";
import { finiteValues, quantizeBias, quantizeWeights } from "./weights.ts";
import { widenInPlaceInputs } from "./in_place_ranges.ts";

/** How an op's output parameters are chosen. */
type OutputRule = "calibrated" | "input" | "fixed" | "shared" | "none";

/** An op's integer form: its output rule, weight/bias inputs and the version TensorFlow writes. */
interface IntegerSpec {
  output: OutputRule;
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
}

const SPECS: Record<string, IntegerSpec> = {
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
};

/** The integer activation type of a mode. */
interface Scheme {
  dtype: "int8" | "int16";
  wideBias: boolean;
  params(range: Range): Quantization;
  fixed(op: string): Quantization;
}

const INT8: Scheme = {
  dtype: "int8",
  wideBias: false,
  params(range) {
    const min = Math.min(range.min, 0);
    const max = Math.max(range.max, 0);
    if (max === min) return quantization([1], [-128]);
    const scale = (max - min) / 255;
    const zeroPoint = Math.max(-128, Math.min(127, roundHalfAway(-128 - min / scale)));
    return quantization([Math.fround(scale)], [zeroPoint]);
  },
  fixed(op) {
    return op === "TANH" ? quantization([1 / 128], [0]) : quantization([1 / 256], [-128]);
  },
};

const INT16: Scheme = {
  dtype: "int16",
  wideBias: true,
  params(range) {
    const largest = Math.max(Math.abs(range.min), Math.abs(range.max));
    return quantization([Math.fround(largest > 0 ? largest / 32767 : 1)], [0]);
  },
  fixed() {
    return quantization([1 / 32768], [0]);
  },
};

/** The same parameters (scale and zero point lists equal). */
function sameParams(a: Quantization | null, b: Quantization | null): boolean {
  return a !== null && b !== null && a.scale.join() === b.scale.join() &&
    a.zeroPoint.join() === b.zeroPoint.join();
}

/** Why an op cannot be integer here, or null when it can. */
function blocker(
  subgraph: Subgraph,
  operator: Operator,
  scheme: Scheme,
  denied: Set<string>,
): string | null {
  if (denied.has(operator.op)) return "denylisted";
  const spec = SPECS[operator.op];
  if (!spec || operator.custom) return `no integer kernel for ${operator.op}`;
  if (scheme.dtype === "int16" && spec.int16 === false) {
    return `no int16-activation kernel for ${operator.op}`;
  }
  const names = [...operator.inputs, ...operator.outputs].filter((index) => index >= 0)
    .map((index) => subgraph.tensors[index].name);
  const deniedName = names.find((name) => denied.has(name));
  if (deniedName) return `tensor "${deniedName}" is denylisted`;
  const fused = operator.options?.fusedActivationFunction;
  if (fused === "TANH" || fused === "SIGN_BIT") return `fused ${fused} has no integer form`;
  return null;
}

/** Whether an op touches float32 activations at all (int32 shape arithmetic does not). */
function touchesFloat(subgraph: Subgraph, operator: Operator): boolean {
  return [...operator.inputs, ...operator.outputs].some((index) =>
    index >= 0 && subgraph.tensors[index].dtype === "float32" &&
    subgraph.tensors[index].data === null
  );
}

/** The index of the operator that writes each tensor, by tensor index. */
function producers(subgraph: Subgraph): Map<number, number> {
  const producer = new Map<number, number>();
  subgraph.operators.forEach((operator, index) => {
    for (const output of operator.outputs) producer.set(output, index);
  });
  return producer;
}

/** The range of a constant's values, widened to contain 0. */
function valueRange(values: Float32Array): Range {
  let min = 0;
  let max = 0;
  for (const value of values) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return { min, max };
}

/**
 * Ops with the "shared" rule (CONCATENATION and PACK, whose output holds every input, TFLite's
 * PACK and int16 CONCATENATION copying the stored integers; MAXIMUM and MINIMUM, which compare
 * them) put their inputs on their output's calibrated range, as TensorFlow's quantizer does. The
 * range goes back up each input through ops that keep their input's parameters (pooling,
 * reshapes, ...) to the tensor that an op computes (an ADD's output, say), so that no
 * requantization is needed; walking the ops from the last, a chain of such ops (MAXIMUM into
 * MINIMUM) ends up on the last one's output range.
 */
function shareRanges(
  subgraph: Subgraph,
  calibration: Calibration,
  blocked: (string | null)[],
): void {
  const { ranges } = calibration;
  const producer = producers(subgraph);
  const shared = subgraph.operators.filter((operator, index) =>
    SPECS[operator.op]?.output === "shared" && !blocked[index] && ranges.has(operator.outputs[0])
  );
  for (const operator of shared.reverse()) {
    const range = ranges.get(operator.outputs[0])!;
    for (let tensor of operator.inputs) {
      while (ranges.has(tensor)) {
        ranges.set(tensor, range);
        const source = producer.get(tensor);
        const sourceOp = source === undefined ? undefined : subgraph.operators[source];
        if (!sourceOp || blocked[source!] || SPECS[sourceOp.op]?.output !== "input") break;
        tensor = sourceOp.inputs[0];
      }
    }
  }
}

/**
 * As TensorFlow's quantizer does, an op with the "shared" rule (CONCATENATION, PACK, MAXIMUM,
 * MINIMUM) stays float when an op that stays float computes one of its inputs: it cannot put
 * that input on its range. In operator order, so that a chain of them stays float together.
 */
function keepSharedOpsAfterFloatOps(subgraph: Subgraph, blocked: (string | null)[]): void {
  const producer = producers(subgraph);
  subgraph.operators.forEach((operator, index) => {
    if (blocked[index] || SPECS[operator.op]?.output !== "shared") return;
    const floatSource = operator.inputs.map((input) => producer.get(input))
      .find((source) => source !== undefined && blocked[source] !== null);
    if (floatSource !== undefined) {
      blocked[index] = `its input from ${subgraph.operators[floatSource].op} (operator ` +
        `${floatSource}) stays float`;
    }
  });
}

/**
 * Ops that follow (comparisons) stay float unless every float input is integer anyway, an
 * activation another integer op reads or writes (even an integer model input does not count:
 * TensorFlow dequantizes it for them).
 */
function keepFollowersOfFloatTensors(subgraph: Subgraph, blocked: (string | null)[]): void {
  const demanded = new Set<number>();
  subgraph.operators.forEach((operator, index) => {
    if (blocked[index] || !SPECS[operator.op] || SPECS[operator.op].follows) return;
    for (const tensor of [...operator.inputs, ...operator.outputs]) demanded.add(tensor);
  });
  subgraph.operators.forEach((operator, index) => {
    if (blocked[index] || !SPECS[operator.op]?.follows) return;
    const alone = operator.inputs.find((input) =>
      input >= 0 && subgraph.tensors[input].dtype === "float32" && !demanded.has(input)
    );
    if (alone !== undefined) {
      blocked[index] = `input "${subgraph.tensors[alone].name}" is not integer for any other op`;
    }
  });
}

/** Rewrites `model` (a copy of a float model) for full integer inference; fills `report`. */
export async function quantizeFullInteger(
  model: Model,
  options: QuantizeOptions,
  report: QuantizeReport,
): Promise<void> {
  if (model.subgraphs.length !== 1) {
    throw new QuantizeError(
      `full integer quantization handles single-subgraph models; this one has ${model.subgraphs.length}`,
    );
  }
  const scheme = options.mode === "int16x8" ? INT16 : INT8;
  const subgraph = model.subgraphs[0];
  const denied = new Set(options.denylist ?? []);
  // Decided on the float graph, before the rewrite turns tensors integer.
  const floatOps = subgraph.operators.map((operator) => touchesFloat(subgraph, operator));
  const blocked = subgraph.operators.map((operator, index) =>
    floatOps[index] ? blocker(subgraph, operator, scheme, denied) : null
  );
  keepSharedOpsAfterFloatOps(subgraph, blocked);
  keepFollowersOfFloatTensors(subgraph, blocked);
  if (options.int8Only) {
    const refused = blocked.flatMap((reason, index) =>
      reason ? [`${describeOperator(subgraph, index)}: ${reason}`] : []
    );
    if (refused.length > 0) {
      throw new QuantizeError(
        `int8Only: ${refused.length} op${refused.length === 1 ? "" : "s"} cannot be quantized: ` +
          refused.join("; "),
      );
    }
  }
  const calibration: Calibration = await calibrate(
    model,
    options.representativeDataset!,
    options.onProgress,
  );
  report.samples = calibration.samples;
  widenInPlaceInputs(subgraph, calibration.ranges);
  shareRanges(subgraph, calibration, blocked);
  new IntegerRewrite(model, subgraph, scheme, calibration, options, floatOps, blocked, report)
    .run();
}

/** The graph rewrite itself (see the module comment). */
class IntegerRewrite {
  /** Integer parameters of every activation that is (or has a version that is) integer. */
  private readonly params = new Map<number, Quantization>();
  /** Integer twin of a float tensor, for integer readers. */
  private readonly integerOf = new Map<number, number>();
  /** Float twin of an integer tensor, for float readers. */
  private readonly floatOf = new Map<number, number>();
  /** Tensors that are integer in the rewritten model. */
  private readonly integer = new Set<number>();
  private readonly operators: Operator[] = [];
  private readonly quantizedConstants = new Map<string, number>();
  private readonly requantizedTensors = new Map<string, number>();
  /** Model outputs written by the current op: [integer twin, float output, parameters]. */
  private readonly pendingOutputs: [number, number, Quantization][] = [];

  constructor(
    private readonly model: Model,
    private readonly subgraph: Subgraph,
    private readonly scheme: Scheme,
    private readonly calibration: Calibration,
    private readonly options: QuantizeOptions,
    /** Which ops touch float32 activations in the float model. */
    private readonly floatOps: boolean[],
    private readonly blocked: (string | null)[],
    private readonly report: QuantizeReport,
  ) {}

  private tensor(index: number): Tensor {
    return this.subgraph.tensors[index];
  }

  private isActivation(index: number): boolean {
    const tensor = this.tensor(index);
    return tensor.dtype === "float32" && tensor.data === null && !tensor.isVariable;
  }

  private calibrated(index: number): Quantization {
    const range = this.calibration.ranges.get(index);
    if (!range) throw new QuantizeError(`tensor "${this.tensor(index).name}" was never computed`);
    return this.scheme.params(range);
  }

  run(): void {
    const { subgraph, options, scheme } = this;
    const outputs = new Set(subgraph.outputs);
    // Model inputs.
    const inputType = options.inputType ?? "float32";
    subgraph.inputs = subgraph.inputs.map((index) => {
      if (!this.isActivation(index) || inputType === "float32") return index;
      const params = this.calibrated(index);
      const tensor = this.tensor(index);
      if (inputType === scheme.dtype) {
        Object.assign(tensor, { dtype: scheme.dtype, quantization: params });
        this.params.set(index, params);
        this.integer.add(index);
        return index;
      }
      // uint8 input: the uint8 tensor feeds a QUANTIZE to int8 (zero point shifted by 128).
      const shifted = quantization(params.scale, params.zeroPoint.map((zero) => zero + 128));
      const inner = addTensor(subgraph, `${tensor.name}/int8`, scheme.dtype, tensor, params);
      Object.assign(tensor, { dtype: "uint8", quantization: shifted });
      this.operators.push(plainOperator("QUANTIZE", 1, [index], [inner]));
      this.params.set(inner, params);
      this.integer.add(inner);
      this.integerOf.set(index, inner);
      return index;
    });

    subgraph.operators.forEach((operator, index) => {
      if (!this.floatOps[index]) {
        // Integer-only ops (SHAPE of a uint8 model input, say) read the int8 twin too.
        operator.inputs = operator.inputs.map((input) => this.integerOf.get(input) ?? input);
        this.operators.push(operator);
        return;
      }
      const reason = this.blocked[index];
      if (reason) {
        operator.inputs = operator.inputs.map((input) => this.asFloat(input));
        this.operators.push(operator);
        this.report.float.push({ operator: index, op: operator.op, detail: reason });
        return;
      }
      this.quantizeOperator(operator, index, outputs);
      this.report.quantized.push({ operator: index, op: operator.op, detail: scheme.dtype });
    });
    this.quantizeFloatOutputs();
    subgraph.operators = this.operators;
  }

  /**
   * Model outputs that float ops write, under an integer output type: the op writes a float
   * twin and a QUANTIZE turns it into the output (as TensorFlow does), so that the output keeps
   * its index, name and signature entry.
   */
  private quantizeFloatOutputs(): void {
    const outputType = this.options.outputType ?? "float32";
    if (outputType === "float32") return;
    for (const output of this.subgraph.outputs) {
      const tensor = this.tensor(output);
      if (!this.isActivation(output) || !this.calibration.ranges.has(output)) continue;
      const float = addTensor(this.subgraph, `${tensor.name}/float`, "float32", tensor, null);
      for (const operator of this.operators) {
        operator.inputs = operator.inputs.map((input) => (input === output ? float : input));
        operator.outputs = operator.outputs.map((index) => (index === output ? float : index));
      }
      const params = this.calibrated(output);
      const zeroPoint = params.zeroPoint.map((zero) => outputType === "uint8" ? zero + 128 : zero);
      Object.assign(tensor, {
        dtype: outputType,
        quantization: quantization(params.scale, zeroPoint),
      });
      this.operators.push(plainOperator("QUANTIZE", 1, [float], [output]));
    }
  }

  /**
   * Adds a conversion of tensor `index` right after the op that computes it, where TensorFlow
   * puts it (a model input's at the end so far, at its first reader).
   */
  private insertAfterProducer(conversion: Operator, index: number): void {
    const producer = this.operators.findIndex((operator) => operator.outputs.includes(index));
    if (producer < 0) this.operators.push(conversion);
    else this.operators.splice(producer + 1, 0, conversion);
  }

  /** The float version of tensor `index` for a float reader (a DEQUANTIZE when integer). */
  private asFloat(index: number): number {
    if (index < 0 || !this.integer.has(index)) return index;
    let float = this.floatOf.get(index);
    if (float === undefined) {
      const tensor = this.tensor(index);
      float = addTensor(this.subgraph, `${tensor.name}/dequantized`, "float32", tensor, null);
      this.insertAfterProducer(plainOperator("DEQUANTIZE", 2, [index], [float]), index);
      this.floatOf.set(index, float);
    }
    return float;
  }

  /** The integer version of activation `index` for an integer reader (a QUANTIZE when float). */
  private asInteger(index: number): number {
    if (this.integer.has(index)) return index;
    const twin = this.integerOf.get(index);
    if (twin !== undefined) return twin;
    const integer = this.quantizedTwin(index, this.calibrated(index), "quantized", 1);
    this.integerOf.set(index, integer);
    return integer;
  }

  /**
   * A new integer tensor holding tensor `index` at `params`, written by a QUANTIZE (`version` 1
   * from float, 2 from integer) right after `index`'s producer.
   */
  private quantizedTwin(
    index: number,
    params: Quantization,
    suffix: string,
    version: number,
  ): number {
    const tensor = this.tensor(index);
    const integer = addTensor(
      this.subgraph,
      `${tensor.name}/${suffix}`,
      this.scheme.dtype,
      tensor,
      params,
    );
    this.insertAfterProducer(plainOperator("QUANTIZE", version, [index], [integer]), index);
    this.params.set(integer, params);
    this.integer.add(integer);
    return integer;
  }

  /**
   * A float constant operand (not weights or bias) quantized per tensor: with `params` when
   * given, otherwise from its own range.
   */
  private quantizeOperand(index: number, where: string, params?: Quantization): number {
    const values = finiteValues(this.tensor(index), where);
    params ??= this.scheme.params(valueRange(values));
    const [scale] = params.scale;
    const [zeroPoint] = params.zeroPoint;
    const [low, high] = this.scheme.dtype === "int8" ? [-128, 127] : [-32767, 32767];
    const quantized = Array.from(
      values,
      (value) => Math.max(low, Math.min(high, roundHalfAway(value / scale) + zeroPoint)),
    );
    const data = this.scheme.dtype === "int8"
      ? Int8Array.from(quantized)
      : Int16Array.from(quantized);
    return this.replaceConstant(index, this.scheme.dtype, data, params);
  }

  /** Integer tensor `index` requantized to `params` (a QUANTIZE from integer to integer). */
  private requantized(index: number, params: Quantization): number {
    const key = `${index}/${params.scale.join()}/${params.zeroPoint.join()}`;
    let integer = this.requantizedTensors.get(key);
    if (integer === undefined) {
      integer = this.quantizedTwin(index, params, "requantized", 2);
      this.requantizedTensors.set(key, integer);
    }
    return integer;
  }

  /** Puts quantized data in place of a float constant (a new tensor when others read it too). */
  private replaceConstant(
    index: number,
    dtype: DType,
    data: Int8Array | Int16Array | Int32Array | BigInt64Array,
    params: Quantization,
  ): number {
    const key = `${index}/${params.scale.join()}`;
    const known = this.quantizedConstants.get(key);
    if (known !== undefined) return known;
    const tensor = this.tensor(index);
    this.model.buffers.push(new Uint8Array(0));
    this.subgraph.tensors.push({
      ...tensor,
      dtype,
      data,
      buffer: this.model.buffers.length - 1,
      quantization: params,
    });
    const created = this.subgraph.tensors.length - 1;
    this.quantizedConstants.set(key, created);
    return created;
  }

  private quantizeOperator(operator: Operator, index: number, outputs: Set<number>): void {
    const { subgraph, scheme, options } = this;
    const spec = SPECS[operator.op];
    const sharedParams = spec.output === "shared"
      ? this.calibrated(operator.outputs[0])
      : undefined;
    const where = describeOperator(subgraph, index);
    const inputs = [...operator.inputs];
    inputs.forEach((input, position) => {
      if (input < 0) return;
      const twin = this.integerOf.get(input);
      if (twin !== undefined) {
        inputs[position] = twin;
        return;
      }
      const tensor = this.tensor(input);
      if (tensor.dtype !== "float32") return;
      if (tensor.data === null) {
        inputs[position] = this.asInteger(input);
      } else if (position !== spec.weights?.position && position !== spec.bias) {
        // A constant beside the data an op passes through (PADV2's padding value) is stored
        // at the data's parameters: the kernel copies it as it is.
        const params = sharedParams ??
          (spec.output === "input" ? this.params.get(inputs[0]) : undefined);
        inputs[position] = this.quantizeOperand(input, where, params);
      }
    });
    if (sharedParams) {
      inputs.forEach((input, position) => {
        const params = this.params.get(input);
        if (params && !sameParams(params, sharedParams)) {
          inputs[position] = this.requantized(input, sharedParams);
        }
      });
    }
    // Weights, then the bias at input scale x weight scale.
    if (spec.weights) {
      const weightsIndex = operator.inputs[spec.weights.position];
      const weights = this.tensor(weightsIndex);
      if (weights.dtype === "float32" && weights.data !== null) {
        const axis = options.perChannel === false ? null : spec.weights.axis;
        const quantized = quantizeWeights(finiteValues(weights, where), weights.shape, axis);
        const weightParams = quantization(
          quantized.scale,
          quantized.scale.map(() => 0),
          quantized.quantizedDimension,
        );
        inputs[spec.weights.position] = this.replaceConstant(
          weightsIndex,
          "int8",
          quantized.data,
          weightParams,
        );
        const biasIndex = spec.bias === undefined ? -1 : operator.inputs[spec.bias] ?? -1;
        if (biasIndex >= 0 && this.tensor(biasIndex).data !== null) {
          const inputScale = this.params.get(inputs[spec.data ?? 0])!.scale[0];
          const biasScale = quantized.scale.map((scale) => Math.fround(inputScale * scale));
          const bias = quantizeBias(
            finiteValues(this.tensor(biasIndex), where),
            biasScale,
            scheme.wideBias,
          );
          inputs[spec.bias!] = this.replaceConstant(
            biasIndex,
            scheme.wideBias ? "int64" : "int32",
            bias,
            quantization(biasScale, biasScale.map(() => 0), 0),
          );
        }
      } else {
        throw new QuantizeError(`${where}: weights "${weights.name}" must be a float32 constant`);
      }
    }
    operator.inputs = inputs;
    const version = scheme.dtype === "int16" ? spec.int16Version ?? spec.version : spec.version;
    operator.version = Math.max(operator.version, version);
    if (scheme.dtype === "int16" && (operator.op === "ADD" || operator.op === "SUB")) {
      // int16 ADD/SUB with general scales, as TensorFlow writes them (its default is the
      // power-of-two form, which needs power-of-two scales).
      operator.options = { ...operator.options, potScaleInt16: false };
    }

    const outputType = options.outputType ?? "float32";
    operator.outputs = operator.outputs.map((output) => {
      if (!this.isActivation(output) || spec.output === "none") return output;
      const params = this.outputParams(spec.output, operator, output);
      const tensor = this.tensor(output);
      if (!outputs.has(output) || outputType === scheme.dtype) {
        Object.assign(tensor, { dtype: scheme.dtype, quantization: params });
        this.params.set(output, params);
        this.integer.add(output);
        return output;
      }
      // A model output: the op writes an integer twin, converted after it.
      const integer = addTensor(
        subgraph,
        `${tensor.name}/${scheme.dtype}`,
        scheme.dtype,
        tensor,
        params,
      );
      this.params.set(integer, params);
      this.integer.add(integer);
      this.integerOf.set(output, integer);
      this.pendingOutputs.push([integer, output, params]);
      return integer;
    });
    this.operators.push(operator);
    for (const [integer, output, params] of this.pendingOutputs.splice(0)) {
      if (outputType === "uint8") {
        const shifted = quantization(params.scale, params.zeroPoint.map((zero) => zero + 128));
        Object.assign(this.tensor(output), { dtype: "uint8", quantization: shifted });
        this.operators.push(plainOperator("QUANTIZE", 1, [integer], [output]));
      } else {
        this.operators.push(plainOperator("DEQUANTIZE", 2, [integer], [output]));
      }
    }
  }

  /** The parameters of an integer op's output by its rule. */
  private outputParams(rule: OutputRule, operator: Operator, output: number): Quantization {
    switch (rule) {
      case "fixed":
        return this.scheme.fixed(operator.op);
      case "input": {
        const input = operator.inputs.find((index) => index >= 0 && this.params.has(index));
        return input === undefined ? this.calibrated(output) : this.params.get(input)!;
      }
      default:
        return this.calibrated(output);
    }
  }
}
