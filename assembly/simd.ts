// Helpers that use relaxed SIMD when the module is compiled with it (build/liteq_relaxed.wasm)
// and plain SIMD otherwise (build/liteq_simd.wasm).

/** a * b + c: one fused multiply-add in the relaxed build, a multiply then an add otherwise. */
// @ts-ignore: decorator
@inline
export function f32x4_madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * 1 when this module's relaxed instructions compute what liteq needs on this engine (checked
 * once at load before the relaxed build is used), 0 otherwise. The plain build always passes.
 */
export function relaxed_self_test(): i32 {
  if (!ASC_FEATURE_RELAXED_SIMD) return 1;
  // Fused or not, 3 * 5 + 0.5 is exact, and so is each lane here.
  const product = f32x4_madd(f32x4(3, -2, 0.5, 1024), f32x4(5, 7, 0.25, -1), f32x4(0.5, 1, 2, 24));
  const expected = f32x4(15.5, -13, 2.125, -1000);
  return i32(v128.all_true<i32>(f32x4.eq(product, expected)));
}

/**
 * A peak-throughput loop of `i32x4.relaxed_dot_i8x16_i7x16_add_s` for benchmarks, beside
 * `qs8_dot_peak`: `iterations` rounds of eight independent accumulating dots (128
 * multiply-adds per round). Returns a lane so the work is kept; 0 in the plain-SIMD build.
 */
export function relaxed_dot_peak(iterations: i32): i32 {
  if (!ASC_FEATURE_RELAXED_SIMD) return 0;
  const x = i8x16.splat(3);
  const y = i8x16.splat(2);
  let s0 = i32x4.splat(0), s1 = i32x4.splat(1), s2 = i32x4.splat(2), s3 = i32x4.splat(3);
  let s4 = i32x4.splat(4), s5 = i32x4.splat(5), s6 = i32x4.splat(6), s7 = i32x4.splat(7);
  for (let i = 0; i < iterations; i++) {
    s0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, y, s0);
    s1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, y, s1);
    s2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, y, s2);
    s3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, y, s3);
    s4 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, y, s4);
    s5 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, y, s5);
    s6 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, y, s6);
    s7 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, y, s7);
  }
  const total = i32x4.add(i32x4.add(i32x4.add(s0, s1), i32x4.add(s2, s3)), i32x4.add(i32x4.add(s4, s5), i32x4.add(s6, s7)));
  return i32x4.extract_lane(total, 0);
}
