// The int8 GEMM on relaxed SIMD's int8 dot product (XNNPACK's qs8 "4x8c4" tile): C[m][n] =
// finish(A[m] . W[n] + bias[n]) with int8 A rows and int8 weights packed per panel of 8 channels
// as [depth / 4][8 channels][4 depths]. Each step takes 4 depths: the row's 4 bytes splatted to
// all lanes (the dot's second, 7-bit operand) against two weight vectors (its first operand)
// gives 4 channels' partial sums per `i32x4.relaxed_dot_i8x16_i7x16_add_s`: 16 multiply-adds per
// instruction, twice the int16 kernel's rate (qs8_gemm.ts).
//
// Engines read that second operand differently (`qs8_dot_form` in simd.ts tells which): as
// unsigned 8-bit (x86 with VNNI), as signed 8-bit (Arm), or saturating pairs to int16 (x86
// without VNNI: unusable here). The activations are XORed with the layer's `activationXor`
// (0x80 for the unsigned form, making them x + 128; 0 for the signed form), and the caller folds
// the matching correction into the bias at load: bias - (inputZero + 128) * sum of the channel's
// weights, or bias - inputZero * sum. Either way the int32 sum is exactly TFLite's. The rows are
// XORed once, DOT_GEMM_ROW_BLOCK at a time, as they are copied to the scratch every panel reads.

import {
  DOT_GEMM_ROW_BLOCK, LAYER_ACTIVATION_XOR, LAYER_BIAS, LAYER_DEPTH, LAYER_FLOAT_BIAS, LAYER_HIGH_F,
  LAYER_HIGH_I, LAYER_LDA, LAYER_LDC, LAYER_LOW_F, LAYER_LOW_I, LAYER_N, LAYER_ONE_SHIFT,
  LAYER_ONE_SHIFT_PARAMS, LAYER_PADDED, LAYER_PARAMS, LAYER_REQUANTIZATION, LAYER_SCALES,
  LAYER_ZERO_POINT,
} from "./kernel_layout.generated";
import { half_constant, store_tile } from "./qs8_gemm_output";
import {
  DEQUANTIZE, REQUANTIZE, REQUANTIZE_FAST, REQUANTIZE_FAST_SINGLE, REQUANTIZE_FP32,
  REQUANTIZE_ONE_SHIFT, REQUANTIZE_ONE_SHIFT_LINEAR, one_shift, output_high, output_low,
  output_zero,
} from "./qs8_requantize";

/** Output channels per packed panel. */
// @ts-ignore: decorator
@inline const CHANNELS: i32 = 8;

/**
 * acc + the dot products of each lane's 4 int8 `weights` with the 4 bytes of `x` below it, `x`
 * read as this engine reads the relaxed dot's second operand. The plain-SIMD build computes the
 * unsigned form with widening multiplies (slowly: it lets the kernel be tested on both builds;
 * the runtime keeps to `qs8_gemm_4x8` there).
 */
// @ts-ignore: decorator
@inline
export function dot_add(weights: v128, x: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_dot_i8x16_i7x16_add_s(weights, x, acc);
  const low = i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(weights), i16x8.extend_low_i8x16_u(x));
  const high = i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(weights), i16x8.extend_high_i8x16_u(x));
  const pairs = i32x4.add(v128.shuffle<i32>(low, high, 0, 2, 4, 6), v128.shuffle<i32>(low, high, 1, 3, 5, 7));
  return i32x4.add(acc, pairs);
}

/**
 * Packs int8 weights [n][k] (row stride k) into panels of 8 channels for `qs8_gemm_4x8c4`: for
 * each panel and each group of 4 depths, 8 channels x 4 depths; depths past k and channels past
 * n are zero. `sums` receives each channel's sum of weights (n values), for the caller's bias.
 */
export function qs8_pack_weights_c4(source: usize, n: i32, k: i32, packed: usize, sums: usize): void {
  const panels = (n + CHANNELS - 1) / CHANNELS;
  const groups = (k + 3) >> 2;
  let target = packed;
  for (let panel = 0; panel < panels; panel++) {
    for (let group = 0; group < groups; group++) {
      for (let lane = 0; lane < CHANNELS; lane++) {
        const channel = panel * CHANNELS + lane;
        for (let d = group << 2; d < (group << 2) + 4; d++) {
          store<i8>(target++, channel < n && d < k ? load<i8>(source + <usize>(channel * k + d)) : 0);
        }
      }
    }
  }
  for (let channel = 0; channel < n; channel++) {
    let sum = 0;
    const row = source + <usize>(channel * k);
    for (let d = 0; d < k; d++) sum += <i32>load<i8>(row + <usize>d);
    store<i32>(sums + (<usize>channel << 2), sum);
  }
}

/**
 * C[m][n] = clamp(requantize(A[m] . W[n] + bias[n]) + zeroPoint), int8 C with row stride `ldc`
 * bytes, for int8 A (rows of `depth` values at stride `lda` bytes) and weights `packed` by
 * qs8_pack_weights_c4, with `scratch` for DOT_GEMM_ROW_BLOCK rows of depth rounded up to 4 bytes;
 * all but the operands and m come from the layer block, as for `qs8_gemm_4x8` (bias and constants
 * for n rounded up to 8 channels, requantization mode, clamp), plus `activationXor`.
 */
export function qs8_gemm_4x8c4(
  a: usize, packed: usize, c: usize, m: i32, layer: usize, scratch: usize,
): void {
  const requantization = load<i32>(layer + LAYER_REQUANTIZATION);
  if (requantization == REQUANTIZE_ONE_SHIFT_LINEAR) requantized(REQUANTIZE_ONE_SHIFT_LINEAR, a, packed, c, m, layer, scratch);
  else if (requantization == REQUANTIZE_ONE_SHIFT) requantized(REQUANTIZE_ONE_SHIFT, a, packed, c, m, layer, scratch);
  else if (requantization == REQUANTIZE_FAST) requantized(REQUANTIZE_FAST, a, packed, c, m, layer, scratch);
  else if (requantization == REQUANTIZE_FAST_SINGLE) requantized(REQUANTIZE_FAST_SINGLE, a, packed, c, m, layer, scratch);
  else if (requantization == REQUANTIZE_FP32) requantized(REQUANTIZE_FP32, a, packed, c, m, layer, scratch);
  else requantized(REQUANTIZE, a, packed, c, m, layer, scratch);
}

/** `qs8_gemm_4x8c4` in requantization `mode` (a constant at each inlined call). */
// @ts-ignore: decorator
@inline
function requantized(
  mode: i32, a: usize, packed: usize, c: usize, m: i32, layer: usize, scratch: usize,
): void {
  const zero = load<i32>(layer + LAYER_ZERO_POINT);
  gemm_dot(mode, a, load<i32>(layer + LAYER_LDA), load<i32>(layer + LAYER_DEPTH), packed,
    load<usize>(layer + LAYER_BIAS),
    load<usize>(layer + (one_shift(mode) ? LAYER_ONE_SHIFT_PARAMS : LAYER_PARAMS)),
    load<i32>(layer + LAYER_PADDED), c, load<i32>(layer + LAYER_LDC), m, load<i32>(layer + LAYER_N),
    i8x16.splat(<i8>load<i32>(layer + LAYER_ACTIVATION_XOR)), output_zero(mode, zero),
    output_low(mode, zero, load<i32>(layer + LAYER_LOW_I)),
    output_high(mode, load<i32>(layer + LAYER_HIGH_I)), 0, f32x4.splat(1), 0,
    load<i32>(layer + LAYER_ONE_SHIFT), scratch);
}

/**
 * The hybrid form of `qs8_gemm_4x8c4`, as `qs8_gemm_dequantize_4x8` is of `qs8_gemm_4x8`: the
 * same sums plus the int32 `bias`, written as float32 C[m][n] (row stride `ldc` floats) with
 * per-channel `scales`, `rowScale` and `floatBias`, clamped to [lowF, highF].
 */
export function qs8_gemm_dequantize_4x8c4(
  a: usize, packed: usize, c: usize, m: i32, layer: usize, rowScale: f32, scratch: usize,
): void {
  gemm_dot(DEQUANTIZE, a, load<i32>(layer + LAYER_LDA), load<i32>(layer + LAYER_DEPTH), packed,
    load<usize>(layer + LAYER_BIAS), 0, 8, c, load<i32>(layer + LAYER_LDC) << 2, m,
    load<i32>(layer + LAYER_N), i8x16.splat(<i8>load<i32>(layer + LAYER_ACTIVATION_XOR)),
    f32x4.splat(0), f32x4.splat(load<f32>(layer + LAYER_LOW_F)),
    f32x4.splat(load<f32>(layer + LAYER_HIGH_F)), load<usize>(layer + LAYER_SCALES),
    f32x4.splat(rowScale), load<usize>(layer + LAYER_FLOAT_BIAS), 0, scratch);
}

/**
 * Copies `rows` rows of `depth` int8 values (row stride `lda` bytes) to `target` at a stride of
 * `stride` bytes (depth rounded up to 4), each byte XORed with `flip`; the bytes past depth are
 * zero (their weights are too). Reads no byte past a row.
 */
function flip_rows(
  source: usize, rows: i32, depth: i32, lda: i32, stride: usize, flip: v128, target: usize,
): void {
  const whole = depth & ~15;
  const flipByte = <u8>i8x16.extract_lane_u(flip, 0);
  for (let row = 0; row < rows; row++) {
    const from = source + <usize>(row * lda);
    const to = target + <usize>row * stride;
    let d = 0;
    for (; d < whole; d += 16) {
      v128.store(to + <usize>d, v128.xor(v128.load(from + <usize>d), flip));
    }
    if (d + 8 <= depth) {
      v128.store64_lane(to + <usize>d, v128.xor(v128.load64_zero(from + <usize>d), flip), 0);
      d += 8;
    }
    if (d + 4 <= depth) {
      v128.store32_lane(to + <usize>d, v128.xor(v128.load32_zero(from + <usize>d), flip), 0);
      d += 4;
    }
    for (; d < depth; d++) store<u8>(to + <usize>d, load<u8>(from + <usize>d) ^ flipByte);
    for (; <usize>d < stride; d++) store<u8>(to + <usize>d, 0);
  }
}

/**
 * Finishes `rows` (4, or 1 for the last rows) rows of a tile from `c0` (rows `ldc` bytes apart) by
 * `store_tile`, with the per-channel constants loaded here, once per tile, rather than once per
 * panel: held in registers across the panel's rows they leave too few for the dot loop (V8
 * spills inside it: measured 1.5x slower in Chromium 156).
 */
// @ts-ignore: decorator
@inline
function finish_tile(
  mode: i32, rows: i32, s00: v128, s01: v128, s10: v128, s11: v128, s20: v128, s21: v128,
  s30: v128, s31: v128, c0: usize, ldc: i32, channel: i32, n: i32, params: usize,
  stride: usize, zeroV: v128, lowV: v128, highV: v128, scales: usize, rowScale: v128,
  floatBias: usize, shift: i32,
): void {
  const low = <usize>channel << 2;
  const high = low + 16;
  store_tile(mode, rows, s00, s01, s10, s11, s20, s21, s30, s31, c0, <usize>ldc, channel, n,
    half_constant(mode, 1, params, stride, low, scales, floatBias),
    half_constant(mode, 2, params, stride, low, scales, floatBias),
    half_constant(mode, 3, params, stride, low, scales, floatBias),
    half_constant(mode, 4, params, stride, low, scales, floatBias),
    half_constant(mode, 5, params, stride, low, scales, floatBias),
    half_constant(mode, 6, params, stride, low, scales, floatBias),
    half_constant(mode, 7, params, stride, low, scales, floatBias),
    half_constant(mode, 1, params, stride, high, scales, floatBias),
    half_constant(mode, 2, params, stride, high, scales, floatBias),
    half_constant(mode, 3, params, stride, high, scales, floatBias),
    half_constant(mode, 4, params, stride, high, scales, floatBias),
    half_constant(mode, 5, params, stride, high, scales, floatBias),
    half_constant(mode, 6, params, stride, high, scales, floatBias),
    half_constant(mode, 7, params, stride, high, scales, floatBias),
    zeroV, lowV, highV, rowScale, shift);
}

/**
 * The body of both dot GEMMs; `mode` is a constant at each (inlined) call. `zeroV`, `lowV` and
 * `highV` are the output constants of `output_zero`, `output_low` and `output_high`, or, for
 * DEQUANTIZE, float32 splats of the clamp bounds (zero point unused). Each block of rows is first
 * flipped into `scratch` (`flip_rows`), where the tiles read it.
 */
// @ts-ignore: decorator
@inline
function gemm_dot(
  mode: i32, a: usize, lda: i32, depth: i32, packed: usize, bias: usize, params: usize,
  padded: i32, c: usize, ldc: i32, m: i32, n: i32, flip: v128, zeroV: v128, lowV: v128,
  highV: v128, scales: usize, rowScale: v128, floatBias: usize, shift: i32, scratch: usize,
): void {
  const stride = <usize>padded << 2;
  const panels = (n + CHANNELS - 1) / CHANNELS;
  // The scratch rows' stride: the depth in whole groups of 4.
  const rowBytes = <usize>((depth + 3) & ~3);
  const panelBytes = rowBytes << 3;
  for (let block = 0; block < m; block += <i32>DOT_GEMM_ROW_BLOCK) {
    const blockEnd = min(m, block + <i32>DOT_GEMM_ROW_BLOCK);
    flip_rows(a + <usize>(block * lda), blockEnd - block, depth, lda, rowBytes, flip, scratch);
    for (let panel = 0; panel < panels; panel++) {
      const weights = packed + <usize>panel * panelBytes;
      const channel = panel * CHANNELS;
      const channelBias = bias + (<usize>channel << 2);
      let row = block;
      for (; row + 4 <= blockEnd; row += 4) {
        let w = weights;
        // The sums start from the bias (loaded per tile: held across the rows, it would take two
        // of the registers the dot loop needs).
        let s00 = v128.load(channelBias), s01 = v128.load(channelBias, 16);
        let s10 = s00, s11 = s01, s20 = s00, s21 = s01, s30 = s00, s31 = s01;
        let w0: v128, w1: v128, x: v128;
        // One group of 4 depths a step, the four rows' pointers advanced together.
        let r0 = scratch + <usize>(row - block) * rowBytes;
        let r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
        const end = r0 + rowBytes;
        for (; r0 < end; r0 += 4, r1 += 4, r2 += 4, r3 += 4) {
          w0 = v128.load(w, 0);
          w1 = v128.load(w, 16);
          x = v128.load32_splat(r0);
          s00 = dot_add(w0, x, s00);
          s01 = dot_add(w1, x, s01);
          x = v128.load32_splat(r1);
          s10 = dot_add(w0, x, s10);
          s11 = dot_add(w1, x, s11);
          x = v128.load32_splat(r2);
          s20 = dot_add(w0, x, s20);
          s21 = dot_add(w1, x, s21);
          x = v128.load32_splat(r3);
          s30 = dot_add(w0, x, s30);
          s31 = dot_add(w1, x, s31);
          w += 32;
        }
        finish_tile(mode, 4, s00, s01, s10, s11, s20, s21, s30, s31, c + <usize>(row * ldc), ldc,
          channel, n, params, stride, zeroV, lowV, highV, scales, rowScale, floatBias, shift);
      }
      for (; row < blockEnd; row++) {
        let w = weights;
        let s00 = v128.load(channelBias), s01 = v128.load(channelBias, 16);
        let x: v128;
        let r0 = scratch + <usize>(row - block) * rowBytes;
        const end = r0 + rowBytes;
        for (; r0 < end; r0 += 4) {
          x = v128.load32_splat(r0);
          s00 = dot_add(v128.load(w, 0), x, s00);
          s01 = dot_add(v128.load(w, 16), x, s01);
          w += 32;
        }
        finish_tile(mode, 1, s00, s01, s00, s01, s00, s01, s00, s01, c + <usize>(row * ldc), ldc,
          channel, n, params, stride, zeroV, lowV, highV, scales, rowScale, floatBias, shift);
      }
    }
  }
}
