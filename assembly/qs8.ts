// Signed 8-bit (int8) kernels with TFLite's requantization, besides the GEMM (qs8_gemm.ts):
// im2col, depthwise convolution, element-wise ADD/SUB/MUL, QUANTIZE and the on-the-fly
// quantization of hybrid layers. For the GEMM the input zero point is folded into a per-channel
// bias at load (bias - zeroPoint * sum of the channel's weights); im2col fills padding with the
// input zero point, which the folding turns into zero contributions.

import {
  DEQUANTIZE, PARAM_HALF, PARAM_MULTIPLIER, PARAM_UP4, REQUANTIZE, REQUANTIZE_FAST,
  REQUANTIZE_FAST_SINGLE, requantize_x4, requantize_x4_fast,
} from "./qs8_requantize";

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
 * Writes the int8 patches of output positions [rowStart, rowStart + rows) of one NHWC image,
 * each `depth` bytes long (kH * kW * c values, then zeros); taps outside the image hold `pad`.
 */
export function qs8_im2col(
  input: usize, inH: i32, inW: i32, c: i32,
  kH: i32, kW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, outW: i32, rowStart: i32, rows: i32, depth: i32, pad: i32, patches: usize,
): void {
  const used = kH * kW * c;
  const rowOfTaps = <usize>(kW * c);
  for (let r = 0; r < rows; r++) {
    const position = rowStart + r;
    const oy = position / outW;
    const ox = position - oy * outW;
    let target = patches + <usize>(r * depth);
    const ix0 = ox * strideW - padLeft;
    for (let ky = 0; ky < kH; ky++) {
      const iy = oy * strideH - padTop + ky * dilationH;
      if (c < 16 && dilationW == 1 && iy >= 0 && iy < inH && ix0 >= 0 && ix0 + kW <= inW) {
        // A row of taps wholly inside the image is kW * c contiguous bytes of the input.
        copy_short(target, input + <usize>((iy * inW + ix0) * c), rowOfTaps);
        target += rowOfTaps;
        continue;
      }
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
    for (let padding = used; padding < depth; padding++) store<u8>(target++, 0);
  }
}

/** Copies `bytes` bytes (a few dozen at most) eight at a time, then one at a time. */
// @ts-ignore: decorator
@inline
function copy_short(target: usize, source: usize, bytes: usize): void {
  let offset: usize = 0;
  for (; offset + 8 <= bytes; offset += 8) store<u64>(target + offset, load<u64>(source + offset));
  for (; offset < bytes; offset++) store<u8>(target + offset, load<u8>(source + offset));
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
    // Narrowed to int16 with saturation, then the zero point added (saturating) and clamped:
    // what clamping in int32 gives, the bounds being int8.
    const narrowed = i16x8.narrow_i32x4_s(
      requantize_by_mode(mode, low4, params, stride, channel),
      requantize_by_mode(mode, high4, params, stride, channel + 4),
    );
    const clamped = i16x8.min_s(i16x8.max_s(i16x8.add_sat_s(narrowed, zeroV), lowV), highV);
    v128.store64_lane(target + <usize>channel, i8x16.narrow_i16x8_s(clamped, clamped), 0);
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
  const zeroV = i16x8.splat(<i16>zeroPoint);
  const lowV = i16x8.splat(<i16>low);
  const highV = i16x8.splat(<i16>high);
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
  const pairSums = unrolled && !has_minus_128(filter, 9 * c);
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
      let channel = 0;
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
        store_x8(mode, acc0, acc1, channel, target, params, stride, zeroV, lowV, highV,
          scales, rowScaleV, floatBias, lowFV, highFV);
        store_x8(mode, acc2, acc3, channel + 8, target, params, stride, zeroV, lowV, highV,
          scales, rowScaleV, floatBias, lowFV, highFV);
      }
      for (; interior && channel < blocks; channel += 8) {
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

/**
 * A hybrid layer's on-the-fly input quantization: q = round(zeroPoint + x * inverse) in float32,
 * clamped to [low, 127]; 8 values per step. The asymmetric form (low -128, TFLite's
 * AsymmetricQuantizeFloats) rounds halves up, floor(v + 0.5), as TensorFlow's kernels do
 * (measured); the symmetric one (low -127) rounds them away from zero.
 */
export function qs8_quantize_hybrid(
  input: usize, output: usize, n: i32, inverse: f32, zeroPoint: i32, low: i32,
): void {
  const halfUp = low == -128;
  const inverseV = f32x4.splat(inverse);
  const zeroF = f32x4.splat(<f32>zeroPoint);
  const half = f32x4.splat(0.5);
  const lowV = i32x4.splat(low);
  const highV = i32x4.splat(127);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const x0 = f32x4.add(zeroF, f32x4.mul(v128.load(input + (<usize>i << 2)), inverseV));
    const x1 = f32x4.add(zeroF, f32x4.mul(v128.load(input + (<usize>i << 2), 16), inverseV));
    const first = halfUp ? i32x4.trunc_sat_f32x4_s(f32x4.floor(f32x4.add(x0, half))) : round_x4(x0, half);
    const second = halfUp ? i32x4.trunc_sat_f32x4_s(f32x4.floor(f32x4.add(x1, half))) : round_x4(x1, half);
    const a = i32x4.min_s(i32x4.max_s(first, lowV), highV);
    const b = i32x4.min_s(i32x4.max_s(second, lowV), highV);
    v128.store64_lane(output + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), a), 0);
  }
  for (; i < n; i++) {
    const scaled = <f32>zeroPoint + load<f32>(input + (<usize>i << 2)) * inverse;
    const truncated = Mathf.trunc(scaled);
    const rounded = halfUp
      ? Mathf.floor(scaled + 0.5)
      : Mathf.abs(scaled - truncated) >= 0.5 ? truncated + Mathf.sign(scaled) : truncated;
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
 * ceiling `qs8_gemm_4x8` is measured against. Returns a lane so the work is kept.
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
