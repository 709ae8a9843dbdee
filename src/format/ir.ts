/** The model IR: what `readModel` returns and `writeModel` takes, in plain TypeScript objects. */
import type { DType, TensorData } from "./dtype.ts";
import type { PlainObject } from "./plain.ts";

/** Linear quantization: `real = scale * (quantized - zeroPoint)`, per tensor or per channel. */
export interface Quantization {
  scale: number[];
  zeroPoint: number[];
  /** The axis that per-channel scales run along. */
  quantizedDimension: number;
  /** Float range recorded for the tensor (for import back into TensorFlow). */
  min: number[];
  max: number[];
  /** Other schemes' parameters (`{type: "CustomQuantization", value: {...}}`), or null. */
  details: { type: string; value: PlainObject } | null;
}

/** A tensor of a subgraph. */
export interface Tensor {
  name: string;
  dtype: DType;
  shape: number[];
  /** The shape with -1 for unknown dimensions; null when the file has none. */
  shapeSignature: number[] | null;
  /** Index into `Model.buffers`; 0 for tensors without constant data. */
  buffer: number;
  /**
   * Constant contents: a typed-array view into the file's bytes (float16/bfloat16 as raw bits),
   * or null. `writeModel` stores it in buffer `buffer`.
   */
  data: TensorData | null;
  quantization: Quantization | null;
  isVariable: boolean;
  /** True when the rank is known (tells a scalar from a tensor of unknown rank). */
  hasRank: boolean;
  sparsity: PlainObject | null;
  variantTensors: PlainObject[];
  /** Index into `Model.externalBuffers` (0 when unused). */
  externalBuffer: number;
}

/** An operator: a builtin op by name (`CONV_2D`) or a custom op by its custom code. */
export interface Operator {
  op: string;
  custom: boolean;
  version: number;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  /** The options table's schema name (`Conv2DOptions`), or null. */
  optionsType: string | null;
  /** The builtin options, with enums as their names and tensor types as dtype names. */
  options: PlainObject | null;
  customOptions: Uint8Array | null;
  customOptionsFormat: string;
  mutatingVariableInputs: boolean[];
  intermediates: number[];
  debugMetadataIndex: number;
}

/** A subgraph: tensors, the operators in execution order, its inputs and outputs. */
export interface Subgraph {
  name: string;
  tensors: Tensor[];
  inputs: number[];
  outputs: number[];
  operators: Operator[];
  debugMetadataIndex: number;
}

/** A signature's name for one tensor of its subgraph. */
export interface SignatureTensor {
  name: string;
  tensorIndex: number;
}

/** A named entry point (SignatureDef) into one subgraph. */
export interface Signature {
  key: string;
  subgraphIndex: number;
  inputs: SignatureTensor[];
  outputs: SignatureTensor[];
}

/** A named metadata entry whose bytes are buffer `buffer`. */
export interface Metadata {
  name: string;
  buffer: number;
}

/** A whole `.tflite` model. */
export interface Model {
  /** Schema version (3). */
  version: number;
  description: string | null;
  subgraphs: Subgraph[];
  /** Raw buffers by index; buffer 0 is the empty sentinel. Constant tensors view into these. */
  buffers: Uint8Array[];
  signatures: Signature[];
  metadata: Metadata[];
  /** The deprecated list of metadata buffer indices. */
  metadataBuffer: number[];
  externalBufferGroups: PlainObject[];
  externalBuffers: PlainObject[];
}
