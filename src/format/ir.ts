/** The model IR: what `readModel` returns and `writeModel` takes, in plain TypeScript objects. */
import type { DType, TensorData } from "./dtype.ts";
import type { PlainObject } from "./plain.ts";

/** Linear quantization: `real = scale * (quantized - zeroPoint)`, per tensor or per channel. */
export interface Quantization {
  /** Real step between consecutive quantized values: one, or one per channel along the axis. */
  scale: number[];
  /** The quantized value that stands for real 0, one per `scale` entry. */
  zeroPoint: number[];
  /** The axis that per-channel scales run along. */
  quantizedDimension: number;
  /** Smallest float values recorded for the tensor (for TensorFlow's import); often empty. */
  min: number[];
  /** Largest float values recorded for the tensor, matching `min` entry for entry; often empty. */
  max: number[];
  /** Other schemes' parameters (`{type: "CustomQuantization", value: {...}}`), or null. */
  details: { type: string; value: PlainObject } | null;
}

/** A tensor of a subgraph. */
export interface Tensor {
  /** The name TensorFlow gave the tensor (`serving_default_x:0`); empty when the file has none. */
  name: string;
  /** Element type; for a quantized tensor the stored integer type (`int8`), not the real one. */
  dtype: DType;
  /** Dimensions, outermost first (NHWC for images), [] for a scalar; 1 where size is unknown. */
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
  /** How the stored integers map to real values; null for float and plain integer tensors. */
  quantization: Quantization | null;
  /** True for a state tensor that stateful ops (SVDF, LSTM) update in place from run to run. */
  isVariable: boolean;
  /** True when the rank is known (tells a scalar from a tensor of unknown rank). */
  hasRank: boolean;
  /**
   * The sparse layout of `data` (`SparsityParameters`: traversalOrder, blockMap, dimMetadata),
   * or null for dense tensors.
   */
  sparsity: PlainObject | null;
  /** For a `variant` tensor, what it holds (`VariantSubType` tables: shape, type, hasRank). */
  variantTensors: PlainObject[];
  /** Index into `Model.externalBuffers` (0 when unused). */
  externalBuffer: number;
}

/** An operator: a builtin op by name (`CONV_2D`) or a custom op by its custom code. */
export interface Operator {
  /** The builtin op's schema name (`CONV_2D`), or a custom op's custom code (`MyCustomOp`). */
  op: string;
  /** True for a custom op, whose `op` is its custom code and whose options are `customOptions`. */
  custom: boolean;
  /** The op's version: which kernel variant (types, options) the model needs; 1 and up. */
  version: number;
  /** Tensor indices into the subgraph's `tensors`; -1 marks an omitted optional input. */
  inputs: number[];
  /** Tensor indices into the subgraph's `tensors` that the operator writes. */
  outputs: number[];
  /** The options table's schema name (`Conv2DOptions`), or null. */
  optionsType: string | null;
  /** The builtin options, with enums as their names and tensor types as dtype names. */
  options: PlainObject | null;
  /** A custom op's raw option bytes (usually a FlexBuffer), a view into the file, or null. */
  customOptions: Uint8Array | null;
  /** How `customOptions` is encoded: the schema's only format, `FLEXBUFFERS`. */
  customOptionsFormat: string;
  /** Per input, whether the operator writes that (variable) input; empty in most models. */
  mutatingVariableInputs: boolean[];
  /** Indices of tensors the op computes internally (LSTM gates), kept for their quantization. */
  intermediates: number[];
  /** Index of the operator's debug metadata entry; -1 when it has none. */
  debugMetadataIndex: number;
}

/** A subgraph: tensors, the operators in execution order, its inputs and outputs. */
export interface Subgraph {
  /** The subgraph's name (`main`, or a control-flow body's name); empty when the file has none. */
  name: string;
  /** Every tensor of the subgraph; operators and signatures refer to them by index. */
  tensors: Tensor[];
  /** Indices into `tensors` of the subgraph's inputs, in call order. */
  inputs: number[];
  /** Indices into `tensors` of the subgraph's outputs, in call order. */
  outputs: number[];
  /** The operators in execution order. */
  operators: Operator[];
  /** Index of the subgraph's debug metadata entry; -1 when it has none. */
  debugMetadataIndex: number;
}

/** A signature's name for one tensor of its subgraph. */
export interface SignatureTensor {
  /** The name callers use (`input_1`), which may differ from the tensor's own name. */
  name: string;
  /** Index into the signature's subgraph's `tensors`. */
  tensorIndex: number;
}

/** A named entry point (SignatureDef) into one subgraph. */
export interface Signature {
  /** The signature's name (`serving_default`). */
  key: string;
  /** Index into `Model.subgraphs` of the subgraph the signature runs. */
  subgraphIndex: number;
  /** The signature's inputs by name. */
  inputs: SignatureTensor[];
  /** The signature's outputs by name. */
  outputs: SignatureTensor[];
}

/** A named metadata entry whose bytes are buffer `buffer`. */
export interface Metadata {
  /** What the entry holds (`min_runtime_version`, `TFLITE_METADATA`). */
  name: string;
  /** Index into `Model.buffers` of the entry's bytes. */
  buffer: number;
}

/** A whole `.tflite` model. */
export interface Model {
  /** Schema version (3). */
  version: number;
  /** Free text from the converter (`MLIR Converted.`), or null. */
  description: string | null;
  /** The subgraphs; subgraph 0 is the main one, the others are control-flow bodies. */
  subgraphs: Subgraph[];
  /** Raw buffers by index; buffer 0 is the empty sentinel. Constant tensors view into these. */
  buffers: Uint8Array[];
  /** Named entry points (SignatureDefs); empty for models converted without signatures. */
  signatures: Signature[];
  /** Named metadata entries (runtime version, TFLite Support metadata). */
  metadata: Metadata[];
  /** The deprecated list of metadata buffer indices. */
  metadataBuffer: number[];
  /** Groups of buffers stored outside the model file (`ExternalBufferGroup`: name). */
  externalBufferGroups: PlainObject[];
  /** Buffers stored outside the model file (`ExternalBuffer`: id, group, offset, length, ...). */
  externalBuffers: PlainObject[];
}
