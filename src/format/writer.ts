/**
 * `writeModel`: the model IR to the bytes of a `.tflite` file. Operator codes are rebuilt from the
 * operators (in order of first use), constant tensors' `data` go into their buffers. A buffer is
 * aligned for its tensors' element type (8 bytes for 64-bit types, otherwise the 4 that every
 * flatbuffer vector has), as TensorFlow 2.21's converter aligns them (4 bytes, whatever the
 * schema's `force_align: 16` says): no padding beyond what readers need to view constants
 * without a copy. Equal strings and number vectors (shapes, zero points, scales) are written once
 * and shared by the tables that hold them.
 */
import { SCHEMA_LAYOUT } from "./generated/schema_layout.ts";
import { bytesOf, elementCount, packedByteLength, viewAlignment } from "./dtype.ts";
import { ModelFormatError } from "./errors.ts";
import type { Model, Operator, Quantization, Subgraph, Tensor } from "./ir.ts";
import { FlatBufferBuilder } from "./flatbuffer_builder.ts";
import { alignedBytes, type PlainObject, type PlainValue, writePlain } from "./plain.ts";
import { schemaEnum } from "./schema_enums.ts";

const BUILTIN_OPERATOR = schemaEnum("BuiltinOperator");

/** The byte-sized code telling readers from before schema 3a to look at the extended code. */
const SEE_EXTENDED_CODE = BUILTIN_OPERATOR.value("PLACEHOLDER_FOR_GREATER_OP_CODES") as number;

/** The alignment of every flatbuffer vector's first element (after its 32-bit length). */
const VECTOR_ALIGNMENT = 4;

/** The largest alignment a buffer gets: that of 64-bit elements. */
const MAX_ALIGNMENT = 8;

/** The largest file a flatbuffer's 32-bit offsets can address, less room for the tables. */
const MAX_INLINE_BYTES = 2 ** 31 - 2 ** 24;

/** Serializes a model. Throws `ModelFormatError` naming the part of the IR that is inconsistent. */
export function writeModel(model: Model): Uint8Array {
  const { buffers, alignments } = bufferContents(model);
  const total = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  if (total > MAX_INLINE_BYTES) {
    throw new ModelFormatError(
      "",
      `${total} bytes of buffers: models over 2 GB cannot be written yet`,
    );
  }
  const codes = new OperatorCodes();
  const plain: PlainObject = {
    version: model.version,
    subgraphs: model.subgraphs.map((subgraph, index) =>
      subgraphPlain(subgraph, `subgraph ${index}`, codes)
    ),
    description: model.description,
    buffers: buffers.map((data, index): PlainObject =>
      data.byteLength > 0 ? { data: alignedBytes(data, alignments[index]) } : {}
    ),
    metadataBuffer: model.metadataBuffer.length > 0 ? model.metadataBuffer : null,
    metadata: nonEmpty(model.metadata.map(({ name, buffer }) => ({ name, buffer }))),
    signatureDefs: nonEmpty(model.signatures.map((signature) => ({
      inputs: signature.inputs.map(({ name, tensorIndex }) => ({ name, tensorIndex })),
      outputs: signature.outputs.map(({ name, tensorIndex }) => ({ name, tensorIndex })),
      signatureKey: signature.key,
      subgraphIndex: signature.subgraphIndex,
    }))),
    externalBufferGroups: nonEmpty(model.externalBufferGroups),
    externalBuffers: nonEmpty(model.externalBuffers),
  };
  plain.operatorCodes = codes.plain();
  // FlatBuffers aligns from the end of its buffer: a capacity that is a multiple of the largest
  // alignment keeps the buffers' alignment true from the start of the returned bytes.
  const builder = new FlatBufferBuilder(
    Math.ceil((total + 2 ** 20) / MAX_ALIGNMENT) * MAX_ALIGNMENT,
  );
  try {
    const root = writePlain(builder, SCHEMA_LAYOUT.rootTable, plain, "model");
    builder.finish(root, SCHEMA_LAYOUT.fileIdentifier);
  } catch (error) {
    if (error instanceof TypeError) throw new ModelFormatError("", error.message);
    throw error;
  }
  return builder.asUint8Array();
}

function nonEmpty<T extends PlainValue>(items: T[]): T[] | null {
  return items.length > 0 ? items : null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.byteLength === b.byteLength;
}

/**
 * Each buffer's bytes (`model.buffers`, with constant tensors' `data` written into theirs) and
 * the alignment its tensors' typed views need.
 */
function bufferContents(model: Model): { buffers: Uint8Array[]; alignments: number[] } {
  const buffers = [...model.buffers];
  const alignments = buffers.map(() => VECTOR_ALIGNMENT);
  const claimedBy = new Map<number, string>();
  model.subgraphs.forEach((subgraph, subgraphIndex) => {
    subgraph.tensors.forEach((tensor, tensorIndex) => {
      if (tensor.data === null) return;
      const where = `subgraph ${subgraphIndex}, tensor ${tensorIndex} "${tensor.name}"`;
      if (tensor.buffer <= 0 || tensor.buffer >= buffers.length) {
        throw new ModelFormatError(
          where,
          `has data but buffer index ${tensor.buffer} is not one of buffers 1..${
            buffers.length - 1
          }`,
        );
      }
      const bytes = bytesOf(tensor.data);
      const elements = elementCount(tensor.shape);
      const needed = tensor.sparsity ? null : packedByteLength(tensor.dtype, elements);
      if (needed !== null && needed !== bytes.byteLength) {
        throw new ModelFormatError(
          where,
          `data holds ${bytes.byteLength} bytes, shape [${tensor.shape}] ${tensor.dtype} needs ${needed}`,
        );
      }
      const owner = claimedBy.get(tensor.buffer);
      if (owner !== undefined && !sameBytes(buffers[tensor.buffer], bytes)) {
        throw new ModelFormatError(
          where,
          `shares buffer ${tensor.buffer} with ${owner} but holds other data`,
        );
      }
      claimedBy.set(tensor.buffer, where);
      buffers[tensor.buffer] = bytes;
      alignments[tensor.buffer] = Math.max(alignments[tensor.buffer], viewAlignment(tensor.dtype));
    });
  });
  return { buffers, alignments };
}

/** The operator-code table, built as operators are written. */
class OperatorCodes {
  private readonly codes: PlainObject[] = [];
  private readonly indices = new Map<string, number>();

  indexOf(operator: Operator, where: string): number {
    const key = `${operator.custom ? "custom" : "builtin"}:${operator.op}:${operator.version}`;
    let index = this.indices.get(key);
    if (index === undefined) {
      const builtin = BUILTIN_OPERATOR.value(operator.custom ? "CUSTOM" : operator.op);
      if (builtin === undefined) {
        throw new ModelFormatError(where, `unknown builtin operator "${operator.op}"`);
      }
      index = this.codes.length;
      this.codes.push({
        // Readers from before schema 3a only know the byte-sized code; 127 means "see builtinCode".
        deprecatedBuiltinCode: Math.min(builtin, SEE_EXTENDED_CODE),
        customCode: operator.custom ? operator.op : null,
        version: operator.version,
        builtinCode: builtin,
      });
      this.indices.set(key, index);
    }
    return index;
  }

  plain(): PlainObject[] {
    return this.codes;
  }
}

function subgraphPlain(subgraph: Subgraph, where: string, codes: OperatorCodes): PlainObject {
  return {
    tensors: subgraph.tensors.map(tensorPlain),
    inputs: subgraph.inputs,
    outputs: subgraph.outputs,
    operators: subgraph.operators.map((operator, index) =>
      operatorPlain(operator, `${where}, operator ${index} (${operator.op})`, codes)
    ),
    name: subgraph.name,
    debugMetadataIndex: subgraph.debugMetadataIndex,
  };
}

function quantizationPlain(quantization: Quantization | null): PlainObject | null {
  if (quantization === null) return null;
  return {
    // Empty min/max vectors say nothing; TensorFlow's converter leaves them out.
    min: nonEmpty(quantization.min),
    max: nonEmpty(quantization.max),
    scale: quantization.scale,
    zeroPoint: quantization.zeroPoint,
    details: quantization.details,
    quantizedDimension: quantization.quantizedDimension,
  };
}

function tensorPlain(tensor: Tensor): PlainObject {
  return {
    shape: tensor.shape,
    type: tensor.dtype,
    buffer: tensor.buffer,
    name: tensor.name,
    quantization: quantizationPlain(tensor.quantization),
    isVariable: tensor.isVariable,
    sparsity: tensor.sparsity,
    shapeSignature: tensor.shapeSignature,
    hasRank: tensor.hasRank,
    variantTensors: nonEmpty(tensor.variantTensors),
    externalBuffer: tensor.externalBuffer,
  };
}

function operatorPlain(operator: Operator, where: string, codes: OperatorCodes): PlainObject {
  let builtinOptions: PlainValue = null;
  let builtinOptions2: PlainValue = null;
  if (operator.optionsType !== null) {
    const options = { type: operator.optionsType, value: operator.options ?? {} };
    if (SCHEMA_LAYOUT.unions.BuiltinOptions.includes(operator.optionsType)) {
      builtinOptions = options;
    } else if (SCHEMA_LAYOUT.unions.BuiltinOptions2.includes(operator.optionsType)) {
      builtinOptions2 = options;
    } else {throw new ModelFormatError(
        where,
        `"${operator.optionsType}" is not a builtin options type`,
      );}
  } else if (operator.options !== null) {
    throw new ModelFormatError(where, "has options but no optionsType");
  }
  return {
    opcodeIndex: codes.indexOf(operator, where),
    inputs: operator.inputs,
    outputs: operator.outputs,
    builtinOptions,
    customOptions: operator.customOptions,
    customOptionsFormat: operator.customOptionsFormat,
    mutatingVariableInputs: nonEmpty(operator.mutatingVariableInputs),
    intermediates: nonEmpty(operator.intermediates),
    builtinOptions2,
    debugMetadataIndex: operator.debugMetadataIndex,
  };
}
