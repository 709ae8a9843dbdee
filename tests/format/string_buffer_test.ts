/**
 * TFLite's string buffers (count, offsets, bytes): written and read back, and every malformed
 * buffer refused with its reason, by `decodeStringBuffer` and by the reader naming the tensor.
 */
import assert from "node:assert/strict";
import { ModelFormatError, readModel, writeModel } from "../../mod.ts";
import { decodeStringBuffer, encodeStringBuffer } from "../../src/format/string_buffer.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** A buffer of int32 words followed by `tail` bytes. */
function words(values: number[], tail: number[] = []): Uint8Array {
  const bytes = new Uint8Array(4 * values.length + tail.length);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => view.setInt32(4 * index, value, true));
  bytes.set(tail, 4 * values.length);
  return bytes;
}

Deno.test("a string buffer is TFLite's layout and reads back what was written", () => {
  const strings = ["a", "", "héllo", "日本"].map(utf8);
  const bytes = encodeStringBuffer(strings);
  // count 4, offsets 24, 25, 25, 31, 37 (header 4 * (4 + 2) = 24 bytes), then the bytes.
  assert.deepEqual(Array.from(new Int32Array(bytes.buffer, 0, 6)), [4, 24, 25, 25, 31, 37]);
  assert.equal(bytes.byteLength, 37);
  assert.deepEqual(decodeStringBuffer(bytes, 4), strings);
  assert.deepEqual(decodeStringBuffer(new Uint8Array(0), 0), []);
  assert.deepEqual(decodeStringBuffer(encodeStringBuffer([]), 0), []);
});

Deno.test("a malformed string buffer is a RangeError saying what is wrong", () => {
  const cases: [Uint8Array, number, RegExp][] = [
    [new Uint8Array(2), 1, /has 2 bytes, too few for its count/],
    [words([2, 16, 17, 18], [1, 2]), 1, /holds 2 strings; the shape has 1/],
    [words([3, 20, 21]), 3, /has 12 bytes, too few for the offsets of 3 strings/],
    [
      words([1, 4, 13], [97]),
      1,
      /string 0 of the string buffer starts at byte 4, outside \[12, 13\]/,
    ],
    [
      words([2, 16, 18, 17], [97, 98]),
      2,
      /string 1 of the string buffer ends at byte 17, outside \[18, 18\]/,
    ],
    [
      words([1, 12, 99], [97]),
      1,
      /string 0 of the string buffer ends at byte 99, outside \[12, 13\]/,
    ],
  ];
  for (const [bytes, count, reason] of cases) {
    assert.throws(
      () => decodeStringBuffer(bytes, count),
      (error) => error instanceof RangeError && reason.test(error.message),
    );
  }
});

Deno.test("the reader refuses a string constant whose buffer is malformed, naming the tensor", () => {
  const model = readModel(readBytesSync(`${FIXTURES}/strings/string_ops.tflite`));
  const tensors = model.subgraphs[0].tensors;
  const index = tensors.findIndex((tensor) => tensor.dtype === "string" && tensor.data !== null);
  const tensor = tensors[index];
  const bytes = new Uint8Array(tensor.data as Uint8Array);
  new DataView(bytes.buffer).setInt32(8, 1 << 30, true); // string 0 ends far past the buffer
  model.buffers[tensor.buffer] = bytes;
  for (const candidate of tensors) candidate.data = null;
  assert.throws(() => readModel(writeModel(model)), (error) =>
    error instanceof ModelFormatError &&
    error.message.startsWith(
      `subgraph 0, tensor ${index} "${tensor.name}": string 0 of the string buffer ends at byte ${
        1 << 30
      }`,
    ) &&
    error.message.endsWith(`(buffer ${tensor.buffer})`));
});
