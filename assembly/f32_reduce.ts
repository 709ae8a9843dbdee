// Float32 reductions over all but the last axis (MEAN and SUM over an NHWC image's pixels).

/**
 * Writes to `output` (channels float32 values) the sum over `rows` rows of `channels` float32
 * values at `input`, divided by `divisor` (1 for a sum): each channel's values added in row order,
 * in float32, as TFLite's reference kernels add them; 16 channels at a time.
 */
export function f32_channel_means(input: usize, rows: i32, channels: i32, divisor: f32, output: usize): void {
  const stride = <usize>channels << 2;
  const divisorV = f32x4.splat(divisor);
  let channel = 0;
  for (; channel + 16 <= channels; channel += 16) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let p = input + (<usize>channel << 2);
    for (let row = 0; row < rows; row++) {
      s0 = f32x4.add(s0, v128.load(p));
      s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32));
      s3 = f32x4.add(s3, v128.load(p, 48));
      p += stride;
    }
    const target = output + (<usize>channel << 2);
    v128.store(target, f32x4.div(s0, divisorV));
    v128.store(target, f32x4.div(s1, divisorV), 16);
    v128.store(target, f32x4.div(s2, divisorV), 32);
    v128.store(target, f32x4.div(s3, divisorV), 48);
  }
  for (; channel < channels; channel++) {
    let sum: f32 = 0;
    let p = input + (<usize>channel << 2);
    for (let row = 0; row < rows; row++) {
      sum += load<f32>(p);
      p += stride;
    }
    store<f32>(output + (<usize>channel << 2), sum / divisor);
  }
}
