/**
 * The bytes of a TFLite string tensor (`kTfLiteString`, TensorFlow Lite's `string_util`): an int32
 * count N, N + 1 int32 offsets from the buffer's start (string i is bytes [offset i, offset i+1)),
 * then the strings' bytes, UTF-8 by convention; every int32 little-endian. A string constant's
 * buffer that is not one is a `ModelFormatError` naming the tensor.
 */
import { ModelFormatError } from "./errors.ts";

/** Bytes of the header before the strings: the count and N + 1 offsets. */
function headerBytes(count: number): number {
  return 4 * (count + 2);
}

/**
 * The `count` byte strings a string buffer holds (views into `bytes`, no copy). An empty buffer
 * holds no strings. Throws a RangeError saying what is wrong when the buffer holds another count,
 * or an offset falls outside it or before the one before.
 */
export function decodeStringBuffer(bytes: Uint8Array, count: number): Uint8Array[] {
  if (bytes.byteLength === 0 && count === 0) return [];
  if (bytes.byteLength < 4) {
    throw new RangeError(`the string buffer has ${bytes.byteLength} bytes, too few for its count`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = view.getInt32(0, true);
  if (stored !== count) {
    throw new RangeError(`the string buffer holds ${stored} strings; the shape has ${count}`);
  }
  const header = headerBytes(count);
  if (bytes.byteLength < header) {
    throw new RangeError(
      `the string buffer has ${bytes.byteLength} bytes, too few for the offsets of ${count} strings`,
    );
  }
  const strings = new Array<Uint8Array>(count);
  let start = view.getInt32(4, true);
  if (start < header || start > bytes.byteLength) {
    throw new RangeError(
      `string 0 of the string buffer starts at byte ${start}, outside [${header}, ${bytes.byteLength}]`,
    );
  }
  for (let index = 0; index < count; index++) {
    const end = view.getInt32(8 + 4 * index, true);
    if (end < start || end > bytes.byteLength) {
      throw new RangeError(
        `string ${index} of the string buffer ends at byte ${end}, outside [${start}, ${bytes.byteLength}]`,
      );
    }
    strings[index] = bytes.subarray(start, end);
    start = end;
  }
  return strings;
}

/**
 * The `count` byte strings of a string constant's buffer, as `decodeStringBuffer` reads them; a
 * `ModelFormatError` at `where` saying what is wrong (then `detail`) when it is not such a buffer.
 */
export function decodeStringConstant(
  bytes: Uint8Array,
  count: number,
  where: string,
  detail = "",
): Uint8Array[] {
  try {
    return decodeStringBuffer(bytes, count);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ModelFormatError(where, `${error.message}${detail}`);
  }
}

/** The string buffer that holds `strings`, in order (what `decodeStringBuffer` reads back). */
export function encodeStringBuffer(strings: readonly Uint8Array[]): Uint8Array {
  const header = headerBytes(strings.length);
  const total = strings.reduce((sum, string) => sum + string.byteLength, header);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, strings.length, true);
  let offset = header;
  strings.forEach((string, index) => {
    view.setInt32(4 + 4 * index, offset, true);
    bytes.set(string, offset);
    offset += string.byteLength;
  });
  view.setInt32(4 + 4 * strings.length, offset, true);
  return bytes;
}
