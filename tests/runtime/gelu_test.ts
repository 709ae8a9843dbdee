/** The error function behind GELU, against reference values, and GELU's float32 forms. */
import assert from "node:assert/strict";
import { erfc, erfcFast, gelu, geluApproximate } from "../../src/runtime/ops/activations/gelu.ts";

Deno.test("erfc matches reference values to double precision on both sides of its two methods", () => {
  // Python's math.erfc.
  const reference: [number, number][] = [
    [0, 1],
    [0.1, 0.8875370839817152],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [1.499, 0.03401396234814331],
    [1.999, 0.004698443348629488],
    [2, 0.004677734981047265],
    [3, 2.2090496998585438e-5],
    [3.5, 7.430983723414128e-7],
    [5, 1.5374597944280351e-12],
    [10, 2.088487583762545e-45],
    [-1, 1.842700792949715],
    [-4, 1.999999984582742],
  ];
  for (const [x, expected] of reference) {
    const actual = erfc(x);
    assert.ok(
      Math.abs(actual - expected) <= 1e-13 * expected,
      `erfc(${x}) = ${actual}, expected ${expected}`,
    );
  }
  assert.ok(Number.isNaN(erfc(NaN)));
  assert.equal(erfc(Infinity), 0);
  assert.equal(erfc(-Infinity), 2);
});

Deno.test("GELU's exact and tanh forms agree with their definitions in float32", () => {
  for (const x of [-6, -3, -1.5, -0.25, 0, 0.25, 1, 2.5, 6]) {
    const exact = 0.5 * x * erfc(-x / Math.SQRT2);
    assert.ok(Math.abs(gelu(x) - exact) <= 2e-7 * Math.max(1, Math.abs(exact)), `gelu(${x})`);
    const tanhForm = 0.5 * x *
      (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    assert.ok(
      Math.abs(geluApproximate(x) - tanhForm) <= 2e-7 * Math.max(1, Math.abs(tanhForm)),
      `geluApproximate(${x})`,
    );
  }
});

Deno.test("erfcFast stays within 1.5e-7 of erfc", () => {
  let worst = 0;
  for (let x = -7; x <= 7; x += 0.001) worst = Math.max(worst, Math.abs(erfcFast(x) - erfc(x)));
  assert.ok(worst <= 1.5e-7, `worst difference ${worst}`);
});
