// How the int8 GEMMs (qs8_gemm.ts, qs8_gemm_dot.ts) finish their int32 sums: requantized to int8
// rows (TFLite's arithmetic, qs8_requantize.ts), for hybrid layers scaled to float32 rows, or
// for int16x8 layers stored as they are;
// with the per-channel constants each loads once per panel of 8 channels.

import {
  PARAM_HALF, PARAM_LEFT, PARAM_MULTIPLIER, PARAM_NUDGE, PARAM_ROUNDS, PARAM_UP, PARAM_UP4,
} from "./kernel_layout.generated";
import {
  DEQUANTIZE, REQUANTIZE, REQUANTIZE_FAST_SINGLE, REQUANTIZE_FP32, REQUANTIZE_ONE_SHIFT_LINEAR,
  SUMS, one_shift, one_shift_group, output_bytes_x8, requantize_x4_fast,
  requantize_x4_fp32_biased, requantize_x4_one_shift, requantize_x4_with,
} from "./qs8_requantize";
import { copy_from_spill, spill } from "./spill";

/**
 * The constants `store_tile` takes for channels at byte `offset`, by mode: REQUANTIZE the
 * multiplier, 2^left, the nudge's i64x2 halves, rounds, half, up; the fast forms the multiplier,
 * half, up4; the one-shift forms the power, multiplier, 64-bit nudges as two i64x2 and (for
 * REQUANTIZE_ONE_SHIFT_LINEAR) the negative-tie fixes (`params` then holds their groups, see
 * `one_shift_group`); REQUANTIZE_FP32 the float32 scales (`params` holds one per channel);
 * DEQUANTIZE the scales and the float bias. Unused ones are zero.
 */
// @ts-ignore: decorator
@inline
export function half_constant(
  mode: i32, index: i32, params: usize, stride: usize, offset: usize, scales: usize,
  floatBias: usize,
): v128 {
  if (mode == DEQUANTIZE) {
    return index == 1 ? v128.load(scales + offset) : index == 2 ? v128.load(floatBias + offset) : i32x4.splat(0);
  }
  if (mode == REQUANTIZE_FP32) return index == 1 ? v128.load(params + offset) : i32x4.splat(0);
  if (mode == SUMS) return i32x4.splat(0);
  if (one_shift(mode)) {
    // Its negative-tie fixes only for REQUANTIZE_ONE_SHIFT_LINEAR.
    const group = one_shift_group(mode, params, <i32>(offset >> 2));
    const last = mode == REQUANTIZE_ONE_SHIFT_LINEAR ? 5 : 4;
    return index <= last ? v128.load(group + ((<usize>index - 1) << 4)) : i32x4.splat(0);
  }
  if (mode != REQUANTIZE) {
    const fast: usize = index == 1 ? PARAM_MULTIPLIER : index == 2 ? PARAM_HALF : PARAM_UP4;
    return index <= 3 ? v128.load(params + fast * stride + offset) : i32x4.splat(0);
  }
  if (index == 3) return i64x2.extend_low_i32x4_s(v128.load(params + PARAM_NUDGE * stride + offset));
  if (index == 4) return i64x2.extend_high_i32x4_s(v128.load(params + PARAM_NUDGE * stride + offset));
  const general: usize = index == 1 ? PARAM_MULTIPLIER : index == 2 ? PARAM_LEFT : index == 5 ? PARAM_ROUNDS : index == 6 ? PARAM_HALF : PARAM_UP;
  return v128.load(params + general * stride + offset);
}

/**
 * Stores eight int32 sums of one row (channels `channel .. channel + 7`, those below n),
 * unrequantized (`qs8_gemm_sums_4x8`; `row` is in bytes, 4 per value).
 */
// @ts-ignore: decorator
@inline
export function store_sums(low: v128, high: v128, row: usize, channel: i32, n: i32): void {
  const target = row + (<usize>channel << 2);
  if (channel + 8 <= n) {
    v128.store(target, low);
    v128.store(target, high, 16);
    return;
  }
  v128.store(spill, low);
  copy_from_spill(target, <usize>min(4, n - channel) << 2);
  if (channel + 4 < n) {
    v128.store(spill, high);
    copy_from_spill(target + 16, <usize>(n - channel - 4) << 2);
  }
}

/**
 * Stores four float32 outputs of a hybrid layer (channels `channel .. channel + 3`, those below
 * n): clamp(float(acc) * scales * rowScale + floatBias), rounded in that order, as TFLite's
 * hybrid convolution (`acc`: the sums, bias included).
 */
// @ts-ignore: decorator
@inline
export function store_floats(
  acc: v128, row: usize, channel: i32, n: i32, scales: v128, floatBias: v128, lowV: v128,
  highV: v128, rowScale: v128,
): void {
  if (channel >= n) return;
  const scaled = f32x4.mul(f32x4.mul(f32x4.convert_i32x4_s(acc), scales), rowScale);
  const value = f32x4.min(f32x4.max(f32x4.add(scaled, floatBias), lowV), highV);
  const target = row + (<usize>channel << 2);
  if (channel + 4 <= n) {
    v128.store(target, value);
  } else {
    v128.store(spill, value);
    copy_from_spill(target, <usize>(n - channel) << 2);
  }
}

/**
 * Stores eight requantized outputs of one row (channels `channel .. channel + 7`, those below
 * n) from the sums of its two halves (bias included), with the constants of `output_zero`,
 * `output_low` and `output_high` (see `output_bytes_x8`).
 */
// @ts-ignore: decorator
@inline
export function store_row(
  mode: i32, accLow: v128, accHigh: v128, row: usize, channel: i32, n: i32,
  p1: v128, p2: v128, p3: v128, p4: v128, p5: v128, p6: v128, p7: v128,
  q1: v128, q2: v128, q3: v128, q4: v128, q5: v128, q6: v128, q7: v128,
  zeroV: v128, lowV: v128, highV: v128, shift: i32,
): void {
  const low = mode == REQUANTIZE
    ? requantize_x4_with(accLow, p1, p2, p3, p4, p5, p6, p7)
    : one_shift(mode)
    ? requantize_x4_one_shift(mode, accLow, p1, p2, p3, p4, p5, shift)
    : mode == REQUANTIZE_FP32
    ? requantize_x4_fp32_biased(accLow, p1, lowV, zeroV)
    : requantize_x4_fast(accLow, p1, p2, p3, mode == REQUANTIZE_FAST_SINGLE);
  const high = mode == REQUANTIZE
    ? requantize_x4_with(accHigh, q1, q2, q3, q4, q5, q6, q7)
    : one_shift(mode)
    ? requantize_x4_one_shift(mode, accHigh, q1, q2, q3, q4, q5, shift)
    : mode == REQUANTIZE_FP32
    ? requantize_x4_fp32_biased(accHigh, q1, lowV, zeroV)
    : requantize_x4_fast(accHigh, q1, q2, q3, mode == REQUANTIZE_FAST_SINGLE);
  const bytes = output_bytes_x8(mode, low, high, zeroV, lowV, highV);
  const target = row + <usize>channel;
  if (channel + 8 <= n) {
    v128.store64_lane(target, bytes, 0);
  } else {
    v128.store(spill, bytes);
    copy_from_spill(target, <usize>(n - channel));
  }
}

/**
 * Stores `rows` (4, or 1 for the last rows) rows of a tile from `c0` (rows `ldc` bytes apart):
 * each row's eight sums (channels `channel .. channel + 7`, bias included) as they are (SUMS),
 * scaled to floats (DEQUANTIZE, with the scales `p1`, `q1` and float biases `p2`, `q2` of the two
 * halves) or requantized by `store_row` with the constants `p1 .. p7`, `q1 .. q7` of
 * `half_constant`.
 */
// @ts-ignore: decorator
@inline
export function store_tile(
  mode: i32, rows: i32, s00: v128, s01: v128, s10: v128, s11: v128, s20: v128, s21: v128,
  s30: v128, s31: v128, c0: usize, ldc: usize, channel: i32, n: i32,
  p1: v128, p2: v128, p3: v128, p4: v128, p5: v128, p6: v128, p7: v128,
  q1: v128, q2: v128, q3: v128, q4: v128, q5: v128, q6: v128, q7: v128,
  zeroV: v128, lowV: v128, highV: v128, rowScale: v128, shift: i32,
): void {
  const c1 = c0 + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  if (mode == SUMS) {
    store_sums(s00, s01, c0, channel, n);
    if (rows == 1) return;
    store_sums(s10, s11, c1, channel, n);
    store_sums(s20, s21, c2, channel, n);
    store_sums(s30, s31, c3, channel, n);
  } else if (mode == DEQUANTIZE) {
    store_floats(s00, c0, channel, n, p1, p2, lowV, highV, rowScale);
    store_floats(s01, c0, channel + 4, n, q1, q2, lowV, highV, rowScale);
    if (rows == 1) return;
    store_floats(s10, c1, channel, n, p1, p2, lowV, highV, rowScale);
    store_floats(s11, c1, channel + 4, n, q1, q2, lowV, highV, rowScale);
    store_floats(s20, c2, channel, n, p1, p2, lowV, highV, rowScale);
    store_floats(s21, c2, channel + 4, n, q1, q2, lowV, highV, rowScale);
    store_floats(s30, c3, channel, n, p1, p2, lowV, highV, rowScale);
    store_floats(s31, c3, channel + 4, n, q1, q2, lowV, highV, rowScale);
  } else {
    store_row(mode, s00, s01, c0, channel, n, p1, p2, p3, p4, p5, p6, p7, q1, q2, q3, q4, q5, q6, q7, zeroV, lowV, highV, shift);
    if (rows == 1) return;
    store_row(mode, s10, s11, c1, channel, n, p1, p2, p3, p4, p5, p6, p7, q1, q2, q3, q4, q5, q6, q7, zeroV, lowV, highV, shift);
    store_row(mode, s20, s21, c2, channel, n, p1, p2, p3, p4, p5, p6, p7, q1, q2, q3, q4, q5, q6, q7, zeroV, lowV, highV, shift);
    store_row(mode, s30, s31, c3, channel, n, p1, p2, p3, p4, p5, p6, p7, q1, q2, q3, q4, q5, q6, q7, zeroV, lowV, highV, shift);
  }
}
