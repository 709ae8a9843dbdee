// Integer reductions over all but the last axis (MEAN and SUM over an NHWC image's pixels): the
// int32 sum of each channel, which the TypeScript side requantizes (a few values per image).

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
