/**
 * A small FlexBuffers reader for custom operators' options (TFLite_Detection_PostProcess and
 * others store theirs as a FlexBuffer map): the root value, maps, vectors and scalars
 * (null, int, uint, float, bool, string/key, and their indirect forms), as plain JavaScript
 * values. Throws a `ModelFormatError` when an offset leaves the buffer.
 */
import { ModelFormatError } from "./errors.ts";

/** A decoded FlexBuffer value. */
export type FlexValue =
  | null
  | number
  | bigint
  | boolean
  | string
  | FlexValue[]
  | { [key: string]: FlexValue };

const NULL = 0;
const INT = 1;
const UINT = 2;
const FLOAT = 3;
const KEY = 4;
const STRING = 5;
const INDIRECT_INT = 6;
const INDIRECT_UINT = 7;
const INDIRECT_FLOAT = 8;
const MAP = 9;
const VECTOR = 10;
const VECTOR_INT = 11;
const VECTOR_KEY = 14;
const VECTOR_INT2 = 16;
const VECTOR_FLOAT4 = 24;
const BLOB = 25;
const BOOL = 26;
const VECTOR_BOOL = 36;

class Reader {
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array, private readonly where: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private check(offset: number, width: number): void {
    if (!(offset >= 0 && offset + width <= this.bytes.byteLength)) {
      throw new ModelFormatError(this.where, `FlexBuffer offset ${offset} lies outside the buffer`);
    }
  }

  unsigned(offset: number, width: number): number {
    this.check(offset, width);
    switch (width) {
      case 1:
        return this.view.getUint8(offset);
      case 2:
        return this.view.getUint16(offset, true);
      case 4:
        return this.view.getUint32(offset, true);
      default:
        return Number(this.view.getBigUint64(offset, true));
    }
  }

  signed(offset: number, width: number): number {
    this.check(offset, width);
    switch (width) {
      case 1:
        return this.view.getInt8(offset);
      case 2:
        return this.view.getInt16(offset, true);
      case 4:
        return this.view.getInt32(offset, true);
      default:
        return Number(this.view.getBigInt64(offset, true));
    }
  }

  float(offset: number, width: number): number {
    this.check(offset, width);
    return width === 4 ? this.view.getFloat32(offset, true) : this.view.getFloat64(offset, true);
  }

  /** The position an offset field at `offset` points back to. */
  indirect(offset: number, width: number): number {
    return offset - this.unsigned(offset, width);
  }

  string(offset: number, length?: number): string {
    let end = offset;
    if (length === undefined) {
      while (end < this.bytes.byteLength && this.bytes[end] !== 0) end++;
    } else {
      end = offset + length;
    }
    this.check(offset, end - offset);
    return new TextDecoder().decode(this.bytes.subarray(offset, end));
  }

  /** The value stored at `offset` in a slot `parentWidth` bytes wide, of packed type `packed`. */
  value(offset: number, parentWidth: number, packed: number): FlexValue {
    const type = packed >> 2;
    const width = 1 << (packed & 3);
    switch (type) {
      case NULL:
        return null;
      case INT:
        return this.signed(offset, parentWidth);
      case UINT:
        return this.unsigned(offset, parentWidth);
      case FLOAT:
        return this.float(offset, parentWidth);
      case BOOL:
        return this.unsigned(offset, parentWidth) !== 0;
      case INDIRECT_INT:
        return this.signed(this.indirect(offset, parentWidth), width);
      case INDIRECT_UINT:
        return this.unsigned(this.indirect(offset, parentWidth), width);
      case INDIRECT_FLOAT:
        return this.float(this.indirect(offset, parentWidth), width);
      case KEY:
        return this.string(this.indirect(offset, parentWidth));
      case STRING:
      case BLOB: {
        const start = this.indirect(offset, parentWidth);
        const text = this.string(start, this.unsigned(start - width, width));
        return text;
      }
      case MAP:
        return this.map(this.indirect(offset, parentWidth), width);
      case VECTOR:
        return this.vector(this.indirect(offset, parentWidth), width);
    }
    if ((type >= VECTOR_INT && type <= VECTOR_KEY) || type === VECTOR_BOOL) {
      const start = this.indirect(offset, parentWidth);
      const element = type === VECTOR_BOOL ? BOOL : type - VECTOR_INT + INT;
      const size = this.unsigned(start - width, width);
      return Array.from(
        { length: size },
        (_, i) => this.value(start + i * width, width, element << 2),
      );
    }
    if (type >= VECTOR_INT2 && type <= VECTOR_FLOAT4) {
      const start = this.indirect(offset, parentWidth);
      const size = Math.floor((type - VECTOR_INT2) / 3) + 2;
      const element = ((type - VECTOR_INT2) % 3) + INT;
      return Array.from(
        { length: size },
        (_, i) => this.value(start + i * width, width, element << 2),
      );
    }
    throw new ModelFormatError(this.where, `FlexBuffer type ${type} is not supported`);
  }

  vector(start: number, width: number): FlexValue[] {
    const size = this.unsigned(start - width, width);
    const types = start + size * width;
    return Array.from(
      { length: size },
      (_, i) => this.value(start + i * width, width, this.unsigned(types + i, 1)),
    );
  }

  map(start: number, width: number): { [key: string]: FlexValue } {
    const values = this.vector(start, width);
    const keysAt = this.indirect(start - 3 * width, width);
    const keyWidth = this.unsigned(start - 2 * width, width);
    const result: { [key: string]: FlexValue } = {};
    values.forEach((value, i) => {
      const key = this.string(this.indirect(keysAt + i * keyWidth, keyWidth));
      result[key] = value;
    });
    return result;
  }
}

/**
 * Decodes a FlexBuffer's root value. `where` names the buffer in errors (`operator 3
 * TFLite_Detection_PostProcess`).
 */
export function readFlexBuffer(bytes: Uint8Array, where = "custom options"): FlexValue {
  if (bytes.byteLength < 3) {
    throw new ModelFormatError(where, `a FlexBuffer of ${bytes.byteLength} bytes is too short`);
  }
  const reader = new Reader(bytes, where);
  const rootWidth = bytes[bytes.byteLength - 1];
  const packed = bytes[bytes.byteLength - 2];
  return reader.value(bytes.byteLength - 2 - rootWidth, rootWidth, packed);
}
