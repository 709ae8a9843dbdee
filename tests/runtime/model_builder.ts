/**
 * Builds small models in the IR for tests and fixture makers: tensors (constants carry their
 * values), operators by name with their options, the inputs and outputs; `writeModel` turns the
 * result into a `.tflite` file that TensorFlow and liteq both read.
 */
import type { DType, TensorData } from "../../src/format/dtype.ts";
import type { Model, Operator } from "../../src/format/ir.ts";
import type { PlainObject } from "../../src/format/plain.ts";

/** One tensor of the model: constants give `data`. */
export interface TensorSpec {
  name?: string;
  dtype: DType;
  shape: number[];
  data?: TensorData;
  quantization?: { scale: number[]; zeroPoint: number[]; quantizedDimension?: number };
  isVariable?: boolean;
}

/** One operator: a builtin op (with its options table's name) or a custom op (with raw options). */
export interface OperatorSpec {
  op: string;
  inputs: number[];
  outputs: number[];
  version?: number;
  optionsType?: string;
  options?: PlainObject;
  custom?: boolean;
  customOptions?: Uint8Array;
  /** Tensors that only carry quantization for the op (the integer LSTM's gate and hidden scales). */
  intermediates?: number[];
}

/** A one-subgraph model of `tensors` and `operators`. */
export function buildModel(
  spec: { tensors: TensorSpec[]; operators: OperatorSpec[]; inputs: number[]; outputs: number[] },
): Model {
  const buffers: Uint8Array[] = [new Uint8Array(0)];
  const tensors = spec.tensors.map((tensor, index) => {
    const data = tensor.data ?? null;
    if (data) {
      buffers.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice());
    }
    return {
      name: tensor.name ?? `t${index}`,
      dtype: tensor.dtype,
      shape: [...tensor.shape],
      shapeSignature: null,
      buffer: data ? buffers.length - 1 : 0,
      data,
      quantization: tensor.quantization
        ? {
          scale: tensor.quantization.scale,
          zeroPoint: tensor.quantization.zeroPoint,
          quantizedDimension: tensor.quantization.quantizedDimension ?? 0,
          min: [],
          max: [],
          details: null,
        }
        : null,
      isVariable: tensor.isVariable ?? false,
      hasRank: true,
      sparsity: null,
      variantTensors: [],
      externalBuffer: 0,
    };
  });
  const operators = spec.operators.map((operator): Operator => ({
    op: operator.op,
    custom: operator.custom ?? false,
    version: operator.version ?? 1,
    inputs: operator.inputs,
    outputs: operator.outputs,
    optionsType: operator.optionsType ?? null,
    options: operator.options ?? null,
    customOptions: operator.customOptions ?? null,
    customOptionsFormat: "FLEXBUFFERS",
    mutatingVariableInputs: [],
    intermediates: operator.intermediates ?? [],
    debugMetadataIndex: -1,
  }));
  return {
    version: 3,
    description: "liteq test model",
    subgraphs: [{
      name: "main",
      tensors,
      inputs: spec.inputs,
      outputs: spec.outputs,
      operators,
      debugMetadataIndex: -1,
    }],
    buffers,
    signatures: [],
    metadata: [],
    metadataBuffer: [],
    externalBufferGroups: [],
    externalBuffers: [],
  };
}
