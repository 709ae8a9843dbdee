// The int8 GEMM: C[m][n] = finish(A[m] . W[n] + bias[n]) with int16 A rows and int16-packed
// weights, 4 rows x 8 output channels per step. Each step takes one pair of depths: the pair of
// A values splatted to all lanes, times a vector holding that pair for 4 channels, by
// i32x4.dot_i16x8_s, gives those 4 channels' partial sums directly (no horizontal reduction).
// `finish` requantizes to int8 (TFLite's arithmetic, see qs8_requantize.ts) or, for hybrid
// layers, scales to float32.

import {
  LAYER_BIAS, LAYER_DEPTH, LAYER_FLOAT_BIAS, LAYER_HIGH_F, LAYER_HIGH_I, LAYER_LDA, LAYER_LDC,
  LAYER_LOW_F, LAYER_LOW_I, LAYER_N, LAYER_ONE_SHIFT, LAYER_ONE_SHIFT_PARAMS, LAYER_PADDED,
  LAYER_PARAMS, LAYER_REQUANTIZATION, LAYER_SCALES, LAYER_ZERO_POINT,
} from "./kernel_layout.generated";
import { half_constant, store_tile } from "./qs8_gemm_output";
import {
  DEQUANTIZE, REQUANTIZE, REQUANTIZE_FAST, REQUANTIZE_FAST_SINGLE, REQUANTIZE_FP32,
  REQUANTIZE_ONE_SHIFT, REQUANTIZE_ONE_SHIFT_LINEAR, one_shift, output_high, output_low,
  output_zero, SUMS,
} from "./qs8_requantize";

/** Output channels per packed panel. */
// @ts-ignore: decorator
@inline const CHANNELS: i32 = 8;

/** Rows of A multiplied against every panel before moving on (a multiple of 4). */
// @ts-ignore: decorator
@inline const ROW_BLOCK: i32 = 64;

/**
 * Packs int8 weights [n][k] (row stride k) into int16 panels of 8 channels: for each panel and
 * each pair of depths (2j, 2j + 1), the 16 values w[c][2j], w[c][2j + 1] for its channels c in
 * order; depths past k and channels past n are zero. `depth` is k rounded up to a multiple of 8.
 */
export function qs8_pack_weights(source: usize, n: i32, k: i32, depth: i32, packed: usize): void {
  pack_weights(false, source, n, k, depth, packed);
}

/**
 * `qs8_pack_weights` for int16 weights (a uint8 layer's weights less their zero point, from
 * -255 to 255: their products with int8 activations stay well within `qs8_gemm_4x8`'s int32 pair sums).
 */
export function qs8_pack_weights_i16(source: usize, n: i32, k: i32, depth: i32, packed: usize): void {
  pack_weights(true, source, n, k, depth, packed);
}

/** The body of both packings; `wide` (int16 weights) is a constant at each (inlined) call. */
// @ts-ignore: decorator
@inline
function pack_weights(wide: bool, source: usize, n: i32, k: i32, depth: i32, packed: usize): void {
  const panels = (n + CHANNELS - 1) / CHANNELS;
  let target = packed;
  for (let panel = 0; panel < panels; panel++) {
    for (let pair = 0; pair < depth; pair += 2) {
      for (let lane = 0; lane < CHANNELS; lane++) {
        const channel = panel * CHANNELS + lane;
        for (let d = pair; d < pair + 2; d++) {
          const index = <usize>(channel * k + d);
          const value: i16 = channel < n && d < k
            ? (wide ? load<i16>(source + (index << 1)) : <i16>load<i8>(source + index))
            : 0;
          store<i16>(target, value);
          target += 2;
        }
      }
    }
  }
}

/**
 * Widens `rows` rows of k int8 values (row stride `stride` bytes) into int16 rows of `depth`
 * values at `target`, zeros past k: the A operand of `qs8_gemm_4x8`.
 */
export function qs8_widen(source: usize, rows: i32, k: i32, stride: i32, depth: i32, target: usize): void {
  widen(false, source, rows, k, stride, depth, target);
}

/** `qs8_widen` for uint8 values, each widened as the int8 x - 128 (its byte XORed with 0x80). */
export function qs8_widen_uint8(source: usize, rows: i32, k: i32, stride: i32, depth: i32, target: usize): void {
  widen(true, source, rows, k, stride, depth, target);
}

/** The body of both widenings; `flip` is a constant at each (inlined) call. */
// @ts-ignore: decorator
@inline
function widen(flip: bool, source: usize, rows: i32, k: i32, stride: i32, depth: i32, target: usize): void {
  const flipV = i8x16.splat(-128);
  for (let row = 0; row < rows; row++) {
    const from = source + <usize>(row * stride);
    const to = target + (<usize>(row * depth) << 1);
    let d = 0;
    for (; d + 8 <= k; d += 8) {
      const at = from + <usize>d;
      const values = flip ? i16x8.extend_low_i8x16_s(v128.xor(v128.load64_zero(at), flipV)) : v128.load8x8_s(at);
      v128.store(to + (<usize>d << 1), values);
    }
    for (; d < k; d++) store<i16>(to + (<usize>d << 1), <i16><i8>(load<u8>(from + <usize>d) ^ (flip ? 0x80 : 0)));
    for (; d < depth; d++) store<i16>(to + (<usize>d << 1), 0);
  }
}

/**
 * C[m][n] = clamp(requantize(A[m] . W[n] + bias[n]) + zeroPoint), int8 C with row stride `ldc`
 * bytes, for int16 A (rows of `depth` values at stride `lda` values, depth a multiple of 8) and
 * weights `packed` by qs8_pack_weights; all but the operands and m come from the layer block.
 * `bias` and the requantization constants (`params`, from qs8_channel_params) hold `padded`
 * channels, n rounded up to a multiple of 8. `requantization` is REQUANTIZE, or
 * REQUANTIZE_FAST(_SINGLE) or REQUANTIZE_ONE_SHIFT(_LINEAR) (their constants at `oneShiftParams`,
 * their shift `oneShift`) when the caller has checked that the layer suits `requantize_x4_fast` or
 * `requantize_x4_one_shift`. The clamp is `lowI`, `highI`.
 */
export function qs8_gemm_4x8(a: usize, packed: usize, c: usize, m: i32, layer: usize): void {
  const requantization = load<i32>(layer + LAYER_REQUANTIZATION);
  if (requantization == REQUANTIZE_ONE_SHIFT_LINEAR) requantized(REQUANTIZE_ONE_SHIFT_LINEAR, a, packed, c, m, layer);
  else if (requantization == REQUANTIZE_ONE_SHIFT) requantized(REQUANTIZE_ONE_SHIFT, a, packed, c, m, layer);
  else if (requantization == REQUANTIZE_FAST) requantized(REQUANTIZE_FAST, a, packed, c, m, layer);
  else if (requantization == REQUANTIZE_FAST_SINGLE) requantized(REQUANTIZE_FAST_SINGLE, a, packed, c, m, layer);
  else if (requantization == REQUANTIZE_FP32) requantized(REQUANTIZE_FP32, a, packed, c, m, layer);
  else requantized(REQUANTIZE, a, packed, c, m, layer);
}

/** `qs8_gemm_4x8` in requantization `mode` (a constant at each inlined call). */
// @ts-ignore: decorator
@inline
function requantized(mode: i32, a: usize, packed: usize, c: usize, m: i32, layer: usize): void {
  const zero = load<i32>(layer + LAYER_ZERO_POINT);
  gemm_4x8(mode, a, load<i32>(layer + LAYER_LDA), load<i32>(layer + LAYER_DEPTH), packed,
    load<usize>(layer + LAYER_BIAS),
    load<usize>(layer + (one_shift(mode) ? LAYER_ONE_SHIFT_PARAMS : LAYER_PARAMS)),
    load<i32>(layer + LAYER_PADDED), c, load<i32>(layer + LAYER_LDC), m, load<i32>(layer + LAYER_N),
    output_zero(mode, zero), output_low(mode, zero, load<i32>(layer + LAYER_LOW_I)),
    output_high(mode, load<i32>(layer + LAYER_HIGH_I)), 0, f32x4.splat(1), 0,
    load<i32>(layer + LAYER_ONE_SHIFT));
}

/**
 * The int32 form of `qs8_gemm_4x8`, for int16 activations (int16x8 layers, whose requantization
 * `qs16_requantize_sums` does after): C[m][n] = A[m] . W[n] + bias[n] as int32 rows (row stride
 * `ldc` values), exact while every such sum is within int32 (the caller bounds it at load).
 */
export function qs8_gemm_sums_4x8(a: usize, packed: usize, c: usize, m: i32, layer: usize): void {
  gemm_4x8(SUMS, a, load<i32>(layer + LAYER_LDA), load<i32>(layer + LAYER_DEPTH), packed,
    load<usize>(layer + LAYER_BIAS), 0, 8, c, load<i32>(layer + LAYER_LDC) << 2, m,
    load<i32>(layer + LAYER_N), i32x4.splat(0), i32x4.splat(0), i32x4.splat(0), 0,
    f32x4.splat(1), 0, 0);
}

/**
 * The hybrid form of `qs8_gemm_4x8`: the same sums plus the int32 `bias`, written as float32
 * C[m][n] (row stride `ldc` floats) by `store_floats` with per-channel `scales`, `rowScale` and
 * `floatBias` (each padded to a multiple of 8), clamped to [lowF, highF]. Only `rowScale` and
 * the operands come with the call; the rest from the layer block.
 */
export function qs8_gemm_dequantize_4x8(
  a: usize, packed: usize, c: usize, m: i32, layer: usize, rowScale: f32,
): void {
  gemm_4x8(DEQUANTIZE, a, load<i32>(layer + LAYER_LDA), load<i32>(layer + LAYER_DEPTH), packed,
    load<usize>(layer + LAYER_BIAS), 0, 8, c, load<i32>(layer + LAYER_LDC) << 2, m,
    load<i32>(layer + LAYER_N), f32x4.splat(0), f32x4.splat(load<f32>(layer + LAYER_LOW_F)),
    f32x4.splat(load<f32>(layer + LAYER_HIGH_F)), load<usize>(layer + LAYER_SCALES),
    f32x4.splat(rowScale), load<usize>(layer + LAYER_FLOAT_BIAS), 0);
}

/**
 * The body of both GEMMs; `mode` is a constant at each (inlined) call. `zeroV`, `lowV` and
 * `highV` are the output constants of `output_zero`, `output_low` and `output_high`, or, for
 * DEQUANTIZE, float32 splats of the clamp bounds (zero point unused).
 */
// @ts-ignore: decorator
@inline
function gemm_4x8(
  mode: i32, a: usize, lda: i32, depth: i32, packed: usize, bias: usize, params: usize,
  padded: i32, c: usize, ldc: i32, m: i32, n: i32, zeroV: v128, lowV: v128, highV: v128,
  scales: usize, rowScale: v128, floatBias: usize, shift: i32,
): void {
  const stride = <usize>padded << 2;
  const panels = (n + CHANNELS - 1) / CHANNELS;
  const panelBytes = <usize>depth << 4;
  const rowA = <usize>lda << 1;
  const depthBytes = <usize>depth << 1;
  // Rows in blocks that stay in cache while every panel passes over them; each panel's weights
  // stay in the first-level cache while the block's rows use them.
  for (let block = 0; block < m; block += ROW_BLOCK) {
    const blockEnd = min(m, block + ROW_BLOCK);
    for (let panel = 0; panel < panels; panel++) {
      const weights = packed + <usize>panel * panelBytes;
      const channel = panel * CHANNELS;
      const low = <usize>channel << 2;
      const high = low + 16;
      const biasLow = v128.load(bias + low);
      const biasHigh = v128.load(bias + high);
      const p1 = half_constant(mode, 1, params, stride, low, scales, floatBias);
      const p2 = half_constant(mode, 2, params, stride, low, scales, floatBias);
      const p3 = half_constant(mode, 3, params, stride, low, scales, floatBias);
      const p4 = half_constant(mode, 4, params, stride, low, scales, floatBias);
      const p5 = half_constant(mode, 5, params, stride, low, scales, floatBias);
      const p6 = half_constant(mode, 6, params, stride, low, scales, floatBias);
      const p7 = half_constant(mode, 7, params, stride, low, scales, floatBias);
      const q1 = half_constant(mode, 1, params, stride, high, scales, floatBias);
      const q2 = half_constant(mode, 2, params, stride, high, scales, floatBias);
      const q3 = half_constant(mode, 3, params, stride, high, scales, floatBias);
      const q4 = half_constant(mode, 4, params, stride, high, scales, floatBias);
      const q5 = half_constant(mode, 5, params, stride, high, scales, floatBias);
      const q6 = half_constant(mode, 6, params, stride, high, scales, floatBias);
      const q7 = half_constant(mode, 7, params, stride, high, scales, floatBias);
      let row = block;
      for (; row + 4 <= blockEnd; row += 4) {
        const a0 = a + <usize>row * rowA;
        const a1 = a0 + rowA;
        const a2 = a1 + rowA;
        const a3 = a2 + rowA;
        let w = weights;
        // The sums start from the bias.
        let s00 = biasLow, s01 = biasHigh, s10 = biasLow, s11 = biasHigh;
        let s20 = biasLow, s21 = biasHigh, s30 = biasLow, s31 = biasHigh;
        let w0: v128, w1: v128, x: v128;
        for (let d2: usize = 0; d2 < depthBytes; d2 += 16) {
          w0 = v128.load(w, 0);
          w1 = v128.load(w, 16);
          x = v128.load32_splat(a0 + d2, 0);
          s00 = i32x4.add(s00, i32x4.dot_i16x8_s(x, w0));
          s01 = i32x4.add(s01, i32x4.dot_i16x8_s(x, w1));
          x = v128.load32_splat(a1 + d2, 0);
          s10 = i32x4.add(s10, i32x4.dot_i16x8_s(x, w0));
          s11 = i32x4.add(s11, i32x4.dot_i16x8_s(x, w1));
          x = v128.load32_splat(a2 + d2, 0);
          s20 = i32x4.add(s20, i32x4.dot_i16x8_s(x, w0));
          s21 = i32x4.add(s21, i32x4.dot_i16x8_s(x, w1));
          x = v128.load32_splat(a3 + d2, 0);
          s30 = i32x4.add(s30, i32x4.dot_i16x8_s(x, w0));
          s31 = i32x4.add(s31, i32x4.dot_i16x8_s(x, w1));
          w0 = v128.load(w, 32);
          w1 = v128.load(w, 48);
          x = v128.load32_splat(a0 + d2, 4);
          s00 = i32x4.add(s00, i32x4.dot_i16x8_s(x, w0));
          s01 = i32x4.add(s01, i32x4.dot_i16x8_s(x, w1));
          x = v128.load32_splat(a1 + d2, 4);
          s10 = i32x4.add(s10, i32x4.dot_i16x8_s(x, w0));
          s11 = i32x4.add(s11, i32x4.dot_i16x8_s(x, w1));
          x = v128.load32_splat(a2 + d2, 4);
          s20 = i32x4.add(s20, i32x4.dot_i16x8_s(x, w0));
          s21 = i32x4.add(s21, i32x4.dot_i16x8_s(x, w1));
          x = v128.load32_splat(a3 + d2, 4);
          s30 = i32x4.add(s30, i32x4.dot_i16x8_s(x, w0));
          s31 = i32x4.add(s31, i32x4.dot_i16x8_s(x, w1));
          w0 = v128.load(w, 64);
          w1 = v128.load(w, 80);
          x = v128.load32_splat(a0 + d2, 8);
          s00 = i32x4.add(s00, i32x4.dot_i16x8_s(x, w0));
          s01 = i32x4.add(s01, i32x4.dot_i16x8_s(x, w1));
          x = v128.load32_splat(a1 + d2, 8);
          s10 = i32x4.add(s10, i32x4.dot_i16x8_s(x, w0));
          s11 = i32x4.add(s11, i32x4.dot_i16x8_s(x, w1));
          x = v128.load32_splat(a2 + d2, 8);
          s20 = i32x4.add(s20, i32x4.dot_i16x8_s(x, w0));
          s21 = i32x4.add(s21, i32x4.dot_i16x8_s(x, w1));
          x = v128.load32_splat(a3 + d2, 8);
          s30 = i32x4.add(s30, i32x4.dot_i16x8_s(x, w0));
          s31 = i32x4.add(s31, i32x4.dot_i16x8_s(x, w1));
          w0 = v128.load(w, 96);
          w1 = v128.load(w, 112);
          x = v128.load32_splat(a0 + d2, 12);
          s00 = i32x4.add(s00, i32x4.dot_i16x8_s(x, w0));
          s01 = i32x4.add(s01, i32x4.dot_i16x8_s(x, w1));
          x = v128.load32_splat(a1 + d2, 12);
          s10 = i32x4.add(s10, i32x4.dot_i16x8_s(x, w0));
          s11 = i32x4.add(s11, i32x4.dot_i16x8_s(x, w1));
          x = v128.load32_splat(a2 + d2, 12);
          s20 = i32x4.add(s20, i32x4.dot_i16x8_s(x, w0));
          s21 = i32x4.add(s21, i32x4.dot_i16x8_s(x, w1));
          x = v128.load32_splat(a3 + d2, 12);
          s30 = i32x4.add(s30, i32x4.dot_i16x8_s(x, w0));
          s31 = i32x4.add(s31, i32x4.dot_i16x8_s(x, w1));
          w += 128;
        }
        store_tile(mode, 4, s00, s01, s10, s11, s20, s21, s30, s31, c + <usize>(row * ldc),
          <usize>ldc, channel, n, p1, p2, p3, p4, p5, p6, p7, q1, q2, q3, q4, q5, q6, q7, zeroV,
          lowV, highV, rowScale, shift);
      }
      for (; row < blockEnd; row++) {
        const a0 = a + <usize>row * rowA;
        let w = weights;
        let s00 = biasLow, s01 = biasHigh;
        let x: v128;
        for (let d2: usize = 0; d2 < depthBytes; d2 += 16) {
          x = v128.load32_splat(a0 + d2, 0);
          s00 = i32x4.add(s00, i32x4.dot_i16x8_s(x, v128.load(w, 0)));
          s01 = i32x4.add(s01, i32x4.dot_i16x8_s(x, v128.load(w, 16)));
          x = v128.load32_splat(a0 + d2, 4);
          s00 = i32x4.add(s00, i32x4.dot_i16x8_s(x, v128.load(w, 32)));
          s01 = i32x4.add(s01, i32x4.dot_i16x8_s(x, v128.load(w, 48)));
          x = v128.load32_splat(a0 + d2, 8);
          s00 = i32x4.add(s00, i32x4.dot_i16x8_s(x, v128.load(w, 64)));
          s01 = i32x4.add(s01, i32x4.dot_i16x8_s(x, v128.load(w, 80)));
          x = v128.load32_splat(a0 + d2, 12);
          s00 = i32x4.add(s00, i32x4.dot_i16x8_s(x, v128.load(w, 96)));
          s01 = i32x4.add(s01, i32x4.dot_i16x8_s(x, v128.load(w, 112)));
          w += 128;
        }
        store_tile(mode, 1, s00, s01, s00, s01, s00, s01, s00, s01, c + <usize>(row * ldc),
          <usize>ldc, channel, n, p1, p2, p3, p4, p5, p6, p7, q1, q2, q3, q4, q5, q6, q7, zeroV,
          lowV, highV, rowScale, shift);
      }
    }
  }
}
