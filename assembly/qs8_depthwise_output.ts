// How the int8 depthwise kernels (qs8_depthwise.ts) finish 8 channels' int32 sums: requantized
// to int8 by the layer's mode (TFLite's arithmetic, qs8_requantize.ts), or for hybrid layers
// scaled to float32.

import { PARAM_HALF, PARAM_MULTIPLIER, PARAM_UP4 } from "./kernel_layout.generated";
import {
  DEQUANTIZE, REQUANTIZE, REQUANTIZE_FAST_SINGLE, REQUANTIZE_FP32, REQUANTIZE_ONE_SHIFT, one_shift,
  one_shift_group, output_bytes_x8, requantize_x4, requantize_x4_fast,
  requantize_x4_fp32_biased, requantize_x4_one_shift, requantize_x4_one_shift_at,
} from "./qs8_requantize";

/**
 * Requantizes four lanes of channels `channel ..` by `mode` (REQUANTIZE, a fast form,
 * a one-shift form with its constants at `params` and the layer's `shift`, or REQUANTIZE_FP32
 * with the constants of `output_low` and `output_zero`).
 */
// @ts-ignore: decorator
@inline
function requantize_by_mode(
  mode: i32, acc: v128, params: usize, stride: usize, channel: i32, zeroV: v128, lowV: v128,
  shift: i32,
): v128 {
  if (mode == REQUANTIZE) return requantize_x4(acc, params, stride, channel);
  if (one_shift(mode)) return requantize_x4_one_shift_at(mode, acc, params, channel, shift);
  const offset = <usize>channel << 2;
  if (mode == REQUANTIZE_FP32) {
    return requantize_x4_fp32_biased(acc, v128.load(params + offset), lowV, zeroV);
  }
  return requantize_x4_fast(
    acc,
    v128.load(params + PARAM_MULTIPLIER * stride + offset),
    v128.load(params + PARAM_HALF * stride + offset),
    v128.load(params + PARAM_UP4 * stride + offset),
    mode == REQUANTIZE_FAST_SINGLE,
  );
}

/**
 * Stores 8 channels of depthwise sums: requantized to int8 (with the constants of `output_zero`,
 * `output_low` and `output_high`, and REQUANTIZE_ONE_SHIFT's `shift`), or dequantized to float32.
 */
// @ts-ignore: decorator
@inline
export function store_x8(
  mode: i32, low4: v128, high4: v128, channel: i32, target: usize, params: usize,
  stride: usize, zeroV: v128, lowV: v128, highV: v128, shift: i32, scales: usize,
  rowScaleV: v128, floatBias: usize, lowFV: v128, highFV: v128,
): void {
  if (mode == DEQUANTIZE) {
    const offset = <usize>channel << 2;
    const first = f32x4.mul(f32x4.mul(f32x4.convert_i32x4_s(low4), v128.load(scales + offset)), rowScaleV);
    const second = f32x4.mul(f32x4.mul(f32x4.convert_i32x4_s(high4), v128.load(scales + offset, 16)), rowScaleV);
    v128.store(target + offset, f32x4.min(f32x4.max(f32x4.add(first, v128.load(floatBias + offset)), lowFV), highFV));
    v128.store(target + offset, f32x4.min(f32x4.max(f32x4.add(second, v128.load(floatBias + offset, 16)), lowFV), highFV), 16);
  } else {
    const low = requantize_by_mode(mode, low4, params, stride, channel, zeroV, lowV, shift);
    const high = requantize_by_mode(mode, high4, params, stride, channel + 4, zeroV, lowV, shift);
    v128.store64_lane(
      target + <usize>channel, output_bytes_x8(mode, low, high, zeroV, lowV, highV), 0,
    );
  }
}

/**
 * `store_x8` for two pixels' sums of the same 8 channels (`lowA`, `highA` to `targetA`; `lowB`,
 * `highB` to `targetB`): REQUANTIZE_ONE_SHIFT loads the channels' constants once for both.
 */
// @ts-ignore: decorator
@inline
export function store_x8_pair(
  mode: i32, lowA: v128, highA: v128, lowB: v128, highB: v128, channel: i32, targetA: usize,
  targetB: usize, params: usize, stride: usize, zeroV: v128, lowV: v128, highV: v128,
  shift: i32, scales: usize, rowScaleV: v128, floatBias: usize, lowFV: v128, highFV: v128,
): void {
  if (mode != REQUANTIZE_ONE_SHIFT) {
    store_x8(mode, lowA, highA, channel, targetA, params, stride, zeroV, lowV, highV, shift,
      scales, rowScaleV, floatBias, lowFV, highFV);
    store_x8(mode, lowB, highB, channel, targetB, params, stride, zeroV, lowV, highV, shift,
      scales, rowScaleV, floatBias, lowFV, highFV);
    return;
  }
  const first = one_shift_group(mode, params, channel);
  const second = one_shift_group(mode, params, channel + 4);
  const power = v128.load(first), multiplier = v128.load(first, 16);
  const nudgeLow = v128.load(first, 32), nudgeHigh = v128.load(first, 48);
  const power2 = v128.load(second), multiplier2 = v128.load(second, 16);
  const nudgeLow2 = v128.load(second, 32), nudgeHigh2 = v128.load(second, 48);
  const none = i32x4.splat(0); // no negative-tie fix in this form
  v128.store64_lane(targetA + <usize>channel, output_bytes_x8(mode,
    requantize_x4_one_shift(mode, lowA, power, multiplier, nudgeLow, nudgeHigh, none, shift),
    requantize_x4_one_shift(mode, highA, power2, multiplier2, nudgeLow2, nudgeHigh2, none, shift),
    zeroV, lowV, highV), 0);
  v128.store64_lane(targetB + <usize>channel, output_bytes_x8(mode,
    requantize_x4_one_shift(mode, lowB, power, multiplier, nudgeLow, nudgeHigh, none, shift),
    requantize_x4_one_shift(mode, highB, power2, multiplier2, nudgeLow2, nudgeHigh2, none, shift),
    zeroV, lowV, highV), 0);
}
