// Float32 to int8 quantization: TFLite's QUANTIZE, and a hybrid layer's on-the-fly quantization
// of its input (over the range `f32_range` finds).

/** An int8 clamp bound less the output zero point, as a float32. */
// @ts-ignore: decorator
@inline
function bound_less_zero(bound: i32, zeroPoint: i32): f32 {
  return <f32>(bound - zeroPoint);
}

/**
 * QUANTIZE float32 to int8 as TFLite does: round(x / scale) half away from zero (the division in
 * float32), plus the zero point, clamped to [-128, 127]; 8 values per step. NaN gives the zero
 * point.
 */
export function qs8_quantize(input: usize, output: usize, n: i32, scale: f32, zeroPoint: i32): void {
  const scaleV = f32x4.splat(scale);
  // The clamp less the zero point, applied before rounding (whole bounds: the same result).
  const lowLess = bound_less_zero(-128, zeroPoint);
  const highLess = bound_less_zero(127, zeroPoint);
  const lowV = f32x4.splat(lowLess);
  const highV = f32x4.splat(highLess);
  const zero = i32x4.splat(zeroPoint);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const first = round_clamped_x4(f32x4.div(v128.load(input + (<usize>i << 2)), scaleV), lowV, highV);
    const second = round_clamped_x4(f32x4.div(v128.load(input + (<usize>i << 2), 16), scaleV), lowV, highV);
    const a = i32x4.add(first, zero);
    const b = i32x4.add(second, zero);
    v128.store64_lane(output + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), a), 0);
  }
  for (; i < n; i++) {
    const scaled = load<f32>(input + (<usize>i << 2)) / scale;
    const clamped: f32 = scaled != scaled ? 0 : min(highLess, max(lowLess, scaled));
    const rounded = <i32>(clamped + (clamped < 0 ? -HALF_BELOW : HALF_BELOW));
    store<i8>(output + <usize>i, <i8>(rounded + zeroPoint));
  }
}

/**
 * QUANTIZE float32 to int8 as XNNPACK does (the "xnnpack" arithmetic): x times `inverse` (the
 * float32 1 / scale) rounded to the nearest integer, ties to even, plus the zero point, clamped
 * to [-128, 127]; 8 values per step.
 */
export function qs8_quantize_fp32(input: usize, output: usize, n: i32, inverse: f32, zeroPoint: i32): void {
  const inverseV = f32x4.splat(inverse);
  const zero = i32x4.splat(zeroPoint);
  // The clamp less the zero point, applied before it is added (no int32 overflow).
  const lowLess = bound_less_zero(-128, zeroPoint);
  const highLess = bound_less_zero(127, zeroPoint);
  const low = f32x4.splat(lowLess);
  const high = f32x4.splat(highLess);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const x0 = f32x4.nearest(f32x4.mul(v128.load(input + (<usize>i << 2)), inverseV));
    const x1 = f32x4.nearest(f32x4.mul(v128.load(input + (<usize>i << 2), 16), inverseV));
    const a = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(x0, low), high)), zero);
    const b = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(x1, low), high)), zero);
    v128.store64_lane(output + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), a), 0);
  }
  for (; i < n; i++) {
    const scaled = nearest<f32>(load<f32>(input + (<usize>i << 2)) * inverse);
    const value = <i32>max(lowLess, min(highLess, scaled)) + zeroPoint;
    store<i8>(output + <usize>i, <i8>value);
  }
}

/**
 * A hybrid layer's on-the-fly input quantization, as TensorFlow 2.21 computes it (the TypeScript
 * twin is `quantizeOnTheFly` in src/runtime/ops/common/hybrid_layer.ts): p = x * inverse in
 * float32, rounded half away from zero as floor(|p| + 0.5) in float32 with p's sign, then the
 * zero point added and the result clamped to [low, 127]; 8 values per step.
 */
export function qs8_quantize_hybrid(
  input: usize, output: usize, n: i32, inverse: f32, zeroPoint: i32, low: i32,
): void {
  const inverseV = f32x4.splat(inverse);
  const zeroV = i32x4.splat(zeroPoint);
  const lowV = i32x4.splat(low);
  const highV = i32x4.splat(127);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = i32x4.min_s(i32x4.max_s(i32x4.add(scaled_round_x4(v128.load(input + (<usize>i << 2)), inverseV), zeroV), lowV), highV);
    const b = i32x4.min_s(i32x4.max_s(i32x4.add(scaled_round_x4(v128.load(input + (<usize>i << 2), 16), inverseV), zeroV), lowV), highV);
    v128.store64_lane(output + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), a), 0);
  }
  for (; i < n; i++) {
    const scaled = load<f32>(input + (<usize>i << 2)) * inverse;
    const magnitude = Mathf.floor(Mathf.abs(scaled) + 0.5);
    const rounded: f32 = scaled < 0 ? -magnitude : magnitude;
    const value = <i32>max(<f32>-1e9, min(<f32>1e9, rounded)) + zeroPoint;
    store<i8>(output + <usize>i, <i8>min(127, max(low, value)));
  }
}

/** x * inverse in float32, rounded half away from zero as floor(|p| + 0.5) with p's sign, to int32 (saturating). */
// @ts-ignore: decorator
@inline
function scaled_round_x4(x: v128, inverse: v128): v128 {
  const scaled = f32x4.mul(x, inverse);
  const magnitude = f32x4.floor(f32x4.add(f32x4.abs(scaled), f32x4.splat(0.5)));
  const sign = v128.and(scaled, i32x4.splat(0x80000000));
  return i32x4.trunc_sat_f32x4_s(v128.or(magnitude, sign));
}

/** The float32 below 0.5: x plus it, with x's sign, truncates to x rounded half away from zero. */
// @ts-ignore: decorator
@inline const HALF_BELOW: f32 = 0.49999997;

/**
 * Four floats clamped to [low, high] (whole numbers; NaN taken as 0), rounded half away from
 * zero to int32: truncating x + 0.49999997 with x's sign rounds every float32 so (checked on all
 * of [0, 512]), and the relaxed truncation is exact within int32.
 */
// @ts-ignore: decorator
@inline
function round_clamped_x4(value: v128, low: v128, high: v128): v128 {
  const clamped = f32x4.pmin(f32x4.pmax(v128.and(value, f32x4.eq(value, value)), low), high);
  const half = v128.or(v128.and(clamped, i32x4.splat(0x80000000)), f32x4.splat(HALF_BELOW));
  const biased = f32x4.add(clamped, half);
  return ASC_FEATURE_RELAXED_SIMD ? i32x4.relaxed_trunc_f32x4_s(biased) : i32x4.trunc_sat_f32x4_s(biased);
}
