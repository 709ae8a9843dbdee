/** IDX files: the committed MNIST test set, plain and gzipped forms, and refusals. */
import assert from "node:assert/strict";
import { IdxFormatError, parseIdx } from "../../src/io/idx.ts";
import { readBytesSync, ROOT } from "../helpers.ts";

const bytes = (values: number[]) => new Uint8Array(values) as Uint8Array<ArrayBuffer>;

Deno.test("the committed MNIST test set reads as 10,000 28x28 images and labels", async () => {
  const images = await parseIdx(
    readBytesSync(`${ROOT}data/mnist/t10k-images-idx3-ubyte.gz`) as Uint8Array<ArrayBuffer>,
  );
  const labels = await parseIdx(
    readBytesSync(`${ROOT}data/mnist/t10k-labels-idx1-ubyte.gz`) as Uint8Array<ArrayBuffer>,
  );
  assert.deepEqual(images.shape, [10000, 28, 28]);
  assert.deepEqual(labels.shape, [10000]);
  assert.deepEqual(Array.from(labels.data.subarray(0, 5)), [7, 2, 1, 0, 4]);
});

Deno.test("uncompressed IDX and broken files", async () => {
  const plain = await parseIdx(bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]));
  assert.deepEqual(plain.shape, [2, 3]);
  assert.deepEqual(Array.from(plain.data), [1, 2, 3, 4, 5, 6]);
  await assert.rejects(parseIdx(bytes([1, 2, 3])), IdxFormatError);
  await assert.rejects(
    parseIdx(bytes([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0])),
    /not unsigned bytes/,
  );
  await assert.rejects(
    parseIdx(bytes([0, 0, 8, 1, 0, 0, 0, 5, 1, 2])),
    /holds 2 values; its shape \[5\] needs 5/,
  );
});
