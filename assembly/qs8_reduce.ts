// Integer reductions over all but the last axis (MEAN and SUM over an NHWC image's pixels): the
// int32 sum of each channel, and a MEAN's requantization of those sums (a few values per image).

import { LAYER_HIGH_I, LAYER_LOW_I, LAYER_PARAMS, LAYER_ZERO_A, LAYER_ZERO_POINT } from "./kernel_layout.generated";
import { requantize_x4_clamped } from "./qs8_requantize";
import { spill } from "./spill";

/**
 * Writes to `sums` (channels i32 values) the sum over `rows` rows of `channels` int8 values
 * (`unsigned` 1: uint8) at `input`, 16 channels at a time.
 */
export function qs8_channel_sums(input: usize, rows: i32, channels: i32, unsigned: i32, sums: usize): void {
  if (unsigned) channel_sums(true, input, rows, channels, sums);
  else channel_sums(false, input, rows, channels, sums);
}

// @ts-ignore: decorator
@inline
function channel_sums(unsigned: bool, input: usize, rows: i32, channels: i32, sums: usize): void {
  const stride = <usize>channels;
  let channel = 0;
  for (; channel + 16 <= channels; channel += 16) {
    let s0 = i32x4.splat(0), s1 = i32x4.splat(0), s2 = i32x4.splat(0), s3 = i32x4.splat(0);
    let p = input + <usize>channel;
    for (let row = 0; row < rows; row++) {
      const bytes = v128.load(p);
      const low = unsigned ? i16x8.extend_low_i8x16_u(bytes) : i16x8.extend_low_i8x16_s(bytes);
      const high = unsigned ? i16x8.extend_high_i8x16_u(bytes) : i16x8.extend_high_i8x16_s(bytes);
      s0 = i32x4.add(s0, i32x4.extend_low_i16x8_s(low));
      s1 = i32x4.add(s1, i32x4.extend_high_i16x8_s(low));
      s2 = i32x4.add(s2, i32x4.extend_low_i16x8_s(high));
      s3 = i32x4.add(s3, i32x4.extend_high_i16x8_s(high));
      p += stride;
    }
    const target = sums + (<usize>channel << 2);
    v128.store(target, s0);
    v128.store(target, s1, 16);
    v128.store(target, s2, 32);
    v128.store(target, s3, 48);
  }
  for (; channel < channels; channel++) {
    let sum = 0;
    let p = input + <usize>channel;
    for (let row = 0; row < rows; row++) {
      sum += unsigned ? <i32>load<u8>(p) : <i32>load<i8>(p);
      p += stride;
    }
    store<i32>(sums + (<usize>channel << 2), sum);
  }
}

/**
 * Writes n int8 or uint8 values to `output`: clamp(requantize(sum - zeroA) + zeroPoint, lowI,
 * highI) of the n int32 `sums` (read in groups of 4: the array holds n rounded up to 4), with the
 * layer block's 4-lane constants `params` (qs8_channel_params of one multiplier, general mode:
 * |sum - zeroA| shifted left must stay below 2^31 - 2^29). The clamp bounds the values to the
 * output's type, whose byte is each lane's lowest.
 */
export function qs8_requantize_sums(sums: usize, n: i32, output: usize, layer: usize): void {
  const offset = i32x4.splat(load<i32>(layer + LAYER_ZERO_A));
  const zero = i32x4.splat(load<i32>(layer + LAYER_ZERO_POINT));
  const low = i32x4.splat(load<i32>(layer + LAYER_LOW_I));
  const high = i32x4.splat(load<i32>(layer + LAYER_HIGH_I));
  const params = load<usize>(layer + LAYER_PARAMS);
  for (let i = 0; i < n; i += 4) {
    const centred = i32x4.sub(v128.load(sums + (<usize>i << 2)), offset);
    const values = requantize_x4_clamped(centred, params, zero, low, high);
    const bytes = i8x16.shuffle(values, values, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12);
    if (i + 4 <= n) {
      v128.store32_lane(output + <usize>i, bytes, 0);
    } else {
      v128.store(spill, bytes);
      memory.copy(output + <usize>i, spill, <usize>(n - i));
    }
  }
}
