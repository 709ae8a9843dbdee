/**
 * The tensors of the graph being rewritten to integer: the integer parameters of each
 * activation, its integer twin for integer readers when it stays float (a QUANTIZE from it) and
 * its float twin for float readers when it is integer (a DEQUANTIZE), and the new operator list
 * that those conversions join, each right after the op that computes its tensor, where
 * TensorFlow puts it.
 */
import type { Model, Operator, Quantization, Subgraph, Tensor } from "../format/ir.ts";
import type { Range } from "./calibrate.ts";
import { QuantizeError } from "./errors.ts";
import { addTensor, isFloatActivation, plainOperator, uniqueTensorName } from "./graph.ts";
import type { Scheme, TwinRole } from "./integer_scheme.ts";

/** The same parameters (scale and zero point lists equal). */
function sameParams(a: Quantization, b: Quantization): boolean {
  return a.scale.join() === b.scale.join() && a.zeroPoint.join() === b.zeroPoint.join();
}

/** Subgraph 0 of a model under rewrite, its integer tensors and conversions. */
export class IntegerTensors {
  /** The rewritten operators, in order. */
  readonly operators: Operator[] = [];
  /** The subgraph under rewrite (subgraph 0 of the model). */
  readonly subgraph: Subgraph;
  /** Integer parameters of every activation that is (or has a version that is) integer. */
  private readonly params = new Map<number, Quantization>();
  /** Integer twin of a float tensor, for integer readers. */
  private readonly integerOf = new Map<number, number>();
  /** Float twin of an integer tensor, for float readers. */
  private readonly floatOf = new Map<number, number>();
  /** Tensors that are integer in the rewritten model. */
  private readonly integer = new Set<number>();
  /** Requantized twins by `<tensor index>/<scales>/<zero points>`. */
  private readonly requantizedTensors = new Map<string, number>();

  /** `ranges`: the calibrated ranges by tensor index, adjusted as TensorFlow's quantizer does. */
  constructor(
    readonly model: Model,
    readonly scheme: Scheme,
    private readonly ranges: Map<number, Range>,
  ) {
    this.subgraph = model.subgraphs[0];
  }

  /** Tensor `index` of the subgraph. */
  tensor(index: number): Tensor {
    return this.subgraph.tensors[index];
  }

  /** Whether tensor `index` is (still) a float activation. */
  isActivation(index: number): boolean {
    return isFloatActivation(this.tensor(index));
  }

  /** Whether tensor `index` was calibrated. */
  isCalibrated(index: number): boolean {
    return this.ranges.has(index);
  }

  /** The calibrated range of tensor `index`. */
  range(index: number): Range {
    const range = this.ranges.get(index);
    if (!range) throw new QuantizeError(`tensor "${this.tensor(index).name}" was never computed`);
    return range;
  }

  /** The parameters of activation `index` from its calibrated range. */
  calibrated(index: number): Quantization {
    return this.scheme.params(this.range(index));
  }

  /** The integer parameters of tensor `index`, when it is integer. */
  paramsOf(index: number): Quantization | undefined {
    return this.params.get(index);
  }

  /** The integer twin of float tensor `index`, when it has one. */
  integerTwin(index: number): number | undefined {
    return this.integerOf.get(index);
  }

  /** Turns activation `index` itself integer at `params`. */
  makeInteger(index: number, params: Quantization): void {
    Object.assign(this.tensor(index), { dtype: this.scheme.dtype, quantization: params });
    this.params.set(index, params);
    this.integer.add(index);
  }

  /** The unique name of a new tensor in `role` beside tensor `index`, as TensorFlow names it. */
  twinName(index: number, role: TwinRole): string {
    return uniqueTensorName(this.subgraph, this.scheme.twinName(role, this.tensor(index).name));
  }

  /** A new integer tensor shaped like tensor `index`, in `role` beside it. */
  addInteger(index: number, role: TwinRole, params: Quantization): number {
    const tensor = this.tensor(index);
    const integer = addTensor(
      this.subgraph,
      this.twinName(index, role),
      this.scheme.dtype,
      tensor,
      params,
    );
    this.params.set(integer, params);
    this.integer.add(integer);
    return integer;
  }

  /** Makes `twin` the integer twin that integer readers of float tensor `index` read. */
  setIntegerTwin(index: number, twin: number): void {
    this.integerOf.set(index, twin);
  }

  /** The float version of tensor `index` for a float reader (a DEQUANTIZE when integer). */
  asFloat(index: number): number {
    if (index < 0 || !this.integer.has(index)) return index;
    let float = this.floatOf.get(index);
    if (float === undefined) {
      const name = this.twinName(index, "dequantized");
      float = addTensor(this.subgraph, name, "float32", this.tensor(index), null);
      this.insertAfterProducer(plainOperator("DEQUANTIZE", 2, [index], [float]), index);
      this.floatOf.set(index, float);
    }
    return float;
  }

  /** The integer version of activation `index` for an integer reader (a QUANTIZE when float). */
  asInteger(index: number): number {
    if (this.integer.has(index)) return index;
    const twin = this.integerOf.get(index);
    if (twin !== undefined) return twin;
    const integer = this.quantizedTwin(index, this.calibrated(index), "quantized", 1);
    this.integerOf.set(index, integer);
    return integer;
  }

  /**
   * Tensor `index` at `params` for a reader that needs them: itself when it is not integer or
   * already at them, otherwise requantized (a QUANTIZE from integer to integer).
   */
  atParams(index: number, params: Quantization): number {
    const current = this.params.get(index);
    if (!current || sameParams(current, params)) return index;
    const key = `${index}/${params.scale.join()}/${params.zeroPoint.join()}`;
    let integer = this.requantizedTensors.get(key);
    if (integer === undefined) {
      integer = this.quantizedTwin(index, params, "requantized", 2);
      this.requantizedTensors.set(key, integer);
    }
    return integer;
  }

  /**
   * A new integer tensor holding tensor `index` at `params`, written by a QUANTIZE (`version` 1
   * from float, 2 from integer) right after `index`'s producer.
   */
  private quantizedTwin(
    index: number,
    params: Quantization,
    role: TwinRole,
    version: number,
  ): number {
    const integer = this.addInteger(index, role, params);
    this.insertAfterProducer(plainOperator("QUANTIZE", version, [index], [integer]), index);
    return integer;
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
}
