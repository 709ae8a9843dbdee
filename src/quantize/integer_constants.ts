/**
 * The float constants of integer ops, quantized: weights int8 symmetric (per channel or per
 * tensor), the LSTM's int16 constants symmetric per tensor, biases int32 (int64 in 16x8) at input scale x weight scale, and other operands per
 * tensor in the activation type (at given parameters, or at their own range widened to contain
 * 0; an infinity, as a clip bound, becomes the end of the integer range). Each quantized constant is a new tensor with its own buffer, shared by the ops that ask for
 * the same constant at the same scales; the float one stays for float readers.
 */
import type { DType } from "../format/dtype.ts";
import type { Model, Quantization, Subgraph, Tensor } from "../format/ir.ts";
import { roundHalfAway } from "../runtime/quantization/fixed_point.ts";
import { quantizeValue } from "../runtime/quantization/parameters.ts";
import type { Range } from "./calibrate.ts";
import { symmetricQuantization } from "./graph.ts";
import type { Scheme } from "./integer_scheme.ts";
import { finiteValues, numericValues, quantizeBias, quantizeWeights } from "./weights.ts";

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The range of a constant's values, widened to contain 0; infinities count as the largest
 * float32, as TensorFlow's quantizer takes them (they then quantize to the ends of the range).
 */
function valueRange(values: Float32Array): Range {
  let min = 0;
  let max = 0;
  for (const value of values) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return { min: Math.max(min, -FLOAT32_MAX), max: Math.min(max, FLOAT32_MAX) };
}

/**
 * value / scale as TensorFlow's converter computes it for the LSTM's constants: times the float32
 * reciprocal of the scale, in float32, then rounded half away from zero.
 */
function roundFloat32(value: number, scale: number): number {
  return roundHalfAway(Math.fround(value * Math.fround(1 / scale)));
}

/** Quantized versions of the float constants of subgraph 0, made once per constant and scales. */
export class IntegerConstants {
  private readonly subgraph: Subgraph;
  /** Quantized constants by `<float constant index>/<scales>`. */
  private readonly quantized = new Map<string, number>();

  constructor(private readonly model: Model, private readonly scheme: Scheme) {
    this.subgraph = model.subgraphs[0];
  }

  /**
   * Float constant `index` (not weights or bias) quantized per tensor: with `params` when given,
   * otherwise from its own range. `where` names the reading op in errors.
   */
  operand(index: number, where: string, params?: Quantization): number {
    const values = numericValues(this.tensor(index), where);
    params ??= this.scheme.params(valueRange(values));
    const [scale] = params.scale;
    const [zeroPoint] = params.zeroPoint;
    const [low, high] = this.scheme.limits;
    const quantized = Array.from(
      values,
      (value) => quantizeValue(value, scale, zeroPoint, [low, high]),
    );
    const data = this.scheme.dtype === "int8"
      ? Int8Array.from(quantized)
      : Int16Array.from(quantized);
    return this.replace(index, this.scheme.dtype, data, params);
  }

  /**
   * Float weights `index` quantized int8 symmetric along `axis` (null: one scale): the new
   * tensor and its scales.
   */
  weights(index: number, where: string, axis: number | null): { index: number; scale: number[] } {
    const weights = this.tensor(index);
    const quantized = quantizeWeights(finiteValues(weights, where), weights.shape, axis);
    const params = symmetricQuantization(quantized.scale, quantized.quantizedDimension);
    return { index: this.replace(index, "int8", quantized.data, params), scale: quantized.scale };
  }

  /**
   * Float constant `index` quantized int16 symmetric per tensor (scale max |value| / 32767,
   * `roundFloat32`), as TensorFlow quantizes the LSTM's peepholes and layer norm coefficients:
   * the new tensor and its scale.
   */
  symmetricInt16(index: number, where: string): { index: number; scale: number } {
    const values = finiteValues(this.tensor(index), where);
    const largest = values.reduce((most, value) => Math.max(most, Math.abs(value)), 0);
    const scale = Math.fround(largest > 0 ? largest / 32767 : 1);
    const data = Int16Array.from(
      values,
      (value) => Math.max(-32767, Math.min(32767, roundFloat32(value, scale))),
    );
    return { index: this.replace(index, "int16", data, symmetricQuantization([scale])), scale };
  }

  /**
   * Float bias `index` of an LSTM quantized int32 at `inputScale` x `weightScale`, as
   * TensorFlow's converter quantizes the LSTM's biases (`roundFloat32`: a bias under layer norm
   * reaches 2^24 units, where float32 rounds before the quantizer does).
   */
  lstmBias(index: number, where: string, inputScale: number, weightScale: number): number {
    const scale = Math.fround(inputScale * weightScale);
    const data = Int32Array.from(
      finiteValues(this.tensor(index), where),
      (value) => roundFloat32(value, scale),
    );
    return this.replace(index, "int32", data, symmetricQuantization([scale]));
  }

  /** Float bias `index` quantized at `inputScale` x `weightScale` (per channel). */
  bias(index: number, where: string, inputScale: number, weightScale: number[]): number {
    const scale = weightScale.map((channel) => Math.fround(inputScale * channel));
    const { wideBias } = this.scheme;
    const data = quantizeBias(finiteValues(this.tensor(index), where), scale, wideBias);
    return this.replace(index, wideBias ? "int64" : "int32", data, symmetricQuantization(scale));
  }

  private tensor(index: number): Tensor {
    return this.subgraph.tensors[index];
  }

  /** A new constant with `data` in place of float constant `index` (once per scales). */
  private replace(
    index: number,
    dtype: DType,
    data: Int8Array | Int16Array | Int32Array | BigInt64Array,
    params: Quantization,
  ): number {
    const key = `${index}/${params.scale.join()}`;
    const known = this.quantized.get(key);
    if (known !== undefined) return known;
    this.model.buffers.push(new Uint8Array(0));
    this.subgraph.tensors.push({
      ...this.tensor(index),
      dtype,
      data,
      buffer: this.model.buffers.length - 1,
      quantization: params,
    });
    const created = this.subgraph.tensors.length - 1;
    this.quantized.set(key, created);
    return created;
  }
}
