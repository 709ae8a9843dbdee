// Helpers that use relaxed SIMD when the module is compiled with it (build/liteq_relaxed.wasm;
// build/liteq_relaxed_exact.wasm for integers only) and plain SIMD otherwise
// (build/liteq_simd.wasm).

/**
 * a * b + c: one fused multiply-add in the relaxed build, a multiply then an add otherwise
 * (also in the relaxed build for exact float arithmetic, compiled with FUSED_FLOAT=0).
 */
// @ts-ignore: decorator
@inline
export function f32x4_madd(a: v128, b: v128, c: v128): v128 {
  // @ts-ignore: FUSED_FLOAT is a compile-time constant (`--use FUSED_FLOAT=...`)
  if (ASC_FEATURE_RELAXED_SIMD && FUSED_FLOAT) return f32x4.relaxed_madd(a, b, c);
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

// Operands of the probe below, in memory so that the optimizer cannot fold the dot product:
// weights (the i8 operand), then activations (the i7 operand), 4 bytes per lane.
const DOT_PROBE = memory.data<u8>([
  0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f, 0x7f, 0x01, 0x00, 0x00, 0x00, 0x7f, 0xff, 0x05, 0xf9,
  0x80, 0x80, 0x80, 0x80, 0xff, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0x01, 0xc8, 0x03,
]);

/** `qs8_dot_form`'s answers: no usable int8 dot product (plain SIMD, or pairs saturated). */
// @ts-ignore: decorator
@inline export const DOT_NONE: i32 = 0;
/** The relaxed dot reads its second operand as signed 8-bit, exactly. */
// @ts-ignore: decorator
@inline export const DOT_SIGNED: i32 = 1;
/** The relaxed dot reads its second operand as unsigned 8-bit, exactly. */
// @ts-ignore: decorator
@inline export const DOT_UNSIGNED: i32 = 2;

/**
 * How this engine computes `i32x4.relaxed_dot_i8x16_i7x16_add_s` on operands beyond its
 * portable range (XNNPACK's probe): DOT_UNSIGNED (x86 with VNNI), DOT_SIGNED (Arm's sdot), or
 * DOT_NONE (products saturated in int16 pairs, as x86 without VNNI, or the plain-SIMD build).
 * The lanes make pairs that overflow int16 in either reading.
 */
export function qs8_dot_form(): i32 {
  if (!ASC_FEATURE_RELAXED_SIMD) return DOT_NONE;
  const sums = i32x4.relaxed_dot_i8x16_i7x16_add_s(
    v128.load(DOT_PROBE), v128.load(DOT_PROBE, 16), i32x4.splat(0),
  );
  if (v128.all_true<i32>(i32x4.eq(sums, i32x4(-65536, -510, 128, 17107)))) return DOT_UNSIGNED;
  if (v128.all_true<i32>(i32x4.eq(sums, i32x4(65536, 2, -128, 15827)))) return DOT_SIGNED;
  return DOT_NONE;
}
