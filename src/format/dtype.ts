/** Tensor element types, by the lower-case TFLite names that the IR and the CLI use. */
import { schemaEnum } from "./schema_enums.ts";

/** A tensor's element type: TFLite's `TensorType` names in lower case. */
export type DType =
  | "float32"
  | "float16"
  | "int32"
  | "uint8"
  | "int64"
  | "string"
  | "bool"
  | "int16"
  | "complex64"
  | "int8"
  | "float64"
  | "complex128"
  | "uint64"
  | "resource"
  | "variant"
  | "uint32"
  | "uint16"
  | "int4"
  | "bfloat16"
  | "int2"
  | "uint4";

/** The typed array that holds a constant of each dtype (float16 and bfloat16 as raw bits). */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** Bits per element; null where elements have no fixed size (string, resource, variant). */
const BITS: Record<DType, number | null> = {
  float32: 32,
  float16: 16,
  int32: 32,
  uint8: 8,
  int64: 64,
  string: null,
  bool: 8,
  int16: 16,
  complex64: 64,
  int8: 8,
  float64: 64,
  complex128: 128,
  uint64: 64,
  resource: null,
  variant: null,
  uint32: 32,
  uint16: 16,
  int4: 4,
  bfloat16: 16,
  int2: 2,
  uint4: 4,
};

const TENSOR_TYPE = schemaEnum("TensorType");

/** Each dtype's `TensorType` code: the member of the upper-case name. */
const CODE_BY_DTYPE = Object.fromEntries(
  Object.keys(BITS).map((dtype) => [dtype, TENSOR_TYPE.value(dtype.toUpperCase())]),
) as Record<DType, number>;

const DTYPE_BY_CODE = new Map<number, DType>(
  Object.entries(CODE_BY_DTYPE).map(([dtype, code]) => [code, dtype as DType]),
);

/** The schema's `TensorType` code of a dtype. */
export function dtypeCode(dtype: DType): number {
  return CODE_BY_DTYPE[dtype];
}

/** The dtype of a `TensorType` code, or undefined for a code the schema does not define. */
export function dtypeFromCode(code: number): DType | undefined {
  return DTYPE_BY_CODE.get(code);
}

/** Whether `name` is a dtype name. */
export function isDType(name: string): name is DType {
  return name in CODE_BY_DTYPE;
}

/** How many elements a tensor of this shape has (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

/**
 * Bytes that `elements` values of `dtype` take in a buffer (sub-byte types packed, rounded up);
 * null for types without a fixed element size.
 */
export function packedByteLength(dtype: DType, elements: number): number | null {
  const bits = BITS[dtype];
  return bits === null ? null : Math.ceil((elements * bits) / 8);
}

type TypedArrayConstructor = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TensorData;
  readonly BYTES_PER_ELEMENT: number;
};

const VIEW_BY_DTYPE: Partial<Record<DType, TypedArrayConstructor>> = {
  float32: Float32Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
  int32: Int32Array,
  uint8: Uint8Array,
  int64: BigInt64Array,
  bool: Uint8Array,
  int16: Int16Array,
  complex64: Float32Array,
  int8: Int8Array,
  float64: Float64Array,
  complex128: Float64Array,
  uint64: BigUint64Array,
  uint32: Uint32Array,
  uint16: Uint16Array,
};

/**
 * The alignment a constant's bytes need for `typedView` to view them without a copy: the size of
 * its typed array's element (1 for types that stay bytes).
 */
export function viewAlignment(dtype: DType): number {
  return VIEW_BY_DTYPE[dtype]?.BYTES_PER_ELEMENT ?? 1;
}

/**
 * A typed-array view of a constant's bytes: zero copy when the bytes are aligned for the element
 * type, a copy otherwise. Types without a typed array (string, sub-byte ints) stay bytes.
 */
export function typedView(dtype: DType, bytes: Uint8Array): TensorData {
  const View = VIEW_BY_DTYPE[dtype];
  if (!View || View === Uint8Array) return bytes;
  const size = View.BYTES_PER_ELEMENT;
  const source = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return new View(source.buffer, source.byteOffset, Math.floor(source.byteLength / size));
}

/** The bytes behind a typed array, as a view (no copy). */
export function bytesOf(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * A typed array of `length` elements of `dtype` over `buffer` at `byteOffset` (no copy), or null
 * for dtypes without one (string, sub-byte ints, resource, variant).
 */
export function typedArrayOver(
  dtype: DType,
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
): TensorData | null {
  const View = VIEW_BY_DTYPE[dtype];
  return View ? new View(buffer, byteOffset, length) : null;
}
