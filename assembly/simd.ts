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
