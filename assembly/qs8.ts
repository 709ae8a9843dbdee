// Signed 8-bit (int8) kernels with TFLite's requantization. The input zero point is folded into
// a per-channel bias at load (bias - zeroPoint * sum of the channel's weights), so the GEMM sums
// plain int8 x int8 products; padding is filled with the input zero point, which the folding
// turns into zero contributions.

/** Weights per packed panel: four output channels, interleaved 8 depths at a time. */
// @ts-ignore: decorator
@inline const CHANNELS: i32 = 4;

import {
  PARAM_HALF, PARAM_LEFT, PARAM_MULTIPLIER, PARAM_NUDGE, PARAM_ROUNDS, PARAM_UP, PARAM_UP4,
  requantize_x4, requantize_x4_fast, requantize_x4_with,
} from "./qs8_requantize";

const spill = memory.data(16, 16);

/** Rows of A multiplied against every panel before moving on (an even number). */
// @ts-ignore: decorator
@inline const ROW_BLOCK: i32 = 64;

/**
 * TFLite's MultiplyByQuantizedMultiplier: (acc << max(shift, 0)), times the Q0.31 multiplier
 * doubled with rounding (SaturatingRoundingDoublingHighMul), then divided by 2^max(-shift, 0)
 * rounding half away from zero (RoundingDivideByPOT).
 */
// @ts-ignore: decorator
@inline
export function requantize(acc: i32, multiplier: i32, shift: i32): i32 {
  const x: i64 = <i64>acc << <i64>(shift > 0 ? shift : 0);
  const a = <i32>x;
  let high: i32;
  if (a == i32.MIN_VALUE && multiplier == i32.MIN_VALUE) {
    high = i32.MAX_VALUE;
  } else {
    const product = <i64>a * <i64>multiplier;
    const nudge: i64 = product >= 0 ? (<i64>1 << 30) : (<i64>1 - (<i64>1 << 30));
    high = <i32>((product + nudge) / (<i64>1 << 31));
  }
  const exponent = shift > 0 ? 0 : -shift;
  if (exponent == 0) return high;
  const mask = (1 << exponent) - 1;
  const remainder = high & mask;
  const threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * Packs int8 weights [n][k] (row stride k) into int16 panels of 4 channels: for each panel and
 * each block of 8 depths, 4 x 8 int16 values; depths past k and channels past n are zero.
 * `depth` is k rounded up to a multiple of 8.
 */
export function qs8_pack_weights(source: usize, n: i32, k: i32, depth: i32, packed: usize): void {
  const panels = (n + CHANNELS - 1) / CHANNELS;
  let target = packed;
  for (let panel = 0; panel < panels; panel++) {
    for (let block = 0; block < depth; block += 8) {
      for (let lane = 0; lane < CHANNELS; lane++) {
        const channel = panel * CHANNELS + lane;
        for (let index = 0; index < 8; index++) {
          const d = block + index;
          const value: i16 = channel < n && d < k ? <i16>load<i8>(source + <usize>(channel * k + d)) : 0;
          store<i16>(target, value);
          target += 2;
        }
      }
    }
  }
}

/**
 * Writes the int8 patches of output positions [rowStart, rowStart + rows) of one NHWC image,
 * each `depth` bytes long (kH * kW * c values, then zeros); taps outside the image hold `pad`.
 */
export function qs8_im2col(
  input: usize, inH: i32, inW: i32, c: i32,
  kH: i32, kW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, outW: i32, rowStart: i32, rows: i32, depth: i32, pad: i32, patches: usize,
): void {
  const used = kH * kW * c;
  for (let r = 0; r < rows; r++) {
    const position = rowStart + r;
    const oy = position / outW;
    const ox = position - oy * outW;
    let target = patches + <usize>(r * depth);
    for (let ky = 0; ky < kH; ky++) {
      const iy = oy * strideH - padTop + ky * dilationH;
      for (let kx = 0; kx < kW; kx++) {
        const ix = ox * strideW - padLeft + kx * dilationW;
        const inside = iy >= 0 && iy < inH && ix >= 0 && ix < inW;
        if (c >= 16) {
          if (inside) memory.copy(target, input + <usize>((iy * inW + ix) * c), <usize>c);
          else memory.fill(target, <u8>pad, <usize>c);
        } else {
          // Short pixels byte by byte: a bulk copy or fill costs a call.
          const source = input + <usize>((iy * inW + ix) * c);
          for (let channel = 0; channel < c; channel++) {
            store<u8>(target + <usize>channel, inside ? load<u8>(source + <usize>channel) : <u8>pad);
          }
        }
        target += <usize>c;
      }
    }
    memory.fill(target, 0, <usize>(depth - used));
  }
}

// @ts-ignore: decorator
@inline
function horizontal4(s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  const t0 = i32x4.add(v128.shuffle<i32>(s0, s1, 0, 4, 1, 5), v128.shuffle<i32>(s0, s1, 2, 6, 3, 7));
  const t1 = i32x4.add(v128.shuffle<i32>(s2, s3, 0, 4, 1, 5), v128.shuffle<i32>(s2, s3, 2, 6, 3, 7));
  return i32x4.add(v128.shuffle<i32>(t0, t1, 0, 1, 4, 5), v128.shuffle<i32>(t0, t1, 2, 3, 6, 7));
}

/** How a kernel finishes its int32 sums (a constant at each inlined call). */
// @ts-ignore: decorator
@inline export const DEQUANTIZE: i32 = 0;
/** `requantize_x4_with`: any multiplier and shift, double or single rounding by the constants. */
// @ts-ignore: decorator
@inline export const REQUANTIZE: i32 = 1;
/** `requantize_x4_fast` with double rounding. */
// @ts-ignore: decorator
@inline export const REQUANTIZE_FAST: i32 = 2;
/** `requantize_x4_fast` with single rounding. */
// @ts-ignore: decorator
@inline export const REQUANTIZE_FAST_SINGLE: i32 = 3;

/**
 * C[m][n] = clamp(requantize(A[m] . W[n] + bias[n]) + zeroPoint) for int8 A (rows of `depth`
 * bytes at stride `lda`, depth a multiple of 8) and packed weights; 2 rows x 4 channels per
 * step, products summed pairwise by i32x4.dot_i16x8_s. `bias` and the requantization constants
 * (`params`, from qs8_channel_params) hold `padded` channels, n rounded up to a multiple of 4.
 * `requantization` is REQUANTIZE, or REQUANTIZE_FAST(_SINGLE) when the caller has checked that
 * the layer suits `requantize_x4_fast`.
 */
export function qs8_gemm_2x4(
  a: usize, lda: i32, depth: i32, packed: usize, bias: usize, params: usize, padded: i32,
  c: usize, ldc: i32, m: i32, n: i32, zeroPoint: i32, low: i32, high: i32, requantization: i32,
): void {
  const zeroV = i32x4.splat(zeroPoint);
  const lowV = i32x4.splat(low);
  const highV = i32x4.splat(high);
  const one = f32x4.splat(1);
  if (requantization == REQUANTIZE_FAST) {
    gemm_2x4(REQUANTIZE_FAST, a, lda, depth, packed, bias, params, padded, c, ldc, m, n, zeroV, lowV, highV, 0, one, 0);
  } else if (requantization == REQUANTIZE_FAST_SINGLE) {
    gemm_2x4(REQUANTIZE_FAST_SINGLE, a, lda, depth, packed, bias, params, padded, c, ldc, m, n, zeroV, lowV, highV, 0, one, 0);
  } else {
    gemm_2x4(REQUANTIZE, a, lda, depth, packed, bias, params, padded, c, ldc, m, n, zeroV, lowV, highV, 0, one, 0);
  }
}

/**
 * The hybrid form of `qs8_gemm_2x4`: the same int8 sums plus the int32 `bias`, written as
 * float32 C[m][n] (row stride `ldc` floats) by `store_panel` with per-channel `scales`,
 * `rowScale` and `floatBias` (each padded to a multiple of 4), clamped to [low, high].
 */
export function qs8_gemm_dequantize_2x4(
  a: usize, lda: i32, depth: i32, packed: usize, bias: usize, scales: usize, rowScale: f32,
  floatBias: usize, c: usize, ldc: i32, m: i32, n: i32, low: f32, high: f32,
): void {
  gemm_2x4(DEQUANTIZE, a, lda, depth, packed, bias, 0, 4, c, ldc << 2, m, n,
    f32x4.splat(0), f32x4.splat(low), f32x4.splat(high), scales, f32x4.splat(rowScale), floatBias);
}

/**
 * Stores four outputs of channels `channel .. channel + 3` from their sums and the panel's
 * constants (loaded once per panel, see `panel_constant`): requantized to int8, or, for hybrid
 * layers, float32 clamp(float(acc) * scales * rowScale + floatBias) rounded in that order (`p1`
 * the scales, `p2` the float bias), as TFLite's hybrid convolution.
 */
// @ts-ignore: decorator
@inline
function store_panel(
  mode: i32, sums: v128, row: usize, channel: i32, n: i32, bias: v128,
  p1: v128, p2: v128, p3: v128, p4: v128, p5: v128, p6: v128, p7: v128,
  zeroV: v128, lowV: v128, highV: v128, rowScale: v128,
): void {
  const acc = i32x4.add(sums, bias);
  if (mode == DEQUANTIZE) {
    const scaled = f32x4.mul(f32x4.mul(f32x4.convert_i32x4_s(acc), p1), rowScale);
    const value = f32x4.min(f32x4.max(f32x4.add(scaled, p2), lowV), highV);
    const target = row + (<usize>channel << 2);
    if (channel + CHANNELS <= n) {
      v128.store(target, value);
    } else {
      v128.store(spill, value);
      memory.copy(target, spill, <usize>(n - channel) << 2);
    }
  } else {
    const requantized = mode == REQUANTIZE
      ? requantize_x4_with(acc, p1, p2, p3, p4, p5, p6, p7)
      : requantize_x4_fast(acc, p1, p2, p3, mode == REQUANTIZE_FAST_SINGLE);
    const value = i32x4.min_s(i32x4.max_s(i32x4.add(requantized, zeroV), lowV), highV);
    const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(value, value), value);
    const target = row + <usize>channel;
    if (channel + CHANNELS <= n) {
      v128.store32_lane(target, bytes, 0);
    } else {
      v128.store(spill, bytes);
      memory.copy(target, spill, <usize>(n - channel));
    }
  }
}

/**
 * The panel constants `store_panel` takes, by mode: REQUANTIZE the multiplier, 2^left, the
 * nudge's i64x2 halves, rounds, half, up; the fast forms the multiplier, half, up4; DEQUANTIZE
 * the scales and the float bias. Unused ones are zero.
 */
// @ts-ignore: decorator
@inline
function panel_constant(
  mode: i32, index: i32, params: usize, stride: usize, offset: usize, scales: usize,
  floatBias: usize,
): v128 {
  if (mode == DEQUANTIZE) {
    return index == 1 ? v128.load(scales + offset) : index == 2 ? v128.load(floatBias + offset) : i32x4.splat(0);
  }
  if (mode != REQUANTIZE) {
    const fast: usize = index == 1 ? PARAM_MULTIPLIER : index == 2 ? PARAM_HALF : PARAM_UP4;
    return index <= 3 ? v128.load(params + fast * stride + offset) : i32x4.splat(0);
  }
  if (index == 3) return i64x2.extend_low_i32x4_s(v128.load(params + PARAM_NUDGE * stride + offset));
  if (index == 4) return i64x2.extend_high_i32x4_s(v128.load(params + PARAM_NUDGE * stride + offset));
  const general: usize = index == 1 ? PARAM_MULTIPLIER : index == 2 ? PARAM_LEFT : index == 5 ? PARAM_ROUNDS : index == 6 ? PARAM_HALF : PARAM_UP;
  return v128.load(params + general * stride + offset);
}

/** The body of both GEMMs; `mode` is a constant at each (inlined) call. */
// @ts-ignore: decorator
@inline
function gemm_2x4(
  mode: i32, a: usize, lda: i32, depth: i32, packed: usize, bias: usize, params: usize,
  padded: i32, c: usize, ldc: i32, m: i32, n: i32, zeroV: v128, lowV: v128, highV: v128,
  scales: usize, rowScale: v128, floatBias: usize,
): void {
  const stride = <usize>padded << 2;
  const panels = (n + CHANNELS - 1) / CHANNELS;
  const panelBytes = <usize>(depth * CHANNELS * 2);
  // Rows in blocks that stay in cache while every panel passes over them; each panel's weights
  // stay in the first-level cache while the block's rows use them.
  for (let block = 0; block < m; block += ROW_BLOCK) {
    const blockEnd = min(m, block + ROW_BLOCK);
    for (let panel = 0; panel < panels; panel++) {
      const weights = packed + <usize>panel * panelBytes;
      const channel = panel * CHANNELS;
      const offset = <usize>channel << 2;
      const biasV = v128.load(bias + offset);
      const p1 = panel_constant(mode, 1, params, stride, offset, scales, floatBias);
      const p2 = panel_constant(mode, 2, params, stride, offset, scales, floatBias);
      const p3 = panel_constant(mode, 3, params, stride, offset, scales, floatBias);
      const p4 = panel_constant(mode, 4, params, stride, offset, scales, floatBias);
      const p5 = panel_constant(mode, 5, params, stride, offset, scales, floatBias);
      const p6 = panel_constant(mode, 6, params, stride, offset, scales, floatBias);
      const p7 = panel_constant(mode, 7, params, stride, offset, scales, floatBias);
      let row = block;
      for (; row + 2 <= blockEnd; row += 2) {
        const a0 = a + <usize>(row * lda);
        const a1 = a0 + <usize>lda;
        let w = weights;
        let s00 = i32x4.splat(0), s01 = i32x4.splat(0), s02 = i32x4.splat(0), s03 = i32x4.splat(0);
        let s10 = i32x4.splat(0), s11 = i32x4.splat(0), s12 = i32x4.splat(0), s13 = i32x4.splat(0);
        for (let d = 0; d < depth; d += 8) {
          const x0 = v128.load8x8_s(a0 + <usize>d);
          const x1 = v128.load8x8_s(a1 + <usize>d);
          const w0 = v128.load(w);
          const w1 = v128.load(w, 16);
          const w2 = v128.load(w, 32);
          const w3 = v128.load(w, 48);
          s00 = i32x4.add(s00, i32x4.dot_i16x8_s(x0, w0));
          s01 = i32x4.add(s01, i32x4.dot_i16x8_s(x0, w1));
          s02 = i32x4.add(s02, i32x4.dot_i16x8_s(x0, w2));
          s03 = i32x4.add(s03, i32x4.dot_i16x8_s(x0, w3));
          s10 = i32x4.add(s10, i32x4.dot_i16x8_s(x1, w0));
          s11 = i32x4.add(s11, i32x4.dot_i16x8_s(x1, w1));
          s12 = i32x4.add(s12, i32x4.dot_i16x8_s(x1, w2));
          s13 = i32x4.add(s13, i32x4.dot_i16x8_s(x1, w3));
          w += 64;
        }
        const c0 = c + <usize>(row * ldc);
        store_panel(mode, horizontal4(s00, s01, s02, s03), c0, channel, n, biasV, p1, p2, p3, p4, p5, p6, p7, zeroV, lowV, highV, rowScale);
        store_panel(mode, horizontal4(s10, s11, s12, s13), c0 + <usize>ldc, channel, n, biasV, p1, p2, p3, p4, p5, p6, p7, zeroV, lowV, highV, rowScale);
      }
      if (row < blockEnd) {
        const a0 = a + <usize>(row * lda);
        let w = weights;
        let s0 = i32x4.splat(0), s1 = i32x4.splat(0), s2 = i32x4.splat(0), s3 = i32x4.splat(0);
        for (let d = 0; d < depth; d += 8) {
          const x0 = v128.load8x8_s(a0 + <usize>d);
          s0 = i32x4.add(s0, i32x4.dot_i16x8_s(x0, v128.load(w)));
          s1 = i32x4.add(s1, i32x4.dot_i16x8_s(x0, v128.load(w, 16)));
          s2 = i32x4.add(s2, i32x4.dot_i16x8_s(x0, v128.load(w, 32)));
          s3 = i32x4.add(s3, i32x4.dot_i16x8_s(x0, v128.load(w, 48)));
          w += 64;
        }
        store_panel(mode, horizontal4(s0, s1, s2, s3), c + <usize>(row * ldc), channel, n, biasV, p1, p2, p3, p4, p5, p6, p7, zeroV, lowV, highV, rowScale);
      }
    }
  }
}

/**
 * Depthwise convolution on int8 with depth multiplier 1, 8 channels at a time: per tap inside
 * the image, (x - inputZero) * w as 16-bit products widened into two i32x4 sums; 3x3 windows
 * wholly inside the image take an unrolled path that starts from `interiorBias` (bias minus
 * inputZero times the sum of the channel's weights) and multiplies x itself. The bias, interior
 * bias and constants (`params` from qs8_channel_params) hold `padded` channels, c rounded up to
 * 8. The last c mod 8 channels go through `qs8_depthwise`'s scalar arithmetic. `requantization`
 * is REQUANTIZE, or REQUANTIZE_FAST when the caller has checked the layer suits it.
 */
export function qs8_depthwise_x8(
  input: usize, inH: i32, inW: i32, c: i32, filter: usize, bias: usize, interiorBias: usize,
  kH: i32, kW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, inputZero: i32,
  params: usize, padded: i32, zeroPoint: i32, low: i32, high: i32, output: usize,
  requantization: i32,
): void {
  if (requantization == REQUANTIZE_FAST) {
    depthwise_x8(REQUANTIZE_FAST, input, inH, inW, c, filter, bias, interiorBias, kH, kW, strideH,
      strideW, dilationH, dilationW, padTop, padLeft, outH, outW, inputZero, params, padded,
      zeroPoint, low, high, 0, 1, 0, 0, 0, output);
  } else {
    depthwise_x8(REQUANTIZE, input, inH, inW, c, filter, bias, interiorBias, kH, kW, strideH,
      strideW, dilationH, dilationW, padTop, padLeft, outH, outW, inputZero, params, padded,
      zeroPoint, low, high, 0, 1, 0, 0, 0, output);
  }
}

/**
 * The hybrid form of `qs8_depthwise_x8` (depth multiplier 1): the same sums of
 * (x - inputZero) * w, written as float32 clamp(float(acc) * scales[c] * rowScale +
 * floatBias[c], low, high); `scales` and `floatBias` padded to a multiple of 8.
 */
export function qs8_depthwise_dequantize_x8(
  input: usize, inH: i32, inW: i32, c: i32, filter: usize, interiorBias: usize,
  kH: i32, kW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, inputZero: i32,
  scales: usize, rowScale: f32, floatBias: usize, low: f32, high: f32, output: usize,
): void {
  depthwise_x8(DEQUANTIZE, input, inH, inW, c, filter, 0, interiorBias, kH, kW, strideH, strideW,
    dilationH, dilationW, padTop, padLeft, outH, outW, inputZero, 0, 8, 0, 0, 0,
    scales, rowScale, floatBias, low, high, output);
}

/** Requantizes four lanes of channels `channel ..` by `mode` (REQUANTIZE or a fast form). */
// @ts-ignore: decorator
@inline
function requantize_by_mode(mode: i32, acc: v128, params: usize, stride: usize, channel: i32): v128 {
  if (mode == REQUANTIZE) return requantize_x4(acc, params, stride, channel);
  const offset = <usize>channel << 2;
  return requantize_x4_fast(
    acc,
    v128.load(params + PARAM_MULTIPLIER * stride + offset),
    v128.load(params + PARAM_HALF * stride + offset),
    v128.load(params + PARAM_UP4 * stride + offset),
    mode == REQUANTIZE_FAST_SINGLE,
  );
}

/** Stores 8 channels of depthwise sums: requantized to int8, or dequantized to float32. */
// @ts-ignore: decorator
@inline
function store_x8(
  mode: i32, low4: v128, high4: v128, channel: i32, target: usize, params: usize,
  stride: usize, zeroV: v128, lowV: v128, highV: v128, scales: usize, rowScaleV: v128,
  floatBias: usize, lowFV: v128, highFV: v128,
): void {
  if (mode == DEQUANTIZE) {
    const offset = <usize>channel << 2;
    const first = f32x4.mul(f32x4.mul(f32x4.convert_i32x4_s(low4), v128.load(scales + offset)), rowScaleV);
    const second = f32x4.mul(f32x4.mul(f32x4.convert_i32x4_s(high4), v128.load(scales + offset, 16)), rowScaleV);
    v128.store(target + offset, f32x4.min(f32x4.max(f32x4.add(first, v128.load(floatBias + offset)), lowFV), highFV));
    v128.store(target + offset, f32x4.min(f32x4.max(f32x4.add(second, v128.load(floatBias + offset, 16)), lowFV), highFV), 16);
  } else {
    const first = i32x4.min_s(i32x4.max_s(i32x4.add(requantize_by_mode(mode, low4, params, stride, channel), zeroV), lowV), highV);
    const second = i32x4.min_s(i32x4.max_s(i32x4.add(requantize_by_mode(mode, high4, params, stride, channel + 4), zeroV), lowV), highV);
    const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(first, second), first);
    v128.store64_lane(target + <usize>channel, bytes, 0);
  }
}

/** The body of both depthwise kernels; `mode` is a constant at each (inlined) call. */
// @ts-ignore: decorator
@inline
function depthwise_x8(
  mode: i32, input: usize, inH: i32, inW: i32, c: i32, filter: usize, bias: usize,
  interiorBias: usize, kH: i32, kW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, inputZero: i32,
  params: usize, padded: i32, zeroPoint: i32, low: i32, high: i32,
  scales: usize, rowScale: f32, floatBias: usize, lowF: f32, highF: f32, output: usize,
): void {
  const stride = <usize>padded << 2;
  const zeroIn = i16x8.splat(<i16>inputZero);
  const zeroV = i32x4.splat(zeroPoint);
  const lowV = i32x4.splat(low);
  const highV = i32x4.splat(high);
  const rowScaleV = f32x4.splat(rowScale);
  const lowFV = f32x4.splat(lowF);
  const highFV = f32x4.splat(highF);
  const dequantize = mode == DEQUANTIZE;
  const outputPixel = <usize>c << (dequantize ? 2 : 0);
  const blocks = c & ~7;
  const rowBytes = <usize>(inW * c);
  const unrolled = kH == 3 && kW == 3;
  const dx = <usize>(dilationW * c);
  const dy = <usize>dilationH * rowBytes;
  const filterRow = <usize>(3 * c);
  const pixel = <usize>c;
  let target = output;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * strideH - padTop;
    const kyStart = y0 >= 0 ? 0 : (-y0 + dilationH - 1) / dilationH;
    const kyEnd = min(kH, (inH - y0 + dilationH - 1) / dilationH);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * strideW - padLeft;
      const kxStart = x0 >= 0 ? 0 : (-x0 + dilationW - 1) / dilationW;
      const kxEnd = min(kW, (inW - x0 + dilationW - 1) / dilationW);
      const origin = input + <usize>y0 * rowBytes + <usize>(x0 * c);
      const interior = unrolled && kyStart == 0 && kxStart == 0 && kyEnd == 3 && kxEnd == 3;
      for (let channel = 0; interior && channel < blocks; channel += 8) {
        // A 3x3 window wholly inside the image: unrolled, the zero point already folded into
        // interiorBias (bias - inputZero * the channel's nine weights).
        const p = origin + <usize>channel;
        const f = filter + <usize>channel;
        let low4 = v128.load(interiorBias + (<usize>channel << 2));
        let high4 = v128.load(interiorBias + (<usize>channel << 2), 16);
        let x: v128, w: v128;
          x = v128.load8x8_s(p + 0);
          w = v128.load8x8_s(f + 0);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = v128.load8x8_s(p + dx);
          w = v128.load8x8_s(f + pixel);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = v128.load8x8_s(p + 2 * dx);
          w = v128.load8x8_s(f + 2 * pixel);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = v128.load8x8_s(p + dy);
          w = v128.load8x8_s(f + filterRow);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = v128.load8x8_s(p + dy + dx);
          w = v128.load8x8_s(f + filterRow + pixel);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = v128.load8x8_s(p + dy + 2 * dx);
          w = v128.load8x8_s(f + filterRow + 2 * pixel);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = v128.load8x8_s(p + 2 * dy);
          w = v128.load8x8_s(f + 2 * filterRow);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = v128.load8x8_s(p + 2 * dy + dx);
          w = v128.load8x8_s(f + 2 * filterRow + pixel);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = v128.load8x8_s(p + 2 * dy + 2 * dx);
          w = v128.load8x8_s(f + 2 * filterRow + 2 * pixel);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
        store_x8(mode, low4, high4, channel, target, params, stride, zeroV, lowV, highV,
          scales, rowScaleV, floatBias, lowFV, highFV);
      }
      for (let channel = 0; !interior && channel < blocks; channel += 8) {
        let low4 = dequantize ? i32x4.splat(0) : v128.load(bias + (<usize>channel << 2));
        let high4 = dequantize ? i32x4.splat(0) : v128.load(bias + (<usize>channel << 2), 16);
        for (let ky = kyStart; ky < kyEnd; ky++) {
          const row = origin + <usize>(ky * dilationH) * rowBytes + <usize>channel;
          const filterRow = filter + <usize>(ky * kW * c + channel);
          for (let kx = kxStart; kx < kxEnd; kx++) {
            const x = i16x8.sub(v128.load8x8_s(row + <usize>(kx * dilationW * c)), zeroIn);
            const w = v128.load8x8_s(filterRow + <usize>(kx * c));
            low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
            high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          }
        }
        store_x8(mode, low4, high4, channel, target, params, stride, zeroV, lowV, highV,
          scales, rowScaleV, floatBias, lowFV, highFV);
      }
      for (let channel = blocks; channel < c; channel++) {
        let acc = dequantize ? 0 : load<i32>(bias + (<usize>channel << 2));
        for (let ky = kyStart; ky < kyEnd; ky++) {
          for (let kx = kxStart; kx < kxEnd; kx++) {
            acc += (<i32>load<i8>(origin + <usize>(ky * dilationH) * rowBytes + <usize>(kx * dilationW * c + channel)) - inputZero) *
              <i32>load<i8>(filter + <usize>((ky * kW + kx) * c + channel));
          }
        }
        const offset = <usize>channel << 2;
        if (dequantize) {
          const scaled = <f32>acc * load<f32>(scales + offset) * rowScale + load<f32>(floatBias + offset);
          store<f32>(target + offset, min(max(scaled, lowF), highF));
        } else {
          const value = requantize(acc, load<i32>(params + offset), scalar_shift(params, stride, offset)) + zeroPoint;
          store<i8>(target + <usize>channel, <i8>min(high, max(low, value)));
        }
      }
      target += outputPixel;
    }
  }
}

/** The TFLite shift a channel's constants encode (log2 of 2^left, or minus the exponent). */
// @ts-ignore: decorator
@inline
function scalar_shift(params: usize, stride: usize, offset: usize): i32 {
  const left = load<i32>(params + stride + offset);
  const up = load<i32>(params + 2 * stride + offset);
  return left > 1 ? 31 - clz(left) : -(30 - (31 - clz(up)));
}

/**
 * Depthwise convolution on int8, one image, any depth multiplier: per output channel o (input
 * channel o / multiplier), sum over the taps inside the image of (x - inputZero) * w, plus bias,
 * requantized per channel, plus the output zero point, clamped.
 */
export function qs8_depthwise(
  input: usize, inH: i32, inW: i32, c: i32, multiplier: i32, filter: usize, bias: usize,
  kH: i32, kW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, inputZero: i32,
  channelMultiplier: usize, channelShift: usize, zeroPoint: i32, low: i32, high: i32, output: usize,
): void {
  const outC = c * multiplier;
  let target = output;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let o = 0; o < outC; o++) {
        const channel = o / multiplier;
        let acc = load<i32>(bias + (<usize>o << 2));
        for (let ky = 0; ky < kH; ky++) {
          const iy = oy * strideH - padTop + ky * dilationH;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ix = ox * strideW - padLeft + kx * dilationW;
            if (ix < 0 || ix >= inW) continue;
            acc += (<i32>load<i8>(input + <usize>((iy * inW + ix) * c + channel)) - inputZero) *
              <i32>load<i8>(filter + <usize>((ky * kW + kx) * outC + o));
          }
        }
        const value = requantize(acc, load<i32>(channelMultiplier + (<usize>o << 2)), load<i32>(channelShift + (<usize>o << 2))) + zeroPoint;
        store<i8>(target, <i8>min(high, max(low, value)));
        target += 1;
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function load_operand_x8(pointer: usize, step: i32, zero: v128): v128 {
  const values = step ? v128.load8x8_s(pointer) : i16x8.splat(<i16>load<i8>(pointer));
  return i16x8.sub(values, zero);
}

// @ts-ignore: decorator
@inline
function add_sub_lanes(op: i32, a: v128, b: v128, paramsA: usize, paramsB: usize, paramsOut: usize): v128 {
  // TFLite: both inputs shifted left by 20 bits, each rescaled to twice the larger input scale,
  // summed (or subtracted), rescaled to the output.
  const scaledA = requantize_x4(i32x4.shl(a, 20), paramsA, 16, 0);
  const scaledB = requantize_x4(i32x4.shl(b, 20), paramsB, 16, 0);
  return requantize_x4(op == 1 ? i32x4.sub(scaledA, scaledB) : i32x4.add(scaledA, scaledB), paramsOut, 16, 0);
}

/**
 * ADD (op 0), SUB (op 1) or MUL (op 2) of int8 rows as TFLite's reference kernels compute them,
 * 8 values per step; operands step 1 (a full row) or 0 (one broadcast value). The requantization
 * constants are 4-channel blocks from qs8_channel_params: for ADD/SUB the two input rescalings
 * and the output's; for MUL only `paramsOut` (applied to the product).
 */
export function qs8_binary(
  op: i32, a: usize, aStep: i32, b: usize, bStep: i32, output: usize, n: i32,
  zeroA: i32, zeroB: i32, zeroOut: i32, low: i32, high: i32,
  paramsA: usize, paramsB: usize, paramsOut: usize,
): void {
  const za = i16x8.splat(<i16>zeroA);
  const zb = i16x8.splat(<i16>zeroB);
  const zo = i32x4.splat(zeroOut);
  const lowV = i32x4.splat(low);
  const highV = i32x4.splat(high);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const x = load_operand_x8(a + <usize>(i * aStep), aStep, za);
    const y = load_operand_x8(b + <usize>(i * bStep), bStep, zb);
    let first: v128, second: v128;
    if (op == 2) {
      first = requantize_x4(i32x4.extmul_low_i16x8_s(x, y), paramsOut, 16, 0);
      second = requantize_x4(i32x4.extmul_high_i16x8_s(x, y), paramsOut, 16, 0);
    } else {
      first = add_sub_lanes(op, i32x4.extend_low_i16x8_s(x), i32x4.extend_low_i16x8_s(y), paramsA, paramsB, paramsOut);
      second = add_sub_lanes(op, i32x4.extend_high_i16x8_s(x), i32x4.extend_high_i16x8_s(y), paramsA, paramsB, paramsOut);
    }
    first = i32x4.min_s(i32x4.max_s(i32x4.add(first, zo), lowV), highV);
    second = i32x4.min_s(i32x4.max_s(i32x4.add(second, zo), lowV), highV);
    v128.store64_lane(output + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(first, second), first), 0);
  }
  for (; i < n; i++) {
    const x = <i32>load<i8>(a + <usize>(i * aStep)) - zeroA;
    const y = <i32>load<i8>(b + <usize>(i * bStep)) - zeroB;
    let value: i32;
    if (op == 2) {
      value = i32x4.extract_lane(requantize_x4(i32x4.splat(x * y), paramsOut, 16, 0), 0);
    } else {
      value = i32x4.extract_lane(add_sub_lanes(op, i32x4.splat(x), i32x4.splat(y), paramsA, paramsB, paramsOut), 0);
    }
    store<i8>(output + <usize>i, <i8>min(high, max(low, value + zeroOut)));
  }
}

/**
 * QUANTIZE float32 to int8 as TFLite does: round(x / scale) half away from zero (the division in
 * float32), plus the zero point, clamped to [-128, 127]; 8 values per step.
 */
export function qs8_quantize(input: usize, output: usize, n: i32, scale: f32, zeroPoint: i32): void {
  const scaleV = f32x4.splat(scale);
  const half = f32x4.splat(0.5);
  const zero = i32x4.splat(zeroPoint);
  const low = i32x4.splat(-128);
  const high = i32x4.splat(127);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const first = round_x4(f32x4.div(v128.load(input + (<usize>i << 2)), scaleV), half);
    const second = round_x4(f32x4.div(v128.load(input + (<usize>i << 2), 16), scaleV), half);
    const a = i32x4.min_s(i32x4.max_s(i32x4.add(first, zero), low), high);
    const b = i32x4.min_s(i32x4.max_s(i32x4.add(second, zero), low), high);
    v128.store64_lane(output + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), a), 0);
  }
  for (; i < n; i++) {
    const scaled = load<f32>(input + (<usize>i << 2)) / scale;
    const truncated = Mathf.trunc(scaled);
    const rounded = Mathf.abs(scaled - truncated) >= 0.5 ? truncated + Mathf.sign(scaled) : truncated;
    const value = <i32>max(<f32>-1e9, min(<f32>1e9, rounded)) + zeroPoint;
    store<i8>(output + <usize>i, <i8>min(127, max(-128, value)));
  }
}

/**
 * Writes min(0, min x) and max(0, max x) over n floats to out[0] and out[1]: the range hybrid
 * layers quantize their input over.
 */
export function f32_range(input: usize, n: i32, out: usize): void {
  let low = f32x4.splat(0);
  let high = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const value = v128.load(input + (<usize>i << 2));
    low = f32x4.min(low, value);
    high = f32x4.max(high, value);
  }
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

/**
 * A hybrid layer's on-the-fly input quantization (TFLite's Asymmetric/SymmetricQuantizeFloats):
 * q = round(zeroPoint + x * inverse) half away from zero, in float32, clamped to [low, 127]
 * (low is -128, or -127 for the symmetric form); 8 values per step.
 */
export function qs8_quantize_hybrid(
  input: usize, output: usize, n: i32, inverse: f32, zeroPoint: i32, low: i32,
): void {
  const inverseV = f32x4.splat(inverse);
  const zeroF = f32x4.splat(<f32>zeroPoint);
  const half = f32x4.splat(0.5);
  const lowV = i32x4.splat(low);
  const highV = i32x4.splat(127);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const first = round_x4(f32x4.add(zeroF, f32x4.mul(v128.load(input + (<usize>i << 2)), inverseV)), half);
    const second = round_x4(f32x4.add(zeroF, f32x4.mul(v128.load(input + (<usize>i << 2), 16), inverseV)), half);
    const a = i32x4.min_s(i32x4.max_s(first, lowV), highV);
    const b = i32x4.min_s(i32x4.max_s(second, lowV), highV);
    v128.store64_lane(output + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), a), 0);
  }
  for (; i < n; i++) {
    const scaled = <f32>zeroPoint + load<f32>(input + (<usize>i << 2)) * inverse;
    const truncated = Mathf.trunc(scaled);
    const rounded = Mathf.abs(scaled - truncated) >= 0.5 ? truncated + Mathf.sign(scaled) : truncated;
    const value = <i32>max(<f32>-1e9, min(<f32>1e9, rounded));
    store<i8>(output + <usize>i, <i8>min(127, max(low, value)));
  }
}

/** Rounds four floats half away from zero to int32 (saturating): trunc, plus the sign when the dropped part is at least a half. */
// @ts-ignore: decorator
@inline
function round_x4(value: v128, half: v128): v128 {
  const truncated = f32x4.trunc(value);
  const away = f32x4.ge(f32x4.abs(f32x4.sub(value, truncated)), half);
  const step = v128.or(v128.and(value, i32x4.splat(0x80000000)), f32x4.splat(1));
  return i32x4.trunc_sat_f32x4_s(f32x4.add(truncated, v128.and(away, step)));
}

/**
 * A peak-throughput loop for benchmarks: `iterations` rounds of eight independent
 * i32x4.dot_i16x8_s + i32x4.add chains on register values (64 multiply-adds per round), the
 * ceiling `qs8_gemm_2x4` is measured against. Returns a lane so the work is kept.
 */
export function qs8_dot_peak(iterations: i32): i32 {
  const x = i16x8.splat(3);
  const y = i16x8.splat(-2);
  let s0 = i32x4.splat(0), s1 = i32x4.splat(1), s2 = i32x4.splat(2), s3 = i32x4.splat(3);
  let s4 = i32x4.splat(4), s5 = i32x4.splat(5), s6 = i32x4.splat(6), s7 = i32x4.splat(7);
  for (let i = 0; i < iterations; i++) {
    s0 = i32x4.add(s0, i32x4.dot_i16x8_s(x, y));
    s1 = i32x4.add(s1, i32x4.dot_i16x8_s(x, y));
    s2 = i32x4.add(s2, i32x4.dot_i16x8_s(x, y));
    s3 = i32x4.add(s3, i32x4.dot_i16x8_s(x, y));
    s4 = i32x4.add(s4, i32x4.dot_i16x8_s(x, y));
    s5 = i32x4.add(s5, i32x4.dot_i16x8_s(x, y));
    s6 = i32x4.add(s6, i32x4.dot_i16x8_s(x, y));
    s7 = i32x4.add(s7, i32x4.dot_i16x8_s(x, y));
  }
  const total = i32x4.add(i32x4.add(i32x4.add(s0, s1), i32x4.add(s2, s3)), i32x4.add(i32x4.add(s4, s5), i32x4.add(s6, s7)));
  return i32x4.extract_lane(total, 0);
}
