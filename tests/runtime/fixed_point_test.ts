/** TFLite's fixed-point primitives against exact BigInt definitions, on edge and random values. */
import assert from "node:assert/strict";
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplier64,
  multiplyByQuantizedMultiplierSingleRounding,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from "../../src/runtime/quantization/fixed_point.ts";
import { randomFloats } from "./kernel_harness.ts";
import { reciprocal } from "../../src/runtime/ops/arithmetic/div.ts";
import { inverseSqrtMultiplier } from "../../src/runtime/ops/unary_math/unary_math_integer.ts";

/** gemmlowp's definition: (2ab + nudge) / 2^31 truncated, on 64-bit integers. */
function highMulReference(a: bigint, b: bigint): bigint {
  if (a === -(2n ** 31n) && b === a) return 2n ** 31n - 1n;
  const product = a * b;
  return (product + (product >= 0n ? 1n << 30n : 1n - (1n << 30n))) / (1n << 31n);
}

/** gemmlowp's definition on integers. */
function divideReference(x: bigint, exponent: bigint): bigint {
  const mask = (1n << exponent) - 1n;
  const threshold = (mask >> 1n) + (x < 0n ? 1n : 0n);
  return (x >> exponent) + ((x & mask) > threshold ? 1n : 0n);
}

const EDGES = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 30, -(2 ** 30), 65535, 65536, -65536, 12345];
const random = randomFloats(99);
const values = [...EDGES, ...Array.from(random(4000), (value) => Math.floor(value * 2 ** 31))];

Deno.test("saturatingRoundingDoublingHighMul is exact on edges and random int32 pairs", () => {
  for (let index = 0; index + 1 < values.length; index++) {
    for (const [a, b] of [[values[index], values[index + 1]], [values[index], values[index]]]) {
      assert.equal(
        BigInt(saturatingRoundingDoublingHighMul(a, b)),
        highMulReference(BigInt(a), BigInt(b)),
        `${a} x ${b}`,
      );
    }
  }
  for (const a of EDGES) {
    for (const b of EDGES) {
      assert.equal(
        BigInt(saturatingRoundingDoublingHighMul(a, b)),
        highMulReference(BigInt(a), BigInt(b)),
      );
    }
  }
});

Deno.test("roundingDivideByPOT rounds half away from zero for every exponent", () => {
  for (const x of values) {
    for (let exponent = 0; exponent < 32; exponent++) {
      assert.equal(
        BigInt(roundingDivideByPOT(x, exponent)),
        divideReference(BigInt(x), BigInt(exponent)),
      );
    }
  }
});

Deno.test("quantizeMultiplier: 31-bit fraction and shift, as TFLite stores them", () => {
  assert.deepEqual(quantizeMultiplier(0), [0, 0]);
  assert.deepEqual(quantizeMultiplier(1), [2 ** 30, 1]);
  assert.deepEqual(quantizeMultiplier(0.5), [2 ** 30, 0]);
  assert.deepEqual(quantizeMultiplier(0.75), [0.75 * 2 ** 31, 0]);
  // A fraction that rounds up to 2^31 moves to the next power of two.
  assert.deepEqual(quantizeMultiplier(1 - 2 ** -40), [2 ** 30, 1]);
  assert.deepEqual(quantizeMultiplier(2 ** -40), [0, 0]);
  for (const real of [0.0017, 0.3, 3.7, 1234.5]) {
    const [multiplier, shift] = quantizeMultiplier(real);
    assert.ok(Math.abs((multiplier * 2 ** (shift - 31)) / real - 1) < 1e-9);
    // multiplying by it approximates the real product within one unit
    assert.ok(Math.abs(multiplyByQuantizedMultiplier(1000, multiplier, shift) - 1000 * real) <= 1);
  }
});

/** Floor of (x * multiplier + 2^(total - 1)) / 2^total on integers. */
function roundHalfUpShift(product: bigint, total: bigint): bigint {
  return (product + (1n << (total - 1n))) >> total;
}

const MULTIPLIERS = [2 ** 30, 2 ** 31 - 1, 0x7fff0000, 0x7fff8000, 1518500250, 1073774592];
const SHIFTS = [-31, -20, -9, -1, 0, 1, 7];

Deno.test("multiplyByQuantizedMultiplier64 reduces the multiplier to 15 bits as TFLite does", () => {
  const wide = [...values, 2 ** 46 - 1, -(2 ** 46), 2 ** 40 + 12345, -(2 ** 40) - 777];
  for (const x of wide) {
    for (const multiplier of MULTIPLIERS) {
      const reduced = multiplier < 0x7fff0000 ? (BigInt(multiplier) + (1n << 15n)) >> 16n : 0x7fffn;
      for (const shift of SHIFTS) {
        const expected = roundHalfUpShift(BigInt(x) * reduced, BigInt(15 - shift));
        assert.equal(
          BigInt(multiplyByQuantizedMultiplier64(x, multiplier, shift)),
          expected,
          `${x} x ${multiplier} >> ${15 - shift}`,
        );
      }
    }
  }
});

Deno.test("multiplyByQuantizedMultiplierSingleRounding rounds once, half up (ruy)", () => {
  for (const x of values) {
    for (const multiplier of MULTIPLIERS) {
      for (const shift of SHIFTS) {
        const expected = roundHalfUpShift(BigInt(x) * BigInt(multiplier), BigInt(31 - shift));
        assert.equal(
          BigInt(multiplyByQuantizedMultiplierSingleRounding(x, multiplier, shift)),
          expected,
          `${x} x ${multiplier}, shift ${shift}`,
        );
      }
    }
  }
  // 1 x 0.25: double rounding gives 1 (0.5 rounded away from zero), single rounding 0.
  assert.equal(multiplyByQuantizedMultiplier(1, 2 ** 30, -1), 1);
  assert.equal(multiplyByQuantizedMultiplierSingleRounding(1, 2 ** 30, -1), 0);
});

Deno.test("fixed-point reciprocal and inverse square root approximate 1/x and 1/sqrt(x)", () => {
  for (const x of [1, 2, 3, 7, 100, 255, 1000, 65535, 2 ** 20 + 3, 2 ** 30 - 1]) {
    const { inverse, bitsOverUnit } = reciprocal(x);
    const value = inverse * 2 ** (-31 - bitsOverUnit);
    assert.ok(Math.abs(value * x - 1) < 1e-6, `1/${x}: ${value}`);
  }
  for (const x of [2, 3, 4, 9, 100, 255, 1000, 2 ** 20 + 3, 2 ** 29 + 5]) {
    const [multiplier, shift] = inverseSqrtMultiplier(x);
    const value = multiplier * 2 ** (shift - 31);
    assert.ok(Math.abs(value * Math.sqrt(x) - 1) < 1e-5, `1/sqrt(${x}): ${value}`);
  }
  assert.deepEqual(inverseSqrtMultiplier(1), [2 ** 31 - 1, 0]);
});
