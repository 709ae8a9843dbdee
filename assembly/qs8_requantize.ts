// TFLite's requantization (MultiplyByQuantizedMultiplier) on four int32 lanes at once, each lane
// with its own multiplier and shift, exactly as the scalar `requantize` in qs8.ts:
//   x = acc * 2^left; high = (x * multiplier + nudge) / 2^31 (64-bit, truncated toward zero,
//   nudge = 2^30 or 1 - 2^30 by the product's sign); then high / 2^exponent rounded half away
//   from zero, computed as floor((high + half - (high < 0 && exponent > 0)) * 2^(30 - exponent)
//   / 2^30) in 64-bit lanes (wasm has no per-lane shift). Needs exponent <= 30; the multiplier is
//   a positive Q0.31 value, so gemmlowp's single saturating case cannot occur.

/** Per-channel requantization constants, each an i32 array in memory (see `qs8_channel_params`). */
// @ts-ignore: decorator
@inline export const PARAM_MULTIPLIER: usize = 0;
// @ts-ignore: decorator
@inline export const PARAM_LEFT: usize = 1;
// @ts-ignore: decorator
@inline export const PARAM_UP: usize = 2;
// @ts-ignore: decorator
@inline export const PARAM_HALF: usize = 3;
// @ts-ignore: decorator
@inline export const PARAM_ROUNDS: usize = 4;
/** Arrays in a parameter block. */
// @ts-ignore: decorator
@inline export const PARAM_ARRAYS: i32 = 5;

/**
 * Writes the per-channel constants for `count` channels from TFLite multipliers and shifts:
 * five i32 arrays of `count` values one after another at `params` (multiplier, 2^left,
 * 2^(30 - exponent), half = 2^(exponent - 1) or 0, rounds = 1 when exponent > 0).
 * Returns 0 if some exponent exceeds 30 (the caller then keeps to the scalar path).
 */
export function qs8_channel_params(multiplier: usize, shift: usize, count: i32, params: usize): i32 {
  const stride = <usize>count << 2;
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
    store<i32>(params + PARAM_ROUNDS * stride + offset, exponent > 0 ? 1 : 0);
  }
  return 1;
}

// @ts-ignore: decorator
@inline
function high_mul_x2(product: v128): v128 {
  // nudge = 2^30, or 1 - 2^30 for negative products; then truncate toward zero by 2^31.
  const productSign = i64x2.shr_s(product, 63);
  const nudged = i64x2.add(product, i64x2.add(i64x2.splat(1 << 30), v128.and(productSign, i64x2.splat(1 - (<i64>1 << 31)))));
  const sign = i64x2.shr_s(nudged, 63);
  return i64x2.shr_s(i64x2.add(nudged, v128.and(sign, i64x2.splat((<i64>1 << 31) - 1))), 31);
}

// @ts-ignore: decorator
@inline
function divide_x2(high: v128, up: v128, half: v128, rounds: v128): v128 {
  // 1 where the lane is negative and the exponent positive, else 0.
  const negative = v128.and(i64x2.shr_s(high, 63), rounds);
  const biased = i64x2.sub(i64x2.add(high, half), negative);
  return i64x2.shr_s(i64x2.mul(biased, up), 30);
}

/** Requantizes four lanes with the constants of channels `channel .. channel + 3`. */
// @ts-ignore: decorator
@inline
export function requantize_x4(acc: v128, params: usize, stride: usize, channel: i32): v128 {
  const offset = <usize>channel << 2;
  const multiplier = v128.load(params + PARAM_MULTIPLIER * stride + offset);
  const x = i32x4.mul(acc, v128.load(params + PARAM_LEFT * stride + offset));
  const up = v128.load(params + PARAM_UP * stride + offset);
  const half = v128.load(params + PARAM_HALF * stride + offset);
  const rounds = v128.load(params + PARAM_ROUNDS * stride + offset);
  const low = divide_x2(
    high_mul_x2(i64x2.extmul_low_i32x4_s(x, multiplier)),
    i64x2.extend_low_i32x4_s(up), i64x2.extend_low_i32x4_s(half), i64x2.extend_low_i32x4_s(rounds),
  );
  const high = divide_x2(
    high_mul_x2(i64x2.extmul_high_i32x4_s(x, multiplier)),
    i64x2.extend_high_i32x4_s(up), i64x2.extend_high_i32x4_s(half), i64x2.extend_high_i32x4_s(rounds),
  );
  return v128.shuffle<i32>(low, high, 0, 2, 4, 6);
}
