// The range of a float32 tensor, for hybrid layers' on-the-fly input quantization
// (qs8_quantize.ts).

/**
 * Writes min(0, min x) and max(0, max x) over n floats to out[0] and out[1]: the range hybrid
 * layers quantize their input over. Compares as `x < low` and `x > high` (`pmin`, `pmax`: one
 * instruction each on x86, where the NaN-propagating min and max take several), so a NaN is
 * passed over, as std::minmax_element passes it over in TFLite's kernels.
 */
export function f32_range(input: usize, n: i32, out: usize): void {
  // Two independent chains each, so that min/max latency does not bound the loop.
  let low = f32x4.splat(0);
  let high = f32x4.splat(0);
  let low2 = f32x4.splat(0);
  let high2 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const first = v128.load(input + (<usize>i << 2));
    const second = v128.load(input + (<usize>i << 2), 16);
    low = f32x4.pmin(first, low);
    high = f32x4.pmax(first, high);
    low2 = f32x4.pmin(second, low2);
    high2 = f32x4.pmax(second, high2);
  }
  low = f32x4.pmin(low2, low);
  high = f32x4.pmax(high2, high);
  low = f32x4.pmin(v128.shuffle<f32>(low, low, 2, 3, 2, 3), low);
  high = f32x4.pmax(v128.shuffle<f32>(high, high, 2, 3, 2, 3), high);
  low = f32x4.pmin(v128.shuffle<f32>(low, low, 1, 1, 1, 1), low);
  high = f32x4.pmax(v128.shuffle<f32>(high, high, 1, 1, 1, 1), high);
  let lowest = f32x4.extract_lane(low, 0);
  let highest = f32x4.extract_lane(high, 0);
  for (; i < n; i++) {
    const value = load<f32>(input + (<usize>i << 2));
    if (value < lowest) lowest = value;
    if (value > highest) highest = value;
  }
  store<f32>(out, lowest);
  store<f32>(out, highest, 4);
}
