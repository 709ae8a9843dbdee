// int16x8 layers' requantization (TFLite's MultiplyByQuantizedMultiplier for int64 sums, with the
// multiplier reduced to 15 bits): from the int32 sums `qs8_gemm_sums_4x8` writes to int16 outputs.

/**
 * For `rows` rows of n int32 sums (bias included) at `sums`: out = clamp((sum * reduced[c] +
 * 2^(total[c] - 1)) >> total[c], low, high) as int16 rows at `output`, in int64 arithmetic;
 * `reduced` (the 15-bit multipliers) and `total` (15 - TFLite's shift, at least 1) hold n i32.
 */
export function qs16_requantize_sums(
  sums: usize, rows: i32, n: i32, reduced: usize, total: usize, low: i32, high: i32, output: usize,
): void {
  let source = sums;
  let target = output;
  for (let row = 0; row < rows; row++) {
    for (let channel = 0; channel < n; channel++) {
      const offset = <usize>channel << 2;
      const shift = <i64>load<i32>(total + offset);
      const product = <i64>load<i32>(source + offset) * <i64>load<i32>(reduced + offset);
      const value = (product + (<i64>1 << (shift - 1))) >> shift;
      store<i16>(target + (<usize>channel << 1), <i16>min(<i64>high, max(<i64>low, value)));
    }
    source += <usize>n << 2;
    target += <usize>n << 1;
  }
}
