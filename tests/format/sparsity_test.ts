/** `densify` expands TFLite's sparse layout: CSR levels, dense levels and 2x2 blocks. */
import assert from "node:assert/strict";
import { densify } from "../../src/format/sparsity.ts";

const dense = (size: number) => ({ format: "DENSE", denseSize: size });
const csr = (segments: number[], indices: number[]) => ({
  format: "SPARSE_CSR",
  denseSize: 0,
  arraySegments: { type: "Int32Vector", value: { values: segments } },
  arrayIndices: { type: "Uint8Vector", value: { values: indices } },
});

Deno.test("densify expands a CSR matrix", () => {
  const target = new Float32Array(12);
  densify(
    {
      traversalOrder: [0, 1],
      blockMap: null,
      dimMetadata: [dense(3), csr([0, 2, 2, 3], [1, 3, 0])],
    },
    [3, 4],
    new Float32Array([5, 6, 7]),
    target,
  );
  assert.deepEqual(Array.from(target), [0, 5, 0, 6, 0, 0, 0, 0, 7, 0, 0, 0]);
});

Deno.test("densify expands 2x2 blocks stored block-CSR (TFLite's BlockTestD0S1)", () => {
  const target = new Int8Array(16);
  densify(
    {
      traversalOrder: [0, 1, 2, 3],
      blockMap: [0, 1],
      dimMetadata: [dense(2), csr([0, 2, 3], [0, 1, 1]), dense(2), dense(2)],
    },
    [4, 4],
    new Int8Array([1, 0, 0, 4, 2, 3, 0, 0, 5, 0, 0, 6]),
    target,
  );
  assert.deepEqual(Array.from(target), [1, 0, 2, 3, 0, 4, 0, 0, 0, 0, 5, 0, 0, 0, 0, 6]);
});

Deno.test("densify refuses a layout that reads past the stored values", () => {
  assert.throws(
    () =>
      densify(
        { traversalOrder: [0], blockMap: null, dimMetadata: [dense(4)] },
        [4],
        new Float32Array(3),
        new Float32Array(4),
      ),
    /reads more than the 3 stored values/,
  );
});
