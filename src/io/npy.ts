/**
 * NumPy's `.npy` format (versions 1 to 3): little-endian, C-order arrays of the numeric dtypes
 * liteq exchanges (model inputs, outputs, datasets). Anything else is refused by `NpyFormatError`.
 */
import { bytesOf, type DType, elementCount, type TensorData, typedView } from "../format/dtype.ts";

/** An `.npy` file that liteq cannot take, with the reason. */
export class NpyFormatError extends Error {
  /** An error with the message saying why the file cannot be taken. */
  constructor(message: string) {
    super(message);
    this.name = "NpyFormatError";
  }
}

/** An n-dimensional array in C order. */
export interface NpyArray {
  /** Element type: `.npy`'s `<f4`, `|i1`, ... under liteq's dtype names (`float32`, `int8`). */
  dtype: DType;
  /** Dimensions, outermost first; [] for a 0-d array. */
  shape: number[];
  /**
   * The elements in C order (last axis fastest), in `dtype`'s typed array (float16 as raw bits);
   * as many as the product of `shape`.
   */
  data: TensorData;
}

/** `.npy` type codes (without their byte-order mark) and the dtypes they hold. */
const DTYPE_BY_CODE: Record<string, DType> = {
  f4: "float32",
  f8: "float64",
  f2: "float16",
  i1: "int8",
  u1: "uint8",
  i2: "int16",
  u2: "uint16",
  i4: "int32",
  u4: "uint32",
  i8: "int64",
  u8: "uint64",
  b1: "bool",
};
const CODE_BY_DTYPE = new Map(Object.entries(DTYPE_BY_CODE).map(([code, dtype]) => [dtype, code]));

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Reads an `.npy` file. The data is a view into `bytes` when aligned, a copy otherwise. */
export function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((byte, index) => bytes[index] !== byte)) {
    throw new NpyFormatError("not an .npy file (no \\x93NUMPY magic)");
  }
  const major = bytes[6];
  if (major < 1 || major > 3) {
    throw new NpyFormatError(`unsupported .npy version ${major}.${bytes[7]}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw new NpyFormatError("truncated header");
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new NpyFormatError("truncated header");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(headerStart, dataStart),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyFormatError(`cannot parse the header ${JSON.stringify(header.trim())}`);
  }
  const order = descr[0];
  const dtype = DTYPE_BY_CODE[descr.slice(1)];
  if (dtype === undefined || !"<|=".includes(order)) {
    const reason = order === ">" ? "big-endian data is not supported" : "unsupported dtype";
    throw new NpyFormatError(`dtype '${descr}': ${reason}`);
  }
  if (fortran === "True") throw new NpyFormatError("Fortran-order arrays are not supported");
  const shape = shapeText.split(",").map((item) => item.trim()).filter(Boolean).map(Number);
  if (shape.some((dimension) => !Number.isSafeInteger(dimension) || dimension < 0)) {
    throw new NpyFormatError(`invalid shape (${shapeText})`);
  }
  const itemSize = Number(descr.slice(2));
  const expected = elementCount(shape) * itemSize;
  const actual = bytes.length - dataStart;
  if (actual !== expected) {
    throw new NpyFormatError(
      `shape (${
        shape.join(", ")
      }) of '${descr}' needs ${expected} bytes of data, the file has ${actual}`,
    );
  }
  return { dtype, shape, data: typedView(dtype, bytes.subarray(dataStart)) };
}

/** Writes an array as a version 1.0 `.npy` file (header padded to 64 bytes, as NumPy does). */
export function encodeNpy(array: NpyArray): Uint8Array {
  const code = CODE_BY_DTYPE.get(array.dtype);
  if (code === undefined) throw new NpyFormatError(`dtype ${array.dtype} has no .npy form here`);
  const elements = elementCount(array.shape);
  const itemSize = Number(code.slice(1));
  if (array.data.byteLength !== elements * itemSize) {
    throw new NpyFormatError(
      `shape [${array.shape}] ${array.dtype} needs ${
        elements * itemSize
      } bytes, the data has ${array.data.byteLength}`,
    );
  }
  const order = itemSize === 1 ? "|" : "<";
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(", ")})`;
  let header = `{'descr': '${order}${code}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const bytes = new Uint8Array(10 + header.length + array.data.byteLength);
  bytes.set(MAGIC);
  bytes.set([1, 0, header.length & 0xff, header.length >> 8], 6);
  bytes.set(new TextEncoder().encode(header), 10);
  bytes.set(bytesOf(array.data), 10 + header.length);
  return bytes;
}
