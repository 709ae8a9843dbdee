// The shuffles of `qs8_depthwise_x8`'s relaxed dot path: four taps' 16 channels (one int8 vector
// per tap; the path's columns have three taps and a fourth whose weight is zero) transposed so
// that each 32-bit lane holds one channel's four taps, the layout of the relaxed dot's operands
// (`dot_add` in qs8_gemm_dot.ts). The weights are laid out the same way at load
// (`depthwiseDotFilter` in src/runtime/ops/common/weight_packing.ts).

/** The low 8 bytes of `a` and `b` interleaved: channel j's two taps at bytes 2j, 2j + 1. */
// @ts-ignore: decorator
@inline
export function bytes_low(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}

/** The high 8 bytes of `a` and `b` interleaved (channels 8 to 15). */
// @ts-ignore: decorator
@inline
export function bytes_high(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}

/** The low four byte pairs of `a` and `b` interleaved: four channels' four taps. */
// @ts-ignore: decorator
@inline
export function pairs_low(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
}

/** The high four byte pairs of `a` and `b` interleaved: the next four channels' four taps. */
// @ts-ignore: decorator
@inline
export function pairs_high(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
}
