// The range of a float32 tensor, for hybrid layers' on-the-fly input quantization
// (qs8_quantize.ts).

/**
 * Writes min(0, min x) and max(0, max x) over n floats to out[0] and out[1]: the range hybrid
 * layers quantize their input over.
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
    low = f32x4.min(low, first);
    high = f32x4.max(high, first);
    low2 = f32x4.min(low2, second);
    high2 = f32x4.max(high2, second);
  }
  low = f32x4.min(low, low2);
  high = f32x4.max(high, high2);
  let lowest = min(min(f32x4.extract_lane(low, 0), f32x4.extract_lane(low, 1)), min(f32x4.extract_lane(low, 2), f32x4.extract_lane(low, 3)));
  let highest = max(max(f32x4.extract_lane(high, 0), f32x4.extract_lane(high, 1)), max(f32x4.extract_lane(high, 2), f32x4.extract_lane(high, 3)));
  for (; i < n; i++) {
    const value = load<f32>(input + (<usize>i << 2));
    lowest = min(lowest, value);
    highest = max(highest, value);
  }
  store<f32>(out, lowest);
  store<f32>(out, highest, 4);
}
