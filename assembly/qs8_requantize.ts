// TFLite's requantization (MultiplyByQuantizedMultiplier): `requantize` on one int32, and the
// `requantize_x4` forms on four int32 lanes at once, each lane with its own multiplier and shift,
// exactly as `requantize` (or, for FULLY_CONNECTED, ruy's single-rounding form:
// floor((x * m + 2^(30 + e)) / 2^(31 + e)), which is the same two steps with the nudge 2^30 moved
// into `half` when e > 0), using only instructions that SSE4.1 has natively (extended
// multiplies, 64-bit adds and left shifts, lane shuffles; wasm has no per-lane shift, so the
// rounding division multiplies by 2^(32 - e) and keeps the high half). Needs exponent <= 30 and
// |acc| < 2^31 - 2^29 after the left shift; the multiplier is a positive Q0.31 value, so
// gemmlowp's single saturating case cannot occur.

import {
  ONE_SHIFT_GROUP_BYTES, ONE_SHIFT_LINEAR_GROUP_BYTES, PARAM_HALF, PARAM_LEFT, PARAM_MULTIPLIER,
  PARAM_NUDGE, PARAM_ROUNDS, PARAM_UP, PARAM_UP4,
} from "./kernel_layout.generated";

/** How a kernel finishes its int32 sums (a constant at each inlined call): to float32. */
// @ts-ignore: decorator
@inline export const DEQUANTIZE: i32 = 0;
/** `requantize_x4_with`: any multiplier and shift, double or single rounding by the constants. */
// @ts-ignore: decorator
@inline export const REQUANTIZE: i32 = 1;
/** `requantize_x4_fast` with double rounding. */
// @ts-ignore: decorator
@inline export const REQUANTIZE_FAST: i32 = 2;
/** `requantize_x4_fast` with single rounding. */
// @ts-ignore: decorator
@inline export const REQUANTIZE_FAST_SINGLE: i32 = 3;
/** No requantization: the int32 sums themselves (`qs8_gemm_sums_4x8`). */
// @ts-ignore: decorator
@inline export const SUMS: i32 = 5;
/** `requantize_x4_fp32`: XNNPACK's float32 scaling (the "xnnpack" arithmetic). */
// @ts-ignore: decorator
@inline export const REQUANTIZE_FP32: i32 = 4;
/** `requantize_x4_one_shift`: TFLite's rounding with one final shift for every channel. */
// @ts-ignore: decorator
@inline export const REQUANTIZE_ONE_SHIFT: i32 = 6;
/** `requantize_x4_one_shift` with its negative ties fixed, for clamps that keep negative results. */
// @ts-ignore: decorator
@inline export const REQUANTIZE_ONE_SHIFT_LINEAR: i32 = 7;

/** Whether `mode` is one of the one-shift forms. */
// @ts-ignore: decorator
@inline
export function one_shift(mode: i32): bool {
  return mode == REQUANTIZE_ONE_SHIFT || mode == REQUANTIZE_ONE_SHIFT_LINEAR;
}

/** Bytes of `mode`'s group of 4 channels' constants (see ONE_SHIFT_GROUP_BYTES). */
// @ts-ignore: decorator
@inline
export function one_shift_group_bytes(mode: i32): usize {
  return mode == REQUANTIZE_ONE_SHIFT_LINEAR ? ONE_SHIFT_LINEAR_GROUP_BYTES : ONE_SHIFT_GROUP_BYTES;
}

/**
 * Where the one-shift constants of the 4 channels from `channel` start in the block at `params`:
 * their powers, multipliers and nudges at offsets 0, 16 and 32, and for
 * REQUANTIZE_ONE_SHIFT_LINEAR their fixes at 64.
 */
// @ts-ignore: decorator
@inline
export function one_shift_group(mode: i32, params: usize, channel: i32): usize {
  return params + (<usize>channel >> 2) * one_shift_group_bytes(mode);
}

/**
 * XNNPACK's fp32 requantization of four lanes (its conv/gemm "fp32" epilogue): float32(acc) times
 * the channel's float32 scale, rounded to the nearest integer, ties to even. XNNPACK rounds with a
 * magic-number addition and clamps on the float's bits; for every int32 sum both give the same
 * clamped result, as `nearest` is exact and the int32 conversion saturates beyond any clamp.
 * The relaxed builds saturate at int16 instead (a clamp to [-32768, 32767], then the one-instruction
 * relaxed conversion, exact on every engine for values in range): every caller adds an int8 zero
 * point and clamps to int8, where both saturations give the same bytes.
 */
// @ts-ignore: decorator
@inline
export function requantize_x4_fp32(acc: v128, scale: v128): v128 {
  const rounded = f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_s(acc), scale));
  if (ASC_FEATURE_RELAXED_SIMD) {
    return i32x4.relaxed_trunc_f32x4_s(
      f32x4.pmin(f32x4.pmax(rounded, f32x4.splat(-32768)), f32x4.splat(32767)),
    );
  }
  return i32x4.trunc_sat_f32x4_s(rounded);
}

/** 1.5 * 2^23, as float32 bits: see `requantize_x4_fp32_biased`. */
// @ts-ignore: decorator
@inline export const MAGIC_BIAS_BITS: i32 = 0x4b400000;

/**
 * `requantize_x4_fp32` plus the output zero point, no lower than the clamp's low bound, as
 * XNNPACK's GEMMs finish (their "magic bias" form): the scaled sum plus 1.5 * 2^23 rounds to an
 * integer k (ties to even, as `nearest`) held in the float's low bits, so its bits are
 * MAGIC_BIAS_BITS + k. An int32 max with `magicLow` (MAGIC_BIAS_BITS + low - zeroPoint) clamps
 * from below, and subtracting `magicLessZero` (MAGIC_BIAS_BITS - zeroPoint) leaves k + zeroPoint.
 * Exact where |k| < 2^22; beyond, the bits stay ordered (below the bias's: the low bound; above
 * it: over 2^22), so after the caller's saturating narrowing and upper clamp every int32 sum gives
 * the bytes `requantize_x4_fp32` gives.
 */
// @ts-ignore: decorator
@inline
export function requantize_x4_fp32_biased(
  acc: v128, scale: v128, magicLow: v128, magicLessZero: v128,
): v128 {
  const biased = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(acc), scale), f32x4.splat(12582912));
  return i32x4.sub(i32x4.max_s(biased, magicLow), magicLessZero);
}

/**
 * `requantize_x4` plus the output zero point for a layer whose channels can share the last
 * division (`oneShiftConstants` in weight_packing.ts writes the constants at load): with E the
 * layer's largest exponent (plus one for REQUANTIZE_ONE_SHIFT_LINEAR), a channel's result is
 * floor((x * multiplier + nudge - fix) / 2^(31 + E)) for x = acc * `power` (2^(E - exponent)), the
 * channel's 64-bit `nudge` (its rounding terms times that power, plus the zero point times
 * 2^(31 + E)), and `fix` = 2^(31 + E - exponent) for negative sums: the high halves of those sums,
 * less `negativeFix` (2^(E - exponent - 1)) where the sum is negative, shifted right by `shift` =
 * E - 1. One multiply and two extended ones, where `requantize_x4_fast` takes four extended ones.
 * REQUANTIZE_ONE_SHIFT leaves the fix out: its second rounding's ties then go up for every sign,
 * where TFLite's go away from zero, so under double rounding only layers whose clamp cuts every
 * negative result take it.
 */
// @ts-ignore: decorator
@inline
export function requantize_x4_one_shift(
  mode: i32, acc: v128, power: v128, multiplier: v128, nudgeLow: v128, nudgeHigh: v128,
  negativeFix: v128, shift: i32,
): v128 {
  const x = i32x4.mul(acc, power);
  let high = v128.shuffle<i32>(
    i64x2.add(i64x2.extmul_low_i32x4_s(x, multiplier), nudgeLow),
    i64x2.add(i64x2.extmul_high_i32x4_s(x, multiplier), nudgeHigh),
    1, 3, 5, 7,
  );
  if (mode == REQUANTIZE_ONE_SHIFT_LINEAR) {
    high = i32x4.sub(high, v128.and(i32x4.shr_s(acc, 31), negativeFix));
  }
  return i32x4.shr_s(high, shift);
}

/**
 * `requantize_x4_one_shift` with the constants of the 4 channels whose first is `channel`, from
 * the block at `params`.
 */
// @ts-ignore: decorator
@inline
export function requantize_x4_one_shift_at(
  mode: i32, acc: v128, params: usize, channel: i32, shift: i32,
): v128 {
  const group = one_shift_group(mode, params, channel);
  const negativeFix = mode == REQUANTIZE_ONE_SHIFT_LINEAR ? v128.load(group, 64) : i32x4.splat(0);
  return requantize_x4_one_shift(
    mode, acc, v128.load(group), v128.load(group, 16), v128.load(group, 32),
    v128.load(group, 48), negativeFix, shift,
  );
}

/**
 * The three output constants `output_bytes_x8` takes, for the output zero point and clamp [low, high]:
 * for REQUANTIZE_FP32, `requantize_x4_fp32_biased`'s MAGIC_BIAS_BITS - zeroPoint and
 * MAGIC_BIAS_BITS + low - zeroPoint (int32 lanes) and the int8 high bound; for
 * the one-shift forms (the zero point already added) the int8 bounds; otherwise the zero
 * point, low and high as int16 lanes.
 */
// @ts-ignore: decorator
@inline
export function output_zero(mode: i32, zeroPoint: i32): v128 {
  return mode == REQUANTIZE_FP32 ? i32x4.splat(MAGIC_BIAS_BITS - zeroPoint) : i16x8.splat(<i16>zeroPoint);
}

/** See `output_zero`. */
// @ts-ignore: decorator
@inline
export function output_low(mode: i32, zeroPoint: i32, low: i32): v128 {
  if (one_shift(mode)) return i8x16.splat(<i8>low);
  return mode == REQUANTIZE_FP32 ? i32x4.splat(MAGIC_BIAS_BITS + low - zeroPoint) : i16x8.splat(<i16>low);
}

/** See `output_zero`. */
// @ts-ignore: decorator
@inline
export function output_high(mode: i32, high: i32): v128 {
  return mode == REQUANTIZE_FP32 || one_shift(mode) ? i8x16.splat(<i8>high) : i16x8.splat(<i16>high);
}

/**
 * The bytes (in the low 8 lanes) of eight requantized int32 lanes, `low` then `high`, with the
 * constants of `output_zero`, `output_low` and `output_high`. REQUANTIZE_FP32's lanes come from
 * `requantize_x4_fp32_biased`, the zero point added and clamped from below: they are narrowed
 * with saturation and clamped from above in int8. The one-shift forms', the zero point added,
 * are narrowed with saturation and clamped in int8. The other modes' are narrowed to int16 with
 * saturation before the zero point is added (saturating) and the clamp applied: for any int32
 * value this gives what clamping in int32 gives, the clamp bounds being int8.
 */
// @ts-ignore: decorator
@inline
export function output_bytes_x8(
  mode: i32, low: v128, high: v128, zeroV: v128, lowV: v128, highV: v128,
): v128 {
  const words = i16x8.narrow_i32x4_s(low, high);
  if (mode == REQUANTIZE_FP32) return i8x16.min_s(i8x16.narrow_i16x8_s(words, words), highV);
  if (one_shift(mode)) {
    return i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(words, words), lowV), highV);
  }
  const clamped = i16x8.min_s(i16x8.max_s(i16x8.add_sat_s(words, zeroV), lowV), highV);
  return i8x16.narrow_i16x8_s(clamped, clamped);
}

/** `requantize_x4_fp32` on one sum. */
// @ts-ignore: decorator
@inline
export function requantize_fp32(acc: i32, scale: f32): i32 {
  return <i32>max(<f32>-2147483648, min(<f32>2147483520, nearest<f32>(<f32>acc * scale)));
}

/**
 * TFLite's MultiplyByQuantizedMultiplier: (acc << max(shift, 0)), times the Q0.31 multiplier
 * doubled with rounding (SaturatingRoundingDoublingHighMul), then divided by 2^max(-shift, 0)
 * rounding half away from zero (RoundingDivideByPOT).
 */
// @ts-ignore: decorator
@inline
export function requantize(acc: i32, multiplier: i32, shift: i32): i32 {
  const x: i64 = <i64>acc << <i64>(shift > 0 ? shift : 0);
  const a = <i32>x;
  let high: i32;
  if (a == i32.MIN_VALUE && multiplier == i32.MIN_VALUE) {
    high = i32.MAX_VALUE;
  } else {
    const product = <i64>a * <i64>multiplier;
    const nudge: i64 = product >= 0 ? (<i64>1 << 30) : (<i64>1 - (<i64>1 << 30));
    high = <i32>((product + nudge) / (<i64>1 << 31));
  }
  const exponent = shift > 0 ? 0 : -shift;
  if (exponent == 0) return high;
  const mask = (1 << exponent) - 1;
  const remainder = high & mask;
  const threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * Writes the per-channel constants for `count` channels from TFLite multipliers and shifts:
 * seven i32 arrays of `count` values one after another at `params` (multiplier, 2^left,
 * 2^(30 - exponent), half = 2^(exponent - 1) or 0, rounds = 1 when exponent > 0 and the
 * rounding is double, nudge = 2^30 unless single rounding with exponent > 0 makes it 0, and
 * 2^(32 - exponent) for `requantize_x4_fast`). Returns 0 if some exponent exceeds 30 (the
 * caller then keeps to the scalar path), 2 if every channel suits `requantize_x4_fast` (no
 * left shift, exponent at least 2), 1 otherwise.
 */
export function qs8_channel_params(
  multiplier: usize, shift: usize, count: i32, params: usize, singleRounding: i32,
): i32 {
  const stride = <usize>count << 2;
  let fast = 1;
  for (let channel = 0; channel < count; channel++) {
    const offset = <usize>channel << 2;
    const s = load<i32>(shift + offset);
    const left = s > 0 ? s : 0;
    const exponent = s > 0 ? 0 : -s;
    if (exponent > 30 || left > 30) return 0;
    store<i32>(params + PARAM_MULTIPLIER * stride + offset, load<i32>(multiplier + offset));
    store<i32>(params + PARAM_LEFT * stride + offset, 1 << left);
    store<i32>(params + PARAM_UP * stride + offset, 1 << (30 - exponent));
    store<i32>(params + PARAM_HALF * stride + offset, exponent > 0 ? 1 << (exponent - 1) : 0);
    store<i32>(params + PARAM_ROUNDS * stride + offset, exponent > 0 && !singleRounding ? 1 : 0);
    store<i32>(params + PARAM_NUDGE * stride + offset, exponent > 0 && singleRounding ? 0 : 1 << 30);
    store<i32>(params + PARAM_UP4 * stride + offset, exponent >= 2 ? 1 << (32 - exponent) : 0);
    if (left > 0 || exponent < 2) fast = 0;
  }
  return 1 + fast;
}

/**
 * `requantize_x4_with` in fewer steps, for channels without a left shift, exponents of at
 * least 2 and |acc| < 2^30 (the caller checks these at load): the doubled accumulator times the
 * multiplier, plus 2^31 for double rounding, gives SaturatingRoundingDoublingHighMul as the
 * high halves; the rounding division multiplies by up4 = 2^(32 - exponent) directly. With
 * single rounding the nudge is 0 and half carries it (see `qs8_channel_params`).
 */
// @ts-ignore: decorator
@inline
export function requantize_x4_fast(
  acc: v128, multiplier: v128, half: v128, up4: v128, singleRounding: bool,
): v128 {
  const x = i32x4.shl(acc, 1);
  let low = i64x2.extmul_low_i32x4_s(x, multiplier);
  let high = i64x2.extmul_high_i32x4_s(x, multiplier);
  if (!singleRounding) {
    low = i64x2.add(low, i64x2.splat(<i64>1 << 31));
    high = i64x2.add(high, i64x2.splat(<i64>1 << 31));
  }
  const product = v128.shuffle<i32>(low, high, 1, 3, 5, 7);
  const biased = singleRounding
    ? i32x4.add(product, half)
    : i32x4.sub(i32x4.add(product, half), i32x4.shr_u(product, 31));
  return v128.shuffle<i32>(
    i64x2.extmul_low_i32x4_s(biased, up4),
    i64x2.extmul_high_i32x4_s(biased, up4),
    1, 3, 5, 7,
  );
}

/**
 * Four lanes requantized with one multiplier's 4-lane constants at `params` (`requantize_x4` at
 * a stride of 16 bytes), plus the output zero point `zero`, clamped to [`low`, `high`].
 */
// @ts-ignore: decorator
@inline
export function requantize_x4_clamped(x: v128, params: usize, zero: v128, low: v128, high: v128): v128 {
  return i32x4.min_s(i32x4.max_s(i32x4.add(requantize_x4(x, params, 16, 0), zero), low), high);
}

/** Requantizes four lanes with the constants of channels `channel .. channel + 3`. */
// @ts-ignore: decorator
@inline
export function requantize_x4(acc: v128, params: usize, stride: usize, channel: i32): v128 {
  const offset = <usize>channel << 2;
  const nudge = v128.load(params + PARAM_NUDGE * stride + offset);
  return requantize_x4_with(
    acc,
    v128.load(params + PARAM_MULTIPLIER * stride + offset),
    v128.load(params + PARAM_LEFT * stride + offset),
    i64x2.extend_low_i32x4_s(nudge),
    i64x2.extend_high_i32x4_s(nudge),
    v128.load(params + PARAM_ROUNDS * stride + offset),
    v128.load(params + PARAM_HALF * stride + offset),
    v128.load(params + PARAM_UP * stride + offset),
  );
}

/**
 * `requantize_x4` on constants already loaded (a GEMM loads them once per panel of 4 channels
 * and reuses them for every row): the nudge as two i64x2 halves.
 */
// @ts-ignore: decorator
@inline
export function requantize_x4_with(
  acc: v128, multiplier: v128, left: v128, nudgeLow: v128, nudgeHigh: v128, rounds: v128,
  half: v128, up: v128,
): v128 {
  const x = i32x4.mul(acc, left);
  // SaturatingRoundingDoublingHighMul = floor((x * multiplier + 2^30) / 2^31) for every sign
  // (gemmlowp's 1 - 2^30 nudge with truncation equals this floor for negative products): the
  // high halves of (product + nudge) * 2.
  const high = v128.shuffle<i32>(
    i64x2.shl(i64x2.add(i64x2.extmul_low_i32x4_s(x, multiplier), nudgeLow), 1),
    i64x2.shl(i64x2.add(i64x2.extmul_high_i32x4_s(x, multiplier), nudgeHigh), 1),
    1, 3, 5, 7,
  );
  // RoundingDivideByPOT = floor((high + half - (high < 0 ? 1 : 0)) / 2^exponent) for exponent > 0,
  // high itself for exponent 0: the high halves of that times 2^(32 - exponent).
  const negative = v128.and(i32x4.shr_u(high, 31), rounds);
  const biased = i32x4.sub(i32x4.add(high, half), negative);
  return v128.shuffle<i32>(
    i64x2.shl(i64x2.extmul_low_i32x4_s(biased, up), 2),
    i64x2.shl(i64x2.extmul_high_i32x4_s(biased, up), 2),
    1, 3, 5, 7,
  );
}
