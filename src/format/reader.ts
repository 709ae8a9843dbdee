/**
 * `readModel`: bytes of a `.tflite` file to the model IR, strictly validated. The flatbuffer is
 * verified first (every offset inside the file), then decoded into plain tables, then checked for
 * consistency (indices in range, constant sizes matching shapes, bounded element counts).
 */
import { SCHEMA_LAYOUT } from "./generated/schema_layout.ts";
import { type DType, elementCount, isDType, packedByteLength, typedView } from "./dtype.ts";
import { ModelFormatError } from "./errors.ts";
import { checkQuantization } from "./quantization.ts";
import type { Metadata, Model, Operator, Quantization, Signature, Subgraph, Tensor } from "./ir.ts";
import { type PlainObject, PlainReader, type PlainValue } from "./plain.ts";
import { schemaEnum } from "./schema_enums.ts";
import { decodeStringConstant } from "./string_buffer.ts";
import { verifyFlatbuffer, type VerifyLimits } from "./verify.ts";

/** Limits on what a file may ask the reader to do. */
export interface ReadOptions extends Partial<VerifyLimits> {
  /** Most elements one tensor may have (default 2^28); a larger shape is an error. */
  maxElements?: number;
}

/** The default bound on one tensor's element count. */
export const DEFAULT_MAX_ELEMENTS = 2 ** 28;

const EMPTY = new Uint8Array(0);

const BUILTIN_OPERATOR = schemaEnum("BuiltinOperator");

/** Reads and validates a TFLite flatbuffer. Throws `ModelFormatError` naming what is wrong. */
export function readModel(bytes: Uint8Array, options: ReadOptions = {}): Model {
  if (bytes.byteLength < 8) {
    throw new ModelFormatError("", `${bytes.byteLength} bytes is too short for a TFLite model`);
  }
  const identifier = String.fromCharCode(...bytes.subarray(4, 8));
  if (identifier !== SCHEMA_LAYOUT.fileIdentifier) {
    throw new ModelFormatError(
      "",
      `not a TFLite model: the file identifier is ${JSON.stringify(identifier)}, not "TFL3"`,
    );
  }
  // Typed-array views of constants need the file at least 4-byte aligned, as every vector's data
  // is (a 64-bit constant that is not 8-byte aligned in memory is copied alone).
  const file = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  verifyFlatbuffer(file, SCHEMA_LAYOUT, options);
  const root = file[0] | (file[1] << 8) | (file[2] << 16) | (file[3] << 24);
  const plain = new PlainReader(file).table(SCHEMA_LAYOUT.rootTable, root >>> 0);
  return new ModelDecoder(file, options.maxElements ?? DEFAULT_MAX_ELEMENTS).decode(plain);
}

function list(value: PlainValue): PlainObject[] {
  return (value ?? []) as PlainObject[];
}

function numbers(value: PlainValue): number[] {
  return value === null ? [] : (value as (number | bigint)[]).map(Number);
}

function shapeText(shape: number[]): string {
  return `[${shape.join(",")}]`;
}

class ModelDecoder {
  private buffers: Uint8Array[] = [];
  private operatorCodes: { op: string; custom: boolean; version: number }[] = [];

  constructor(private readonly file: Uint8Array, private readonly maxElements: number) {}

  decode(model: PlainObject): Model {
    this.buffers = list(model.buffers).map((buffer, index) => this.buffer(buffer, index));
    this.operatorCodes = list(model.operatorCodes).map((code, index) =>
      this.operatorCode(code, index)
    );
    const subgraphs = list(model.subgraphs).map((subgraph, index) =>
      this.subgraph(subgraph, index)
    );
    const metadata: Metadata[] = list(model.metadata).map((entry, index) => {
      const buffer = this.index(
        entry.buffer as number,
        this.buffers.length,
        `metadata ${index}`,
        "buffer",
      );
      return { name: (entry.name as string | null) ?? "", buffer };
    });
    const metadataBuffer = numbers(model.metadataBuffer);
    metadataBuffer.forEach((buffer, index) =>
      this.index(buffer, this.buffers.length, `metadata_buffer ${index}`, "buffer")
    );
    const signatures = list(model.signatureDefs).map((signature, index) =>
      this.signature(signature, index, subgraphs)
    );
    return {
      version: model.version as number,
      description: model.description as string | null,
      subgraphs,
      buffers: this.buffers,
      signatures,
      metadata,
      metadataBuffer,
      externalBufferGroups: list(model.externalBufferGroups),
      externalBuffers: list(model.externalBuffers),
    };
  }

  private index(value: number, count: number, where: string, what: string): number {
    if (!Number.isInteger(value) || value < 0 || value >= count) {
      throw new ModelFormatError(where, `${what} index ${value} is out of range (${count} in all)`);
    }
    return value;
  }

  /** A buffer's bytes: inline, or after the flatbuffer at `offset` (models over 2 GB). */
  private buffer(buffer: PlainObject, index: number): Uint8Array {
    const inline = buffer.data as Uint8Array | null;
    const offset = buffer.offset as bigint;
    if (offset <= 1n) return inline ?? EMPTY;
    const end = offset + (buffer.size as bigint);
    if (end > BigInt(this.file.byteLength)) {
      throw new ModelFormatError(
        `buffer ${index}`,
        `offset ${offset} and size ${buffer.size} lie outside the ${this.file.byteLength}-byte file`,
      );
    }
    return this.file.subarray(Number(offset), Number(end));
  }

  private operatorCode(code: PlainObject, index: number) {
    // Files from before schema 3a only set the byte-sized code; the larger of the two is right.
    const extended = typeof code.builtinCode === "string"
      ? BUILTIN_OPERATOR.value(code.builtinCode) as number
      : code.builtinCode as number;
    const builtin = Math.max(extended, code.deprecatedBuiltinCode as number);
    const name = BUILTIN_OPERATOR.name(builtin);
    if (name === undefined) {
      throw new ModelFormatError(`operator code ${index}`, `unknown builtin operator ${builtin}`);
    }
    const custom = name === "CUSTOM";
    return {
      op: custom ? (code.customCode as string | null) ?? "" : name,
      custom,
      version: code.version as number,
    };
  }

  private subgraph(subgraph: PlainObject, subgraphIndex: number): Subgraph {
    const where = `subgraph ${subgraphIndex}`;
    const tensors = list(subgraph.tensors).map((tensor, index) =>
      this.tensor(tensor, `${where}, tensor ${index} "${tensor.name ?? ""}"`)
    );
    const tensorIndex = (value: number, place: string) =>
      this.index(value, tensors.length, `${where}, ${place}`, "tensor");
    const inputs = numbers(subgraph.inputs).map((value, index) =>
      tensorIndex(value, `input ${index}`)
    );
    const outputs = numbers(subgraph.outputs).map((value, index) =>
      tensorIndex(value, `output ${index}`)
    );
    const operators = list(subgraph.operators).map((operator, index) =>
      this.operator(operator, `${where}, operator ${index}`, tensors.length)
    );
    return {
      name: (subgraph.name as string | null) ?? "",
      tensors,
      inputs,
      outputs,
      operators,
      debugMetadataIndex: subgraph.debugMetadataIndex as number,
    };
  }

  private tensor(tensor: PlainObject, where: string): Tensor {
    const dtype = tensor.type;
    if (typeof dtype !== "string" || !isDType(dtype)) {
      throw new ModelFormatError(where, `unknown tensor type ${dtype}`);
    }
    const shape = numbers(tensor.shape);
    if (shape.some((dimension) => dimension < 0)) {
      throw new ModelFormatError(where, `shape ${shapeText(shape)} has a negative dimension`);
    }
    const elements = elementCount(shape);
    if (elements > this.maxElements) {
      throw new ModelFormatError(
        where,
        `shape ${
          shapeText(shape)
        } has ${elements} elements, more than the limit of ${this.maxElements}`,
      );
    }
    const buffer = this.index(tensor.buffer as number, this.buffers.length, where, "buffer");
    const sparsity = tensor.sparsity as PlainObject | null;
    const bytes = this.buffers[buffer];
    let data = null;
    if (bytes.byteLength > 0) {
      const needed = sparsity ? null : packedByteLength(dtype, elements);
      if (needed !== null && needed !== bytes.byteLength) {
        throw new ModelFormatError(
          where,
          `buffer ${buffer} holds ${bytes.byteLength} bytes, shape ${
            shapeText(shape)
          } ${dtype} needs ${needed}`,
        );
      }
      if (dtype === "string" && !sparsity) {
        decodeStringConstant(bytes, elements, where, ` (buffer ${buffer})`);
      }
      data = typedView(dtype, bytes);
    }
    const quantization = this.quantization(tensor.quantization as PlainObject | null);
    checkQuantization(quantization, dtype, shape, where);
    const shapeSignature = tensor.shapeSignature === null ? null : numbers(tensor.shapeSignature);
    if (shapeSignature?.some((dimension) => dimension < -1)) {
      throw new ModelFormatError(where, `shape signature ${shapeText(shapeSignature)} is invalid`);
    }
    return {
      name: (tensor.name as string | null) ?? "",
      dtype: dtype as DType,
      shape,
      shapeSignature,
      buffer,
      data,
      quantization,
      isVariable: tensor.isVariable as boolean,
      hasRank: tensor.hasRank as boolean,
      sparsity,
      variantTensors: list(tensor.variantTensors),
      externalBuffer: tensor.externalBuffer as number,
    };
  }

  private quantization(quantization: PlainObject | null): Quantization | null {
    if (quantization === null) return null;
    const result: Quantization = {
      scale: numbers(quantization.scale),
      zeroPoint: numbers(quantization.zeroPoint),
      quantizedDimension: quantization.quantizedDimension as number,
      min: numbers(quantization.min),
      max: numbers(quantization.max),
      details: quantization.details as Quantization["details"],
    };
    const empty = result.scale.length + result.zeroPoint.length + result.min.length +
            result.max.length === 0 && result.details === null && result.quantizedDimension === 0;
    return empty ? null : result;
  }

  private operator(operator: PlainObject, where: string, tensorCount: number): Operator {
    const codeIndex = this.index(
      operator.opcodeIndex as number,
      this.operatorCodes.length,
      where,
      "operator code",
    );
    const code = this.operatorCodes[codeIndex];
    const opWhere = `${where} (${code.op})`;
    const tensorIndex = (value: number, place: string, optional: boolean) =>
      optional && value === -1
        ? -1
        : this.index(value, tensorCount, `${opWhere}, ${place}`, "tensor");
    const options1 = operator.builtinOptions as { type: string; value: PlainObject } | null;
    const options2 = operator.builtinOptions2 as { type: string; value: PlainObject } | null;
    if (options1 && options2) {
      throw new ModelFormatError(opWhere, "has both builtin_options and builtin_options_2");
    }
    const options = options1 ?? options2;
    return {
      op: code.op,
      custom: code.custom,
      version: code.version,
      inputs: numbers(operator.inputs).map((value, index) =>
        tensorIndex(value, `input ${index}`, true)
      ),
      outputs: numbers(operator.outputs).map((value, index) =>
        tensorIndex(value, `output ${index}`, false)
      ),
      optionsType: options?.type ?? null,
      options: options?.value ?? null,
      customOptions: this.customOptions(operator, opWhere),
      customOptionsFormat: operator.customOptionsFormat as string,
      mutatingVariableInputs: (operator.mutatingVariableInputs ?? []) as boolean[],
      intermediates: numbers(operator.intermediates).map((value, index) =>
        tensorIndex(value, `intermediate ${index}`, false)
      ),
      debugMetadataIndex: operator.debugMetadataIndex as number,
    };
  }

  /** Custom options: inline, or after the flatbuffer (models over 2 GB). */
  private customOptions(operator: PlainObject, where: string): Uint8Array | null {
    const offset = operator.largeCustomOptionsOffset as bigint;
    if (offset <= 1n) return operator.customOptions as Uint8Array | null;
    const end = offset + (operator.largeCustomOptionsSize as bigint);
    if (end > BigInt(this.file.byteLength)) {
      throw new ModelFormatError(
        where,
        `custom options lie outside the ${this.file.byteLength}-byte file`,
      );
    }
    return this.file.subarray(Number(offset), Number(end));
  }

  private signature(signature: PlainObject, index: number, subgraphs: Subgraph[]): Signature {
    const key = (signature.signatureKey as string | null) ?? "";
    const where = `signature ${index} "${key}"`;
    const subgraphIndex = this.index(
      signature.subgraphIndex as number,
      subgraphs.length,
      where,
      "subgraph",
    );
    const tensorCount = subgraphs[subgraphIndex].tensors.length;
    const tensorMap = (entries: PlainValue, side: string) =>
      list(entries).map((entry, position) => ({
        name: (entry.name as string | null) ?? "",
        tensorIndex: this.index(
          entry.tensorIndex as number,
          tensorCount,
          `${where}, ${side} ${position}`,
          "tensor",
        ),
      }));
    return {
      key,
      subgraphIndex,
      inputs: tensorMap(signature.inputs, "input"),
      outputs: tensorMap(signature.outputs, "output"),
    };
  }
}
