// Float32 to int8 quantization: TFLite's QUANTIZE, and a hybrid layer's on-the-fly quantization
// of its input (over the range `f32_range` finds).

/**
 * QUANTIZE float32 to int8 as TFLite does: round(x / scale) half away from zero (the division in
 * float32), plus the zero point, clamped to [-128, 127]; 8 values per step.
 */
export function qs8_quantize(input: usize, output: usize, n: i32, scale: f32, zeroPoint: i32): void {
  const scaleV = f32x4.splat(scale);
  const half = f32x4.splat(0.5);
  const zero = i32x4.splat(zeroPoint);
  const low = i32x4.splat(-128);
  const high = i32x4.splat(127);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const first = round_x4(f32x4.div(v128.load(input + (<usize>i << 2)), scaleV), half);
    const second = round_x4(f32x4.div(v128.load(input + (<usize>i << 2), 16), scaleV), half);
    const a = i32x4.min_s(i32x4.max_s(i32x4.add(first, zero), low), high);
    const b = i32x4.min_s(i32x4.max_s(i32x4.add(second, zero), low), high);
    v128.store64_lane(output + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), a), 0);
  }
  for (; i < n; i++) {
    const scaled = load<f32>(input + (<usize>i << 2)) / scale;
    const truncated = Mathf.trunc(scaled);
    const rounded = Mathf.abs(scaled - truncated) >= 0.5 ? truncated + Mathf.sign(scaled) : truncated;
    const value = <i32>max(<f32>-1e9, min(<f32>1e9, rounded)) + zeroPoint;
    store<i8>(output + <usize>i, <i8>min(127, max(-128, value)));
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
  const lowInt: i32 = -128 - zeroPoint;
  const highInt: i32 = 127 - zeroPoint;
  const lowLess = <f32>lowInt;
  const highLess = <f32>highInt;
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

/** Rounds four floats half away from zero to int32 (saturating): trunc, plus the sign when the dropped part is at least a half. */
// @ts-ignore: decorator
@inline
function round_x4(value: v128, half: v128): v128 {
  const truncated = f32x4.trunc(value);
  const away = f32x4.ge(f32x4.abs(f32x4.sub(value, truncated)), half);
  const step = v128.or(v128.and(value, i32x4.splat(0x80000000)), f32x4.splat(1));
  return i32x4.trunc_sat_f32x4_s(f32x4.add(truncated, v128.and(away, step)));
}
