/**
 * liteq's float32 <-> float16 conversions against an independent implementation (the npm
 * float16 package, a test-only oracle): every half back to float32, and float32 values of every
 * kind (normal, subnormal, ties, overflow, infinities, NaN) to half bits.
 */
import assert from "node:assert/strict";
import { Float16Array } from "npm:@petamoriken/float16@3.9.3";
import { fromHalfBits, halfBitsOf } from "../../src/quantize/half.ts";
import { toHalfBits } from "../../src/quantize/float16.ts";

Deno.test("every half widens to its exact float32 value", () => {
  const bits = Uint16Array.from({ length: 65536 }, (_, index) => index);
  const ours = fromHalfBits(bits);
  const theirs = new Float16Array(bits.buffer);
  for (let index = 0; index < 65536; index++) {
    assert.ok(
      Object.is(ours[index], theirs[index]) || (isNaN(ours[index]) && isNaN(theirs[index])),
      `half 0x${index.toString(16)}: ${ours[index]}, oracle ${theirs[index]}`,
    );
  }
});

Deno.test("float32 to half rounds to nearest even like the oracle", () => {
  const floats = new Float32Array(1 << 16);
  const raw = new Uint32Array(floats.buffer);
  // Every half exactly, the midpoints between neighbours (ties) and just off them, then random bits.
  let seed = 12345;
  for (let index = 0; index < raw.length; index++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    raw[index] = seed;
  }
  const special = [
    0,
    -0,
    1,
    65504,
    65519.99,
    65520,
    70000,
    1e10,
    -1e10,
    Infinity,
    -Infinity,
    NaN,
    2 ** -24,
    2 ** -25,
    3 * 2 ** -26,
    2 ** -14,
    2 ** -14 - 2 ** -25,
    6e-8,
    1e-8,
    0.1,
    -0.1,
  ];
  const values = [...special, ...floats];
  for (let half = 0; half < 0x7c00; half += 7) {
    const low = fromHalfBits(Uint16Array.of(half))[0];
    const high = fromHalfBits(Uint16Array.of(half + 1))[0];
    values.push(
      low,
      (low + high) / 2,
      Math.fround((low + high) / 2 * (1 + 2 ** -20)),
      -((low + high) / 2),
    );
  }
  const theirs = new Uint16Array(new Float16Array(values).buffer);
  values.forEach((value, index) => {
    const ours = halfBitsOf(value);
    if (isNaN(value)) assert.ok((ours & 0x7c00) === 0x7c00 && (ours & 0x3ff) !== 0);
    else {assert.equal(
        ours,
        theirs[index],
        `${value}: 0x${ours.toString(16)}, oracle 0x${theirs[index].toString(16)}`,
      );}
  });
});

Deno.test("float16 mode clamps finite values to +-65504, keeps infinities and NaN", () => {
  // TensorFlow 2.21 wrote 0x7bff for 1e10, 70000 and 65520, 0xfbff for -1e10 and 0x7e00 for NaN
  // (and 0x7bff for Infinity too, where liteq keeps the infinity: a clip bound must stay one).
  const values = Float32Array.of(1e10, 70000, 65520, -1e10, NaN, 65519, 1e-8, 6e-8);
  assert.deepEqual(Array.from(toHalfBits(values)), [
    0x7bff,
    0x7bff,
    0x7bff,
    0xfbff,
    0x7e00,
    0x7bff,
    0,
    1,
  ]);
  assert.deepEqual(Array.from(toHalfBits(Float32Array.of(Infinity, -Infinity))), [0x7c00, 0xfc00]);
});
