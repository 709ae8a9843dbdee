// Peak-throughput loops for benchmarks: the ceilings of the int8 GEMM's plain-SIMD dot product
// and of relaxed SIMD's int8 dot product.

/**
 * A peak-throughput loop for benchmarks: `iterations` rounds of eight independent
 * i32x4.dot_i16x8_s + i32x4.add chains on register values (64 multiply-adds per round), the
 * ceiling `qs8_gemm_4x8` is measured against. Returns a lane so the work is kept.
 */
export function qs8_dot_peak(iterations: i32): i32 {
  const x = i16x8.splat(3);
  const y = i16x8.splat(-2);
  let s0 = i32x4.splat(0), s1 = i32x4.splat(1), s2 = i32x4.splat(2), s3 = i32x4.splat(3);
  let s4 = i32x4.splat(4), s5 = i32x4.splat(5), s6 = i32x4.splat(6), s7 = i32x4.splat(7);
  for (let i = 0; i < iterations; i++) {
    s0 = i32x4.add(s0, i32x4.dot_i16x8_s(x, y));
    s1 = i32x4.add(s1, i32x4.dot_i16x8_s(x, y));
    s2 = i32x4.add(s2, i32x4.dot_i16x8_s(x, y));
    s3 = i32x4.add(s3, i32x4.dot_i16x8_s(x, y));
    s4 = i32x4.add(s4, i32x4.dot_i16x8_s(x, y));
    s5 = i32x4.add(s5, i32x4.dot_i16x8_s(x, y));
    s6 = i32x4.add(s6, i32x4.dot_i16x8_s(x, y));
    s7 = i32x4.add(s7, i32x4.dot_i16x8_s(x, y));
  }
  const total = i32x4.add(i32x4.add(i32x4.add(s0, s1), i32x4.add(s2, s3)), i32x4.add(i32x4.add(s4, s5), i32x4.add(s6, s7)));
  return i32x4.extract_lane(total, 0);
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
