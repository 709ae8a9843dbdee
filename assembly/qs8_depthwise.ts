// Int8 depthwise convolution with TFLite's requantization: an 8-channel kernel for depth
// multiplier 1 (with an unrolled 3x3 interior, a relaxed dot path for 3x3 windows, and a hybrid
// form that writes float32), and a scalar kernel for any depth multiplier.

import {
  LAYER_ACTIVATION_FLIP, LAYER_ACTIVATION_XOR, LAYER_BIAS, LAYER_CHANNELS, LAYER_DILATION_H,
  LAYER_DILATION_W, LAYER_DOT_COLUMNS, LAYER_DOT_FILTER, LAYER_FILTER, LAYER_FLOAT_BIAS,
  LAYER_HIGH_F, LAYER_HIGH_I, LAYER_IN_H, LAYER_IN_W, LAYER_INPUT_ZERO, LAYER_INTERIOR_BIAS,
  LAYER_K_H, LAYER_K_W, LAYER_LOW_F, LAYER_LOW_I, LAYER_MULTIPLIER, LAYER_MULTIPLIERS,
  LAYER_ONE_SHIFT, LAYER_ONE_SHIFT_PARAMS, LAYER_OUT_H, LAYER_OUT_W, LAYER_PAD_LEFT, LAYER_PAD_TOP,
  LAYER_PADDED, LAYER_PARAMS, LAYER_REQUANTIZATION, LAYER_SCALES, LAYER_SHIFTS, LAYER_STRIDE_H,
  LAYER_STRIDE_W, LAYER_ZERO_POINT,
} from "./kernel_layout.generated";
import {
  bytes_high, bytes_low, pairs_high, pairs_low,
} from "./qs8_depthwise_dot";
import { store_x8, store_x8_pair } from "./qs8_depthwise_output";
import { end_tap, first_tap } from "./window";
import { dot_add } from "./qs8_gemm_dot";
import {
  DEQUANTIZE, REQUANTIZE, REQUANTIZE_FAST, REQUANTIZE_FP32, REQUANTIZE_ONE_SHIFT, one_shift,
  output_high, output_low, output_zero, requantize, requantize_fp32,
} from "./qs8_requantize";

/**
 * Depthwise convolution on int8 with depth multiplier 1, 8 channels at a time, over one image
 * with the layer block's window, filter and constants: per tap inside the image,
 * (x - inputZero) * w as 16-bit products widened into two i32x4 sums; 3x3 windows wholly inside
 * the image take an unrolled path that starts from `interiorBias` (bias minus inputZero times
 * the sum of the channel's weights) and multiplies x itself. The bias, interior bias and
 * constants (`params` from qs8_channel_params) hold `padded` channels, c rounded up to 8. The
 * last c mod 8 channels go through `qs8_depthwise`'s scalar arithmetic. Where the layer block
 * holds a `dotFilter` (3x3 windows, from `depthwiseDotFilter`), every window's blocks of 16
 * channels take the relaxed int8 dot product instead, a row at a time (`dot_row`, its `dotColumns`
 * columns at `columns`), taps outside the image read from the filter's
 * pixel of inputZero, activations XORed with `activationXor`. `requantization` is
 * REQUANTIZE, REQUANTIZE_FAST or REQUANTIZE_ONE_SHIFT (int8 layers only; its shift `oneShift`)
 * when the caller has checked the layer suits it, or REQUANTIZE_FP32 (`params` then holds the
 * channels' float32 scales); the output
 * stage is `zeroPoint`, `lowI`, `highI`. A uint8 layer (`activationFlip` 0x80, TFLite's
 * requantization only, no `dotFilter`) reads each input x as the int8 x - 128, its zero points
 * and clamp in that form, and its filter as int16 (the uint8 weights less their zero point); its
 * int8 outputs are the uint8 ones minus 128.
 */
export function qs8_depthwise_x8(input: usize, output: usize, layer: usize, columns: usize): void {
  const inputZero = load<i32>(layer + LAYER_INPUT_ZERO);
  const requantization = load<i32>(layer + LAYER_REQUANTIZATION);
  const uint8 = load<i32>(layer + LAYER_ACTIVATION_FLIP) != 0;
  if (requantization == REQUANTIZE_ONE_SHIFT) {
    depthwise_x8(REQUANTIZE_ONE_SHIFT, false, input, output, layer, columns, inputZero, 1);
  } else if (requantization == REQUANTIZE_FAST) {
    if (uint8) depthwise_x8(REQUANTIZE_FAST, true, input, output, layer, columns, inputZero, 1);
    else depthwise_x8(REQUANTIZE_FAST, false, input, output, layer, columns, inputZero, 1);
  } else if (requantization == REQUANTIZE_FP32) {
    depthwise_x8(REQUANTIZE_FP32, false, input, output, layer, columns, inputZero, 1);
  } else if (uint8) {
    depthwise_x8(REQUANTIZE, true, input, output, layer, columns, inputZero, 1);
  } else {
    depthwise_x8(REQUANTIZE, false, input, output, layer, columns, inputZero, 1);
  }
}

/**
 * The hybrid form of `qs8_depthwise_x8` (depth multiplier 1) for an image quantized with
 * `inputZero`: the same sums of (x - inputZero) * w, written as float32 clamp(float(acc) *
 * scales[c] * rowScale + floatBias[c], lowF, highF); `scales` and `floatBias` (the layer
 * block's) padded to a multiple of 8.
 */
export function qs8_depthwise_dequantize_x8(
  input: usize, output: usize, layer: usize, inputZero: i32, rowScale: f32,
): void {
  depthwise_x8(DEQUANTIZE, false, input, output, layer, 0, inputZero, rowScale);
}

/**
 * One output row of the relaxed dot path for the 16 channels from `channel` (`input` the image,
 * `pad` the pixel of inputZero, both advanced to that channel): each input column the row's
 * windows span, from x = `firstX`, is read once, its three taps (rows y0, y0 + dilationH and
 * y0 + 2 dilationH, or `pad` outside the image) XORed with `flip` and transposed into four
 * vectors of four channels' taps (qs8_depthwise_dot.ts; the fourth tap's weight is zero), 64
 * bytes a column at `columns`; then each output pixel adds its three columns' dot products with
 * the block's weights to the block's bias (`packed`, see `depthwiseDotFilter`), two pixels at a
 * time.
 */
// @ts-ignore: decorator
@inline
function dot_row(
  mode: i32, input: usize, target: usize, packed: usize, pad: usize, columns: usize, y0: i32,
  kyStart: i32, kyEnd: i32, dilationH: i32, rowBytes: usize, firstX: i32, columnCount: i32,
  inW: i32, pixel: usize, flip: v128, outW: i32, strideW: i32, dilationW: i32,
  outputPixel: usize, channel: i32, params: usize, stride: usize, zeroV: v128, lowV: v128,
  highV: v128, shift: i32, scales: usize, rowScaleV: v128, floatBias: usize, lowFV: v128,
  highFV: v128,
): void {
  const inside0 = kyStart <= 0 && kyEnd > 0;
  const inside1 = kyStart <= 1 && kyEnd > 1;
  const inside2 = kyStart <= 2 && kyEnd > 2;
  const row0 = input + <usize>y0 * rowBytes;
  const row1 = row0 + <usize>dilationH * rowBytes;
  const row2 = row1 + <usize>dilationH * rowBytes;
  for (let column = 0; column < columnCount; column++) {
    const x = firstX + column;
    const inside = x >= 0 && x < inW;
    const offset = <usize>x * pixel;
    const t0 = v128.xor(v128.load(inside && inside0 ? row0 + offset : pad), flip);
    const t1 = v128.xor(v128.load(inside && inside1 ? row1 + offset : pad), flip);
    const t2 = v128.xor(v128.load(inside && inside2 ? row2 + offset : pad), flip);
    const low = bytes_low(t0, t1), high = bytes_high(t0, t1);
    const low2 = bytes_low(t2, t2), high2 = bytes_high(t2, t2);
    const at = columns + (<usize>column << 6);
    v128.store(at, pairs_low(low, low2));
    v128.store(at, pairs_high(low, low2), 16);
    v128.store(at, pairs_low(high, high2), 32);
    v128.store(at, pairs_high(high, high2), 48);
  }
  const step = <usize>strideW << 6;
  const tap = <usize>dilationW << 6;
  let at = columns;
  let out = target;
  // Two output pixels a step, sharing the block's weight loads and its requantization constants
  // (`store_x8_pair`); an odd last pixel is its own second.
  for (let ox = 0; ox < outW; ox += 2) {
    const single = ox + 1 == outW;
    const atB = single ? at : at + step;
    const outB = single ? out : out + outputPixel;
    let a0 = v128.load(packed), a1 = v128.load(packed, 16);
    let a2 = v128.load(packed, 32), a3 = v128.load(packed, 48);
    let b0 = a0, b1 = a1, b2 = a2, b3 = a3;
    // Each of the window's three columns: its four vectors of taps against the block's weights.
    for (let column: usize = 0; column < 3; column++) {
      const columnA = at + column * tap;
      const columnB = atB + column * tap;
      const weights = packed + 64 + (column << 6);
      let w = v128.load(weights);
      a0 = dot_add(w, v128.load(columnA), a0);
      b0 = dot_add(w, v128.load(columnB), b0);
      w = v128.load(weights, 16);
      a1 = dot_add(w, v128.load(columnA, 16), a1);
      b1 = dot_add(w, v128.load(columnB, 16), b1);
      w = v128.load(weights, 32);
      a2 = dot_add(w, v128.load(columnA, 32), a2);
      b2 = dot_add(w, v128.load(columnB, 32), b2);
      w = v128.load(weights, 48);
      a3 = dot_add(w, v128.load(columnA, 48), a3);
      b3 = dot_add(w, v128.load(columnB, 48), b3);
    }
    store_x8_pair(mode, a0, a1, b0, b1, channel, out, outB, params, stride, zeroV, lowV, highV,
      shift, scales, rowScaleV, floatBias, lowFV, highFV);
    store_x8_pair(mode, a2, a3, b2, b3, channel + 8, out, outB, params, stride, zeroV, lowV,
      highV, shift, scales, rowScaleV, floatBias, lowFV, highFV);
    at += step << 1;
    out += outputPixel << 1;
  }
}

/** Whether any of `count` int8 values at `values` is -128. */
function has_minus_128(values: usize, count: i32): bool {
  const minimum = i8x16.splat(-128);
  let found = i8x16.splat(0);
  let i = 0;
  for (; i + 16 <= count; i += 16) found = v128.or(found, i8x16.eq(v128.load(values + <usize>i), minimum));
  for (; i < count; i++) if (load<i8>(values + <usize>i) == -128) return true;
  return v128.any_true(found);
}

/** 8 activations at `at` widened to int16: int8 values, or (`uint8`) uint8 ones as x - 128. */
// @ts-ignore: decorator
@inline
function load_x8(uint8: bool, at: usize): v128 {
  return uint8 ? i16x8.extend_low_i8x16_s(v128.xor(v128.load64_zero(at), i8x16.splat(-128))) : v128.load8x8_s(at);
}

/** 8 weights at `at` as int16: int8 ones widened, or (`uint8`) int16 ones as they are. */
// @ts-ignore: decorator
@inline
function load_w8(uint8: bool, at: usize): v128 {
  return uint8 ? v128.load(at) : v128.load8x8_s(at);
}

/** Weight `index` of the filter at `filter`: int8, or (`uint8`) int16. */
// @ts-ignore: decorator
@inline
function weight(uint8: bool, filter: usize, index: i32): i32 {
  return uint8 ? <i32>load<i16>(filter + (<usize>index << 1)) : <i32>load<i8>(filter + <usize>index);
}

/**
 * The body of both depthwise kernels; `mode` and `uint8` (uint8 activations read as x - 128, an
 * int16 filter) are constants at each (inlined) call. Of the layer
 * block it reads the window, filter and interior bias, and either the int8 output stage (bias,
 * params, padded, zeroPoint, lowI, highI) or, for DEQUANTIZE, the float one (scales, floatBias,
 * lowF, highF).
 */
// @ts-ignore: decorator
@inline
function depthwise_x8(
  mode: i32, uint8: bool, input: usize, output: usize, layer: usize, columns: usize,
  inputZero: i32, rowScale: f32,
): void {
  const dequantize = mode == DEQUANTIZE;
  const inH = load<i32>(layer + LAYER_IN_H);
  const inW = load<i32>(layer + LAYER_IN_W);
  const c = load<i32>(layer + LAYER_CHANNELS);
  const kH = load<i32>(layer + LAYER_K_H);
  const kW = load<i32>(layer + LAYER_K_W);
  const strideH = load<i32>(layer + LAYER_STRIDE_H);
  const strideW = load<i32>(layer + LAYER_STRIDE_W);
  const dilationH = load<i32>(layer + LAYER_DILATION_H);
  const dilationW = load<i32>(layer + LAYER_DILATION_W);
  const padTop = load<i32>(layer + LAYER_PAD_TOP);
  const padLeft = load<i32>(layer + LAYER_PAD_LEFT);
  const outH = load<i32>(layer + LAYER_OUT_H);
  const outW = load<i32>(layer + LAYER_OUT_W);
  const filter = load<usize>(layer + LAYER_FILTER);
  const interiorBias = load<usize>(layer + LAYER_INTERIOR_BIAS);
  const dotFilter: usize = dequantize ? 0 : load<usize>(layer + LAYER_DOT_FILTER);
  const flip = i8x16.splat(<i8>load<i32>(layer + LAYER_ACTIVATION_XOR));
  const padPixel = dotFilter + (<usize>(load<i32>(layer + LAYER_CHANNELS) >> 4) << 8);
  const bias: usize = dequantize ? 0 : load<usize>(layer + LAYER_BIAS);
  const params: usize = dequantize ? 0 : load<usize>(layer + LAYER_PARAMS);
  const padded = dequantize ? 8 : load<i32>(layer + LAYER_PADDED);
  const zeroPoint = dequantize ? 0 : load<i32>(layer + LAYER_ZERO_POINT);
  const low = dequantize ? 0 : load<i32>(layer + LAYER_LOW_I);
  const high = dequantize ? 0 : load<i32>(layer + LAYER_HIGH_I);
  const shift = dequantize ? 0 : load<i32>(layer + LAYER_ONE_SHIFT);
  // The constants the vector paths read (the one-shift form's apart from the scalar path's).
  const vectorParams: usize = one_shift(mode)
    ? load<usize>(layer + LAYER_ONE_SHIFT_PARAMS)
    : params;
  const scales: usize = dequantize ? load<usize>(layer + LAYER_SCALES) : 0;
  const floatBias: usize = dequantize ? load<usize>(layer + LAYER_FLOAT_BIAS) : 0;
  const lowF: f32 = dequantize ? load<f32>(layer + LAYER_LOW_F) : 0;
  const highF: f32 = dequantize ? load<f32>(layer + LAYER_HIGH_F) : 0;
  const stride = <usize>padded << 2;
  const zeroIn = i16x8.splat(<i16>inputZero);
  const zeroV = output_zero(mode, zeroPoint);
  const lowV = output_low(mode, zeroPoint, low);
  const highV = output_high(mode, high);
  const rowScaleV = f32x4.splat(rowScale);
  const lowFV = f32x4.splat(lowF);
  const highFV = f32x4.splat(highF);
  const outputPixel = <usize>c << (dequantize ? 2 : 0);
  const blocks = c & ~7;
  const rowBytes = <usize>(inW * c);
  const unrolled = kH == 3 && kW == 3;
  const dx = <usize>(dilationW * c);
  const dy = <usize>dilationH * rowBytes;
  // The filter's bytes per weight, as a shift.
  const weightShift: usize = uint8 ? 1 : 0;
  const filterRow = <usize>(3 * c) << weightShift;
  const pixel = <usize>c << weightShift;
  const pairSums = !uint8 && unrolled && !has_minus_128(filter, 9 * c);
  // The relaxed dot path's channels (whole blocks of 16), and the input columns one output row's
  // windows span (from -padLeft).
  const dotChannels = !uint8 && unrolled && dotFilter != 0 ? c & ~15 : 0;
  const columnCount = load<i32>(layer + LAYER_DOT_COLUMNS);
  let target = output;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * strideH - padTop;
    const kyStart = first_tap(y0, dilationH);
    const kyEnd = end_tap(y0, inH, kH, dilationH);
    for (let channel = 0; channel < dotChannels; channel += 16) {
      dot_row(
        mode, input + <usize>channel, target, dotFilter + (<usize>channel << 4),
        padPixel + <usize>channel, columns, y0, kyStart, kyEnd, dilationH, rowBytes, -padLeft,
        columnCount, inW, pixel, flip, outW, strideW, dilationW, outputPixel, channel,
        vectorParams, stride, zeroV, lowV, highV, shift, scales, rowScaleV, floatBias, lowFV,
        highFV,
      );
    }
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * strideW - padLeft;
      const kxStart = first_tap(x0, dilationW);
      const kxEnd = end_tap(x0, inW, kW, dilationW);
      const origin = input + <usize>y0 * rowBytes + <usize>(x0 * c);
      const interior = unrolled && kyStart == 0 && kxStart == 0 && kyEnd == 3 && kxEnd == 3;
      let channel = dotChannels;
      for (; interior && pairSums && channel + 16 <= blocks; channel += 16) {
        // 16 channels: two taps' int16 products summed in int16 before widening (no weight is
        // -128, so each product is within 128 x 127 and two of them fit int16).
        const p = origin + <usize>channel;
        const f = filter + <usize>channel;
        const biasAt = interiorBias + (<usize>channel << 2);
        let acc0 = v128.load(biasAt), acc1 = v128.load(biasAt, 16);
        let acc2 = v128.load(biasAt, 32), acc3 = v128.load(biasAt, 48);
        let x: v128, w: v128, y: v128, v: v128, low8: v128, high8: v128;
        x = v128.load(p); w = v128.load(f);
        y = v128.load(p + dx); v = v128.load(f + pixel);
        low8 = i16x8.add(i16x8.extmul_low_i8x16_s(x, w), i16x8.extmul_low_i8x16_s(y, v));
        high8 = i16x8.add(i16x8.extmul_high_i8x16_s(x, w), i16x8.extmul_high_i8x16_s(y, v));
        acc0 = i32x4.add(acc0, i32x4.extend_low_i16x8_s(low8));
        acc1 = i32x4.add(acc1, i32x4.extend_high_i16x8_s(low8));
        acc2 = i32x4.add(acc2, i32x4.extend_low_i16x8_s(high8));
        acc3 = i32x4.add(acc3, i32x4.extend_high_i16x8_s(high8));
        x = v128.load(p + 2 * dx); w = v128.load(f + 2 * pixel);
        y = v128.load(p + dy); v = v128.load(f + filterRow);
        low8 = i16x8.add(i16x8.extmul_low_i8x16_s(x, w), i16x8.extmul_low_i8x16_s(y, v));
        high8 = i16x8.add(i16x8.extmul_high_i8x16_s(x, w), i16x8.extmul_high_i8x16_s(y, v));
        acc0 = i32x4.add(acc0, i32x4.extend_low_i16x8_s(low8));
        acc1 = i32x4.add(acc1, i32x4.extend_high_i16x8_s(low8));
        acc2 = i32x4.add(acc2, i32x4.extend_low_i16x8_s(high8));
        acc3 = i32x4.add(acc3, i32x4.extend_high_i16x8_s(high8));
        x = v128.load(p + dy + dx); w = v128.load(f + filterRow + pixel);
        y = v128.load(p + dy + 2 * dx); v = v128.load(f + filterRow + 2 * pixel);
        low8 = i16x8.add(i16x8.extmul_low_i8x16_s(x, w), i16x8.extmul_low_i8x16_s(y, v));
        high8 = i16x8.add(i16x8.extmul_high_i8x16_s(x, w), i16x8.extmul_high_i8x16_s(y, v));
        acc0 = i32x4.add(acc0, i32x4.extend_low_i16x8_s(low8));
        acc1 = i32x4.add(acc1, i32x4.extend_high_i16x8_s(low8));
        acc2 = i32x4.add(acc2, i32x4.extend_low_i16x8_s(high8));
        acc3 = i32x4.add(acc3, i32x4.extend_high_i16x8_s(high8));
        x = v128.load(p + 2 * dy); w = v128.load(f + 2 * filterRow);
        y = v128.load(p + 2 * dy + dx); v = v128.load(f + 2 * filterRow + pixel);
        low8 = i16x8.add(i16x8.extmul_low_i8x16_s(x, w), i16x8.extmul_low_i8x16_s(y, v));
        high8 = i16x8.add(i16x8.extmul_high_i8x16_s(x, w), i16x8.extmul_high_i8x16_s(y, v));
        acc0 = i32x4.add(acc0, i32x4.extend_low_i16x8_s(low8));
        acc1 = i32x4.add(acc1, i32x4.extend_high_i16x8_s(low8));
        acc2 = i32x4.add(acc2, i32x4.extend_low_i16x8_s(high8));
        acc3 = i32x4.add(acc3, i32x4.extend_high_i16x8_s(high8));
        x = v128.load(p + 2 * dy + 2 * dx); w = v128.load(f + 2 * filterRow + 2 * pixel);
        low8 = i16x8.extmul_low_i8x16_s(x, w);
        high8 = i16x8.extmul_high_i8x16_s(x, w);
        acc0 = i32x4.add(acc0, i32x4.extend_low_i16x8_s(low8));
        acc1 = i32x4.add(acc1, i32x4.extend_high_i16x8_s(low8));
        acc2 = i32x4.add(acc2, i32x4.extend_low_i16x8_s(high8));
        acc3 = i32x4.add(acc3, i32x4.extend_high_i16x8_s(high8));
        store_x8(mode, acc0, acc1, channel, target, vectorParams, stride, zeroV, lowV, highV,
          shift, scales, rowScaleV, floatBias, lowFV, highFV);
        store_x8(mode, acc2, acc3, channel + 8, target, vectorParams, stride, zeroV, lowV, highV,
          shift, scales, rowScaleV, floatBias, lowFV, highFV);
      }
      for (; interior && channel < blocks; channel += 8) {
        // A 3x3 window wholly inside the image: unrolled, the zero point already folded into
        // interiorBias (bias - inputZero * the channel's nine weights).
        const p = origin + <usize>channel;
        const f = filter + (<usize>channel << weightShift);
        let low4 = v128.load(interiorBias + (<usize>channel << 2));
        let high4 = v128.load(interiorBias + (<usize>channel << 2), 16);
        let x: v128, w: v128;
          x = load_x8(uint8, p + 0);
          w = load_w8(uint8, f + 0);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = load_x8(uint8, p + dx);
          w = load_w8(uint8, f + pixel);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = load_x8(uint8, p + 2 * dx);
          w = load_w8(uint8, f + 2 * pixel);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = load_x8(uint8, p + dy);
          w = load_w8(uint8, f + filterRow);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = load_x8(uint8, p + dy + dx);
          w = load_w8(uint8, f + filterRow + pixel);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = load_x8(uint8, p + dy + 2 * dx);
          w = load_w8(uint8, f + filterRow + 2 * pixel);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = load_x8(uint8, p + 2 * dy);
          w = load_w8(uint8, f + 2 * filterRow);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = load_x8(uint8, p + 2 * dy + dx);
          w = load_w8(uint8, f + 2 * filterRow + pixel);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          x = load_x8(uint8, p + 2 * dy + 2 * dx);
          w = load_w8(uint8, f + 2 * filterRow + 2 * pixel);
          low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
          high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
        store_x8(mode, low4, high4, channel, target, vectorParams, stride, zeroV, lowV, highV,
          shift, scales, rowScaleV, floatBias, lowFV, highFV);
      }
      for (; !interior && channel < blocks; channel += 8) {
        let low4 = dequantize ? i32x4.splat(0) : v128.load(bias + (<usize>channel << 2));
        let high4 = dequantize ? i32x4.splat(0) : v128.load(bias + (<usize>channel << 2), 16);
        for (let ky = kyStart; ky < kyEnd; ky++) {
          const row = origin + <usize>(ky * dilationH) * rowBytes + <usize>channel;
          const filterRow = filter + (<usize>(ky * kW * c + channel) << weightShift);
          for (let kx = kxStart; kx < kxEnd; kx++) {
            const x = i16x8.sub(load_x8(uint8, row + <usize>(kx * dilationW * c)), zeroIn);
            const w = load_w8(uint8, filterRow + (<usize>(kx * c) << weightShift));
            low4 = i32x4.add(low4, i32x4.extmul_low_i16x8_s(x, w));
            high4 = i32x4.add(high4, i32x4.extmul_high_i16x8_s(x, w));
          }
        }
        store_x8(mode, low4, high4, channel, target, vectorParams, stride, zeroV, lowV, highV,
          shift, scales, rowScaleV, floatBias, lowFV, highFV);
      }
      for (let channel = blocks; channel < c; channel++) {
        let acc = dequantize ? 0 : load<i32>(bias + (<usize>channel << 2));
        for (let ky = kyStart; ky < kyEnd; ky++) {
          for (let kx = kxStart; kx < kxEnd; kx++) {
            const x = <i8>(load<u8>(origin + <usize>(ky * dilationH) * rowBytes + <usize>(kx * dilationW * c + channel)) ^ (uint8 ? 0x80 : 0));
            acc += (<i32>x - inputZero) *
              weight(uint8, filter, (ky * kW + kx) * c + channel);
          }
        }
        const offset = <usize>channel << 2;
        if (dequantize) {
          const scaled = <f32>acc * load<f32>(scales + offset) * rowScale + load<f32>(floatBias + offset);
          store<f32>(target + offset, min(max(scaled, lowF), highF));
        } else {
          const value = (mode == REQUANTIZE_FP32
            ? requantize_fp32(acc, load<f32>(params + offset))
            : requantize(acc, load<i32>(params + offset), scalar_shift(params, stride, offset))) + zeroPoint;
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
 * requantized per channel (TFLite's `multipliers` and `shifts`), plus the output zero point,
 * clamped to [lowI, highI]; all but the image and output from the layer block. A uint8 layer
 * (`activationFlip` 0x80) has each input byte XORed with it (x read as the int8 x - 128) and an
 * int16 filter.
 */
export function qs8_depthwise(input: usize, output: usize, layer: usize): void {
  if (load<i32>(layer + LAYER_ACTIVATION_FLIP) != 0) depthwise_scalar(true, input, output, layer);
  else depthwise_scalar(false, input, output, layer);
}

/** The body of `qs8_depthwise`; `uint8` is a constant at each (inlined) call. */
// @ts-ignore: decorator
@inline
function depthwise_scalar(uint8: bool, input: usize, output: usize, layer: usize): void {
  const inH = load<i32>(layer + LAYER_IN_H);
  const inW = load<i32>(layer + LAYER_IN_W);
  const c = load<i32>(layer + LAYER_CHANNELS);
  const multiplier = load<i32>(layer + LAYER_MULTIPLIER);
  const kH = load<i32>(layer + LAYER_K_H);
  const kW = load<i32>(layer + LAYER_K_W);
  const strideH = load<i32>(layer + LAYER_STRIDE_H);
  const strideW = load<i32>(layer + LAYER_STRIDE_W);
  const dilationH = load<i32>(layer + LAYER_DILATION_H);
  const dilationW = load<i32>(layer + LAYER_DILATION_W);
  const padTop = load<i32>(layer + LAYER_PAD_TOP);
  const padLeft = load<i32>(layer + LAYER_PAD_LEFT);
  const outH = load<i32>(layer + LAYER_OUT_H);
  const outW = load<i32>(layer + LAYER_OUT_W);
  const inputZero = load<i32>(layer + LAYER_INPUT_ZERO);
  const filter = load<usize>(layer + LAYER_FILTER);
  const bias = load<usize>(layer + LAYER_BIAS);
  const channelMultiplier = load<usize>(layer + LAYER_MULTIPLIERS);
  const channelShift = load<usize>(layer + LAYER_SHIFTS);
  const zeroPoint = load<i32>(layer + LAYER_ZERO_POINT);
  const low = load<i32>(layer + LAYER_LOW_I);
  const high = load<i32>(layer + LAYER_HIGH_I);
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
            const x = <i8>(load<u8>(input + <usize>((iy * inW + ix) * c + channel)) ^ (uint8 ? 0x80 : 0));
            acc += (<i32>x - inputZero) * weight(uint8, filter, (ky * kW + kx) * outC + o);
          }
        }
        const value = requantize(acc, load<i32>(channelMultiplier + (<usize>o << 2)), load<i32>(channelShift + (<usize>o << 2))) + zeroPoint;
        store<i8>(target, <i8>min(high, max(low, value)));
        target += 1;
      }
    }
  }
}
