/** A tensor as the interpreter holds it: the IR tensor plus its shape and place for this run. */
import { type DType, elementCount, packedByteLength, type TensorData } from "../format/dtype.ts";
import type { Quantization } from "../format/ir.ts";
import type { PlainObject } from "../format/plain.ts";
import { densifyValues } from "../format/sparsity.ts";
import { ModelFormatError } from "../format/errors.ts";
import { UnsupportedModelError } from "./errors.ts";

/** One tensor of a prepared subgraph. */
export interface RuntimeTensor {
  /** Index in the subgraph's tensor list. */
  readonly index: number;
  readonly name: string;
  readonly dtype: DType;
  /** The shape for this preparation (resolved at load; batch and dynamic dimensions included). */
  shape: number[];
  readonly quantization: Quantization | null;
  /** Byte offset of the values in wasm memory; -1 until placed. */
  offset: number;
  /** The file's constant values (typed view), or null. */
  readonly data: TensorData | null;
  /** The sparse layout `data` is stored in (the IR's `Tensor.sparsity`), or null when dense. */
  readonly sparsity: PlainObject | null;
  /** True when the values are known at load: file constants and what was computed from them. */
  constant: boolean;
  readonly isVariable: boolean;
  /**
   * A string tensor's values, one byte string per element (TFLite's `kTfLiteString`): held here,
   * outside wasm memory, where the tensor takes no bytes; never changed in place (an op gives its
   * output a new array, or the same one when it moves the values unchanged). Undefined for other
   * dtypes, and for a string tensor not written yet (its values then read as empty strings).
   */
  strings?: readonly Uint8Array[];
}

/** Elements of a runtime tensor. */
export function sizeOf(tensor: RuntimeTensor): number {
  return elementCount(tensor.shape);
}

/**
 * A constant's file values as a dense row-major typed array: `data` itself, or expanded from its
 * sparse layout (a new array); throws a RangeError when the layout does not fit the shape.
 */
export function denseData(tensor: RuntimeTensor & { readonly data: TensorData }): TensorData {
  if (!tensor.sparsity) return tensor.data;
  return densifyValues(tensor.dtype, tensor.shape, tensor.data, tensor.sparsity);
}

/**
 * Bytes a tensor's values take in memory (a resource handle: an int32 variable id; a string
 * tensor none, its values being `strings`); throws for dtypes the runtime cannot hold.
 */
export function byteLengthOf(tensor: RuntimeTensor): number {
  if (tensor.dtype === "resource") return 4 * sizeOf(tensor);
  if (tensor.dtype === "string") return 0;
  const bytes = packedByteLength(tensor.dtype, sizeOf(tensor));
  if (
    bytes === null || tensor.dtype === "int4" || tensor.dtype === "int2" || tensor.dtype === "uint4"
  ) {
    throw new UnsupportedModelError(
      `tensor ${tensor.index} "${tensor.name}"`,
      `dtype ${tensor.dtype} is not supported by the interpreter`,
    );
  }
  return bytes;
}

/**
 * Bytes each element of a string tensor counts against the memory budget, though the values live
 * outside wasm memory: the element's reference in its array and the engine's room around it. 32
 * keeps a string tensor within 2^25 elements at the default 1 GiB, the longest array V8 keeps
 * fast (past it arrays are dictionaries: a TILE to 6e7 strings took 32 s, to 2^27 52 s and 4 GB).
 */
export const STRING_ELEMENT_BYTES = 32;

/**
 * Bytes `count` elements of `dtype` count against the memory budget (see `STRING_ELEMENT_BYTES`
 * for strings); null for dtypes without a size.
 */
export function budgetBytes(dtype: DType, count: number): number | null {
  return dtype === "string" ? STRING_ELEMENT_BYTES * count : packedByteLength(dtype, count);
}

const EMPTY_STRING = new Uint8Array(0);

/** A string tensor's values: `strings`, or empty strings while it has none. */
export function stringsOf(tensor: RuntimeTensor): readonly Uint8Array[] {
  return tensor.strings ?? new Array<Uint8Array>(sizeOf(tensor)).fill(EMPTY_STRING);
}

/**
 * The byte a variable tensor without initial values starts filled with, as TFLite's
 * ResetVariableTensor fills it: an int8 tensor's zero point (so its values start at real 0),
 * 0 for every other dtype (int16 tensors are symmetric in TFLite: their zero point is 0 too).
 */
export function variableStartByte(tensor: RuntimeTensor): number {
  return tensor.dtype === "int8" ? (tensor.quantization?.zeroPoint[0] ?? 0) & 0xff : 0;
}

/**
 * Throws a `ModelFormatError` at `where` unless `shape` is a shape of at most `maxElements`
 * elements (whole, non-negative dimensions).
 */
export function checkShape(
  tensor: RuntimeTensor,
  shape: readonly number[],
  maxElements: number,
  where: string,
): void {
  const role = `tensor ${tensor.index} "${tensor.name}"`;
  if (!shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
    throw new ModelFormatError(where, `${role} would have shape [${shape}], which is not a shape`);
  }
  const elements = elementCount(shape);
  if (elements > maxElements) {
    throw new ModelFormatError(
      where,
      `${role} would have shape [${shape}], ${elements} elements, more than the limit of ${maxElements}`,
    );
  }
}

/**
 * Makes every later assignment to `tensor.shape` go through `check` first (`checkShape` and the
 * memory budget): an op that computes a huge or negative shape is refused before anything is
 * allocated or computed for it.
 */
export function guardShape(tensor: RuntimeTensor, check: (shape: number[]) => void): void {
  let shape = tensor.shape;
  Object.defineProperty(tensor, "shape", {
    enumerable: true,
    get: () => shape,
    set: (value: number[]) => {
      check(value);
      shape = value;
    },
  });
}
