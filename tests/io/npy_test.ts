import assert from "node:assert/strict";
import { encodeNpy, NpyFormatError, parseNpy } from "../../src/io/npy.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

const npy = (name: string) => parseNpy(readBytesSync(`${FIXTURES}/npy/${name}`));
const sum = (values: ArrayLike<number>) =>
  Array.from(values).reduce((total, value) => total + value, 0);

Deno.test("reads NumPy's own files: float32, int8, uint8, float64 scalar, bool, int64, float16", () => {
  const sine = npy("tflm_hello_world_float.ref_outputs.npy");
  assert.equal(sine.dtype, "float32");
  assert.deepEqual(sine.shape, [16, 1]);
  assert.equal(sine.data[0], Math.fround(0.23522314429283142));
  assert.ok(Math.abs(sum(sine.data as Float32Array) - -0.11239057779312134) < 1e-6);
  const int8 = npy("seed_mnist.int8_int8io.ref_outputs.npy");
  assert.equal(int8.dtype, "int8");
  assert.deepEqual(int8.shape, [16, 10]);
  assert.deepEqual(Array.from(int8.data.subarray(0, 4) as Int8Array), [29, -80, -2, -55]);
  assert.equal(sum(int8.data as Int8Array), 1762);
  const uint8 = npy("seed_mnist.int8_uint8io.ref_outputs.npy");
  assert.equal(uint8.dtype, "uint8");
  assert.equal(sum(uint8.data as Uint8Array), 22242);
  const scalar = npy("scalar_f64.npy");
  assert.deepEqual([scalar.dtype, scalar.shape, Array.from(scalar.data as Float64Array)], [
    "float64",
    [],
    [2.5],
  ]);
  const bools = npy("bools_3x2.npy");
  assert.deepEqual([bools.dtype, bools.shape, Array.from(bools.data as Uint8Array)], ["bool", [
    3,
    2,
  ], [1, 0, 0, 1, 1, 1]]);
  const int64 = npy("int64_big.npy");
  assert.deepEqual(Array.from(int64.data as BigInt64Array), [-(2n ** 40n), 7n, 2n ** 62n]);
  const half = npy("float16_4.npy");
  assert.deepEqual([half.dtype, Array.from(half.data as Uint16Array)], ["float16", [
    0x3c00,
    0xc000,
    0x3800,
    0x7bff,
  ]]);
});

Deno.test("writes files byte-identical to NumPy's", () => {
  for (
    const name of [
      "tflm_hello_world_float.ref_outputs.npy",
      "seed_mnist.int8_int8io.ref_outputs.npy",
      "scalar_f64.npy",
      "bools_3x2.npy",
      "int64_big.npy",
    ]
  ) {
    const original = readBytesSync(`${FIXTURES}/npy/${name}`);
    assert.deepEqual(encodeNpy(parseNpy(original)), original, name);
  }
  const vector = parseNpy(
    encodeNpy({ dtype: "int32", shape: [3], data: new Int32Array([1, -2, 3]) }),
  );
  assert.deepEqual([vector.shape, Array.from(vector.data as Int32Array)], [[3], [1, -2, 3]]);
});

Deno.test("refuses what it cannot take, saying why", () => {
  const refuses = (bytes: Uint8Array, message: RegExp) =>
    assert.throws(
      () => parseNpy(bytes),
      (error: unknown) => error instanceof NpyFormatError && message.test(error.message),
    );
  refuses(
    readBytesSync(`${FIXTURES}/npy/fortran_f32.npy`),
    /Fortran-order arrays are not supported/,
  );
  refuses(
    readBytesSync(`${FIXTURES}/npy/big_endian_f32.npy`),
    /dtype '>f4': big-endian data is not supported/,
  );
  refuses(new TextEncoder().encode("hello, world"), /not an \.npy file/);
  const sine = readBytesSync(`${FIXTURES}/npy/tflm_hello_world_float.ref_outputs.npy`);
  refuses(
    sine.slice(0, sine.length - 4),
    /shape \(16, 1\) of '<f4' needs 64 bytes of data, the file has 60/,
  );
  refuses(sine.slice(0, 40), /truncated header/);
  assert.throws(
    () => encodeNpy({ dtype: "float32", shape: [2, 2], data: new Float32Array(3) }),
    /needs 16 bytes, the data has 12/,
  );
});
