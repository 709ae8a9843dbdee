// int16x8 layers: their requantization (TFLite's MultiplyByQuantizedMultiplier for int64 sums,
// with the multiplier reduced to 15 bits, or ruy's single rounding) from the int32 sums that
// `qs8_gemm_sums_4x8` and `qs16_depthwise_sums` write, to int16 outputs.

import {
  LAYER_BIAS, LAYER_CHANNELS, LAYER_DILATION_H, LAYER_DILATION_W, LAYER_FILTER, LAYER_IN_H,
  LAYER_IN_W, LAYER_K_H, LAYER_K_W, LAYER_OUT_H, LAYER_OUT_W, LAYER_PAD_LEFT, LAYER_PAD_TOP,
  LAYER_STRIDE_H, LAYER_STRIDE_W,
} from "./kernel_layout.generated";

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

/**
 * int16x8 DEPTHWISE_CONV_2D (depth multiplier 1), one NHWC image: for every output pixel and
 * channel the int32 sum of its taps inside the image, int16 input times int8 `filter` [kH][kW][c],
 * plus `bias`, written as rows of c int32 at `sums` for `qs16_requantize_sums`; 8 channels at a
 * time. Exact while each sum stays within int32 (the caller bounds it at load). The window, filter
 * and bias come from the layer block.
 */
export function qs16_depthwise_sums(input: usize, sums: usize, layer: usize): void {
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
  const bias = load<usize>(layer + LAYER_BIAS);
  const blocks = c & ~7;
  let target = sums;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      let channel = 0;
      for (; channel < blocks; channel += 8) {
        let low = v128.load(bias + (<usize>channel << 2));
        let high = v128.load(bias + (<usize>channel << 2), 16);
        for (let ky = 0; ky < kH; ky++) {
          const iy = oy * strideH - padTop + ky * dilationH;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ix = ox * strideW - padLeft + kx * dilationW;
            if (ix < 0 || ix >= inW) continue;
            const x = v128.load(input + (<usize>((iy * inW + ix) * c + channel) << 1));
            const w = v128.load8x8_s(filter + <usize>((ky * kW + kx) * c + channel));
            low = i32x4.add(low, i32x4.extmul_low_i16x8_s(x, w));
            high = i32x4.add(high, i32x4.extmul_high_i16x8_s(x, w));
          }
        }
        v128.store(target + (<usize>channel << 2), low);
        v128.store(target + (<usize>channel << 2), high, 16);
      }
      for (; channel < c; channel++) {
        let acc = load<i32>(bias + (<usize>channel << 2));
        for (let ky = 0; ky < kH; ky++) {
          const iy = oy * strideH - padTop + ky * dilationH;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ix = ox * strideW - padLeft + kx * dilationW;
            if (ix < 0 || ix >= inW) continue;
            acc += <i32>load<i16>(input + (<usize>((iy * inW + ix) * c + channel) << 1)) *
              <i32>load<i8>(filter + <usize>((ky * kW + kx) * c + channel));
          }
        }
        store<i32>(target + (<usize>channel << 2), acc);
      }
      target += <usize>c << 2;
    }
  }
}
