/**
 * `FlatBufferBuilder` against the `flatbuffers` npm package's `Builder` (a dev dependency, used here
 * as the oracle only): random sequences of the same calls must give the same bytes, whatever the
 * alignment, vtable sharing, default omission or buffer growth they exercise.
 */
import assert from "node:assert/strict";
import { Builder } from "npm:flatbuffers@25.9.23";
import { FlatBufferBuilder } from "../../src/format/flatbuffer_builder.ts";

/** The calls both builders answer alike. */
type Calls = Pick<
  FlatBufferBuilder,
  | "addInt8"
  | "addInt16"
  | "addInt32"
  | "addInt64"
  | "addFloat32"
  | "addFloat64"
  | "addOffset"
  | "startObject"
  | "addFieldInt8"
  | "addFieldInt16"
  | "addFieldInt32"
  | "addFieldInt64"
  | "addFieldFloat32"
  | "addFieldFloat64"
  | "addFieldOffset"
  | "endObject"
  | "startVector"
  | "endVector"
  | "createString"
  | "finish"
  | "asUint8Array"
>;

/** A byte vector aligned to `alignment`: ours in one call, npm's byte by byte. */
type ByteVector = (bytes: Uint8Array, alignment: number) => number;

/** A small deterministic generator (mulberry32), so that both builders see the same calls. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  };
}

const INTEGERS = [0, 0, 1, -1, 127, 200, -32768, 65535, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 + 5];
const FLOATS = [0, 0, -0, 1.5, -2.25, NaN, Infinity, 1e-40, 3.5e38, 1e39, Math.PI];
const BIGINTS = [0n, 0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n];
/** Field kinds by slot for a few recurring table shapes, so that vtables get shared. */
const SHAPES = ["", "i", "ixo", "bsifdl", "oooo", "xxxxxxi", "lffbo"];

function build(builder: Calls, byteVector: ByteVector, seed: number): Uint8Array {
  const random = generator(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const objects: number[] = [];
  const anyObject = () => objects.length === 0 ? 0 : pick(objects);
  const bytes = (length: number) => Uint8Array.from({ length }, () => Math.floor(random() * 256));
  for (let step = 0; step < 120; step++) {
    const kind = pick(["string", "bytes", "scalars", "offsets", "table", "table"]);
    if (kind === "string") {
      objects.push(builder.createString(bytes(Math.floor(random() * 20))));
    } else if (kind === "bytes") {
      objects.push(byteVector(bytes(Math.floor(random() * 40)), pick([1, 4, 8, 16])));
    } else if (kind === "scalars") {
      const size = pick([1, 2, 4, 8]);
      const length = Math.floor(random() * 10);
      builder.startVector(size, length, Math.max(size, pick([1, 1, 16])));
      const float = random() < 0.5;
      for (let index = 0; index < length; index++) {
        if (size === 1) builder.addInt8(pick(INTEGERS));
        else if (size === 2) builder.addInt16(pick(INTEGERS));
        else if (size === 4) {
          float ? builder.addFloat32(pick(FLOATS)) : builder.addInt32(pick(INTEGERS));
        } else float ? builder.addFloat64(pick(FLOATS)) : builder.addInt64(pick(BIGINTS));
      }
      objects.push(builder.endVector());
    } else if (kind === "offsets") {
      const targets = Array.from({ length: Math.floor(random() * 6) }, anyObject)
        .filter((target) => target !== 0);
      builder.startVector(4, targets.length, 4);
      for (const target of targets) builder.addOffset(target);
      objects.push(builder.endVector());
    } else {
      const shape = random() < 0.7
        ? pick(SHAPES)
        : Array.from({ length: Math.floor(random() * 12) }, () => pick([..."bsifdlox"])).join("");
      // Offsets must be chosen before the table starts, as nothing else may be built inside it.
      const targets = [...shape].map(anyObject);
      builder.startObject(shape.length);
      [...shape].forEach((field, slot) => {
        if (field === "b") builder.addFieldInt8(slot, pick(INTEGERS), 0);
        else if (field === "s") builder.addFieldInt16(slot, pick(INTEGERS), 0);
        else if (field === "i") builder.addFieldInt32(slot, pick(INTEGERS), pick([0, 1]));
        else if (field === "f") builder.addFieldFloat32(slot, pick(FLOATS), pick([0, 1.5]));
        else if (field === "d") builder.addFieldFloat64(slot, pick(FLOATS), 0);
        else if (field === "l") builder.addFieldInt64(slot, pick(BIGINTS), 0n);
        else if (field === "o") builder.addFieldOffset(slot, targets[slot], 0);
      });
      objects.push(builder.endObject());
    }
  }
  builder.startObject(2);
  builder.addFieldOffset(1, anyObject(), 0);
  builder.finish(builder.endObject(), "TFL3");
  return builder.asUint8Array();
}

function ours(capacity: number, seed: number): Uint8Array {
  const builder = new FlatBufferBuilder(capacity);
  return build(builder, (bytes, alignment) => builder.createByteVector(bytes, alignment), seed);
}

function oracle(capacity: number, seed: number): Uint8Array {
  const builder = new Builder(capacity);
  return build(builder, (bytes, alignment) => {
    builder.startVector(1, bytes.length, alignment);
    for (let index = bytes.length - 1; index >= 0; index--) builder.addInt8(bytes[index]);
    return builder.endVector();
  }, seed);
}

Deno.test("FlatBufferBuilder writes the bytes of the flatbuffers package's Builder", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const capacity = [1, 64, 4096][seed % 3];
    const expected = oracle(capacity, seed);
    assert.deepEqual(ours(capacity, seed), expected, `seed ${seed}, capacity ${capacity}`);
  }
});

Deno.test("FlatBufferBuilder keeps the buffer's alignment from the start of a 16-byte capacity", () => {
  const builder = new FlatBufferBuilder(64);
  const bytes = builder.createByteVector(new Uint8Array([1, 2, 3]), 16);
  builder.startObject(1);
  builder.addFieldOffset(0, bytes, 0);
  builder.finish(builder.endObject(), "TFL3");
  const file = builder.asUint8Array();
  assert.equal(file.byteOffset % 16, 0);
  assert.equal(file.byteLength % 16, 0);
  assert.equal(new TextDecoder().decode(file.subarray(4, 8)), "TFL3");
});

Deno.test("FlatBufferBuilder writes an object shared under one key once", () => {
  const builder = new FlatBufferBuilder(64);
  const utf8 = new TextEncoder().encode("shape");
  const first = builder.shared("string:shape", () => builder.createString(utf8));
  const size = builder.asUint8Array().byteLength;
  assert.equal(builder.shared("string:shape", () => builder.createString(utf8)), first);
  assert.equal(builder.asUint8Array().byteLength, size);
  assert.notEqual(builder.shared("string:other", () => builder.createString(utf8)), first);
});
