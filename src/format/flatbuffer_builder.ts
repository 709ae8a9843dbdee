/**
 * `FlatBufferBuilder`: the part of a FlatBuffers builder that the model writer uses, with no
 * dependency. Like FlatBuffers' own builders it fills its buffer from the back, children before
 * parents, and shares a vtable between tables whose vtables are equal. For the same calls it writes
 * the same bytes as the `flatbuffers` npm package's `Builder` (the tests compare the two), so models
 * written through it are the files that package would write.
 *
 * The offsets it returns are counted from the end of the buffer, as FlatBuffers counts them while
 * building: they stay valid when the buffer grows.
 */

/** Bytes before a vtable's field entries: its own length and its table's length, 16 bits each. */
const VTABLE_HEADER_BYTES = 4;

/** Writes one flatbuffer: tables, vectors, strings, then `finish`. */
export class FlatBufferBuilder {
  private bytes: Uint8Array;
  private view: DataView;
  /** Index in `bytes` of the last byte written: everything from here to the end is the buffer. */
  private space: number;
  /** The largest alignment asked for so far; `finish` aligns the root offset to it. */
  private minAlign = 1;
  /** For the table being built, each field slot's offset (0 while the field is absent). */
  private fields: number[] = [];
  /** `offset()` when the table being built was started; -1 outside a table. */
  private tableStart = -1;
  /** Element count of the vector being built. */
  private vectorLength = 0;
  /** The offset of each vtable written so far, keyed by its 16-bit entries as UTF-16 code units. */
  private readonly vtables = new Map<string, number>();
  /** The offset of each object written through `shared`, by its key. */
  private readonly sharedObjects = new Map<string, number>();

  /** A builder whose buffer starts at `initialCapacity` bytes and doubles when full. */
  constructor(initialCapacity = 1024) {
    this.bytes = new Uint8Array(initialCapacity);
    this.view = new DataView(this.bytes.buffer);
    this.space = initialCapacity;
  }

  /** The offset of what was written last, counted from the end of the buffer. */
  private offset(): number {
    return this.bytes.length - this.space;
  }

  /**
   * Makes room for `size` bytes aligned to `size` once `additionalBytes` more are written after
   * them (what a vector's elements or a string's bytes take), padding with zeros.
   */
  private prep(size: number, additionalBytes: number): void {
    if (size > this.minAlign) this.minAlign = size;
    const padding = -(this.offset() + additionalBytes) & (size - 1);
    while (this.space < padding + size + additionalBytes) this.grow();
    this.bytes.fill(0, this.space - padding, this.space);
    this.space -= padding;
  }

  /** Doubles the buffer, keeping what is written at its end. */
  private grow(): void {
    const old = this.bytes;
    if (old.length & 0xc0000000) throw new Error("a flatbuffer cannot grow beyond 2 GB");
    this.bytes = new Uint8Array(old.length * 2);
    this.bytes.set(old.subarray(this.space), this.space + old.length);
    this.view = new DataView(this.bytes.buffer);
    this.space += old.length;
  }

  /** Adds an 8-bit integer (taken modulo 2^8), aligned. */
  addInt8(value: number): void {
    this.prep(1, 0);
    this.view.setInt8(--this.space, value);
  }

  /** Adds a 16-bit integer (taken modulo 2^16), aligned. */
  addInt16(value: number): void {
    this.prep(2, 0);
    this.view.setInt16(this.space -= 2, value, true);
  }

  /** Adds a 32-bit integer (taken modulo 2^32), aligned. */
  addInt32(value: number): void {
    this.prep(4, 0);
    this.view.setInt32(this.space -= 4, value, true);
  }

  /** Adds a 64-bit integer (taken modulo 2^64), aligned. */
  addInt64(value: bigint): void {
    this.prep(8, 0);
    this.view.setBigInt64(this.space -= 8, value, true);
  }

  /** Adds a 32-bit float, aligned. */
  addFloat32(value: number): void {
    this.prep(4, 0);
    this.view.setFloat32(this.space -= 4, value, true);
  }

  /** Adds a 64-bit float, aligned. */
  addFloat64(value: number): void {
    this.prep(8, 0);
    this.view.setFloat64(this.space -= 8, value, true);
  }

  /** Adds a 32-bit offset to `target` (an offset returned earlier), relative to where it lands. */
  addOffset(target: number): void {
    this.prep(4, 0);
    const relative = this.offset() + 4 - target; // from where the offset lands
    this.view.setInt32(this.space -= 4, relative, true);
  }

  /** Starts a table of `fieldCount` slots; its fields follow, then `endObject`. */
  startObject(fieldCount: number): void {
    this.notInTable();
    this.fields = new Array(fieldCount).fill(0);
    this.tableStart = this.offset();
  }

  /** Records that field `slot` of the table being built is what was just added. */
  private slot(slot: number): void {
    this.fields[slot] = this.offset();
  }

  /** Adds 8-bit field `slot` unless it holds its default. */
  addFieldInt8(slot: number, value: number, defaultValue: number): void {
    if (value !== defaultValue) {
      this.addInt8(value);
      this.slot(slot);
    }
  }

  /** Adds 16-bit field `slot` unless it holds its default. */
  addFieldInt16(slot: number, value: number, defaultValue: number): void {
    if (value !== defaultValue) {
      this.addInt16(value);
      this.slot(slot);
    }
  }

  /** Adds 32-bit integer field `slot` unless it holds its default. */
  addFieldInt32(slot: number, value: number, defaultValue: number): void {
    if (value !== defaultValue) {
      this.addInt32(value);
      this.slot(slot);
    }
  }

  /** Adds 64-bit integer field `slot` unless it holds its default. */
  addFieldInt64(slot: number, value: bigint, defaultValue: bigint): void {
    if (value !== defaultValue) {
      this.addInt64(value);
      this.slot(slot);
    }
  }

  /** Adds 32-bit float field `slot` unless it holds its default (-0 counts as 0, NaN never does). */
  addFieldFloat32(slot: number, value: number, defaultValue: number): void {
    if (value !== defaultValue) {
      this.addFloat32(value);
      this.slot(slot);
    }
  }

  /** Adds 64-bit float field `slot` unless it holds its default (-0 counts as 0, NaN never does). */
  addFieldFloat64(slot: number, value: number, defaultValue: number): void {
    if (value !== defaultValue) {
      this.addFloat64(value);
      this.slot(slot);
    }
  }

  /** Adds field `slot` as an offset to `target` unless `target` is `defaultValue` (0: absent). */
  addFieldOffset(slot: number, target: number, defaultValue: number): void {
    if (target !== defaultValue) {
      this.addOffset(target);
      this.slot(slot);
    }
  }

  /**
   * Ends the table: writes its vtable (field offsets from the table's start, trailing absent
   * fields left out) after it, or points it at an equal vtable written before. Returns the
   * table's offset.
   */
  endObject(): number {
    if (this.tableStart < 0) throw new Error("endObject without startObject");
    this.addInt32(0); // the table's first word: its vtable's position, filled in below
    const table = this.offset();
    let used = this.fields.length;
    while (used > 0 && this.fields[used - 1] === 0) used--;
    const entries = [(used * 2) + VTABLE_HEADER_BYTES, table - this.tableStart];
    for (let slot = 0; slot < used; slot++) {
      entries.push(this.fields[slot] === 0 ? 0 : table - this.fields[slot]);
    }
    const key = String.fromCharCode(...entries);
    let vtable = this.vtables.get(key);
    if (vtable === undefined) {
      for (let index = entries.length - 1; index >= 0; index--) this.addInt16(entries[index]);
      vtable = this.offset();
      this.vtables.set(key, vtable);
    }
    this.view.setInt32(this.bytes.length - table, vtable - table, true);
    this.tableStart = -1;
    return table;
  }

  private notInTable(): void {
    if (this.tableStart >= 0) throw new Error("a table is being built: end it first");
  }

  /**
   * Starts a vector of `length` elements of `elementSize` bytes whose first element is aligned to
   * `alignment`; add its elements last to first, then `endVector`.
   */
  startVector(elementSize: number, length: number, alignment: number): void {
    this.notInTable();
    this.vectorLength = length;
    this.prep(4, elementSize * length);
    this.prep(alignment, elementSize * length);
  }

  /** Ends the vector with its length and returns its offset. */
  endVector(): number {
    this.view.setInt32(this.space -= 4, this.vectorLength, true);
    return this.offset();
  }

  /** Writes `bytes` as a byte vector whose first byte is aligned to `alignment`: one copy. */
  createByteVector(bytes: Uint8Array, alignment: number): number {
    this.startVector(1, bytes.length, alignment);
    this.bytes.set(bytes, this.space -= bytes.length);
    return this.endVector();
  }

  /** Writes a string (its UTF-8 bytes and a terminating zero) and returns its offset. */
  createString(utf8: Uint8Array): number {
    this.addInt8(0);
    return this.createByteVector(utf8, 1);
  }

  /**
   * The offset of the object written earlier under `key`, or else of the one `write` writes now
   * (remembered under `key`): equal strings and vectors are written once and every table that
   * holds one points at it, as FlatBuffers' `CreateSharedString` shares strings.
   */
  shared(key: string, write: () => number): number {
    let offset = this.sharedObjects.get(key);
    if (offset === undefined) {
      offset = write();
      this.sharedObjects.set(key, offset);
    }
    return offset;
  }

  /**
   * Finishes the buffer: the offset of `root` then the 4-character `fileIdentifier`, aligned so
   * that the whole buffer keeps the largest alignment asked for.
   */
  finish(root: number, fileIdentifier: string): void {
    if (fileIdentifier.length !== 4) {
      throw new TypeError(`a file identifier has 4 characters, not "${fileIdentifier}"`);
    }
    this.prep(this.minAlign, 8);
    for (let index = 3; index >= 0; index--) {
      this.view.setUint8(--this.space, fileIdentifier.charCodeAt(index));
    }
    this.prep(this.minAlign, 4);
    this.addOffset(root);
  }

  /** The finished flatbuffer: a view of the end of the builder's buffer (no copy). */
  asUint8Array(): Uint8Array {
    return this.bytes.subarray(this.space);
  }
}
