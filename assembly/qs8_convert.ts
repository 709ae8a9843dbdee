// QUANTIZE between int8 and uint8 (either way, or to the same type with new parameters) as
// TFLite's reference: out = clamp(MultiplyByQuantizedMultiplier(x - inputZero) + outputZero),
// 8 values per step; and the flip of uint8 outputs the int8 kernels computed as x - 128.

import {
  LAYER_HIGH_I, LAYER_LOW_I, LAYER_PARAMS, LAYER_ZERO_A, LAYER_ZERO_POINT,
} from "./kernel_layout.generated";
import { requantize_x4_clamped } from "./qs8_requantize";
import { spill } from "./spill";

/** `qs8_requantize_values`'s mode bits: uint8 input (else int8), uint8 output (else int8). */
// @ts-ignore: decorator
@inline const INPUT_UNSIGNED: i32 = 1;
// @ts-ignore: decorator
@inline const OUTPUT_UNSIGNED: i32 = 2;

/**
 * Requantizes n int8/uint8 values (`mode`: 1 = uint8 input, 2 = uint8 output, or-ed) with the
 * layer block's input zero point `zeroA`, 4-lane constants `params` (qs8_channel_params of one
 * multiplier, general mode: |x - zeroA| shifted left must stay below 2^31 - 2^29), output zero
 * point `zeroPoint` and clamp [lowI, highI].
 */
export function qs8_requantize_values(mode: i32, input: usize, output: usize, n: i32, layer: usize): void {
  if (mode == INPUT_UNSIGNED) convert(INPUT_UNSIGNED, input, output, n, layer);
  else if (mode == OUTPUT_UNSIGNED) convert(OUTPUT_UNSIGNED, input, output, n, layer);
  else if (mode == (INPUT_UNSIGNED | OUTPUT_UNSIGNED)) convert(INPUT_UNSIGNED | OUTPUT_UNSIGNED, input, output, n, layer);
  else convert(0, input, output, n, layer);
}

// @ts-ignore: decorator
@inline
function convert(mode: i32, input: usize, output: usize, n: i32, layer: usize): void {
  const inUnsigned = (mode & INPUT_UNSIGNED) != 0;
  const outUnsigned = (mode & OUTPUT_UNSIGNED) != 0;
  const zeroIn = i16x8.splat(<i16>load<i32>(layer + LAYER_ZERO_A));
  const zeroOut = i32x4.splat(load<i32>(layer + LAYER_ZERO_POINT));
  const low = i32x4.splat(load<i32>(layer + LAYER_LOW_I));
  const high = i32x4.splat(load<i32>(layer + LAYER_HIGH_I));
  const params = load<usize>(layer + LAYER_PARAMS);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    v128.store64_lane(output + <usize>i, eight(inUnsigned, outUnsigned, input + <usize>i, params, zeroIn, zeroOut, low, high), 0);
  }
  if (i < n) {
    // The last 1 to 7 values through a spill buffer: reads and writes nothing past n.
    const rest = <usize>(n - i);
    memory.copy(spill, input + <usize>i, rest);
    v128.store(spill, eight(inUnsigned, outUnsigned, spill, params, zeroIn, zeroOut, low, high));
    memory.copy(output + <usize>i, spill, rest);
  }
}

/** Eight values at `from` requantized, as the low 8 bytes of the result. */
// @ts-ignore: decorator
@inline
function eight(
  inUnsigned: bool, outUnsigned: bool, from: usize, params: usize, zeroIn: v128, zeroOut: v128,
  low: v128, high: v128,
): v128 {
  const x = i16x8.sub(inUnsigned ? v128.load8x8_u(from) : v128.load8x8_s(from), zeroIn);
  const first = requantize_x4_clamped(i32x4.extend_low_i16x8_s(x), params, zeroOut, low, high);
  const second = requantize_x4_clamped(i32x4.extend_high_i16x8_s(x), params, zeroOut, low, high);
  const narrow = i16x8.narrow_i32x4_s(first, second);
  return outUnsigned ? i8x16.narrow_i16x8_u(narrow, narrow) : i8x16.narrow_i16x8_s(narrow, narrow);
}

/**
 * XORs `n` bytes at `values` with 0x80 in place: int8 values v become the uint8 v + 128 (how the
 * int8 kernels' outputs of uint8 layers, computed as x - 128, become uint8).
 */
export function qs8_flip(values: usize, n: i32): void {
  const flip = i8x16.splat(-128);
  let i = 0;
  for (; i + 16 <= n; i += 16) v128.store(values + <usize>i, v128.xor(v128.load(values + <usize>i), flip));
  for (; i < n; i++) store<u8>(values + <usize>i, load<u8>(values + <usize>i) ^ 0x80);
}
