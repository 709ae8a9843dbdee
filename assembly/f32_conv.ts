// Float32 convolution helpers. A convolution is a GEMM of its input patches (im2col) against the
// filters; `f32_im2col` writes the patches of a band of output positions, padding with zeros.

import {
  LAYER_CHANNELS, LAYER_DILATION_H, LAYER_DILATION_W, LAYER_IN_H, LAYER_IN_W, LAYER_K_H, LAYER_K_W,
  LAYER_OUT_W, LAYER_PAD_LEFT, LAYER_PAD_TOP, LAYER_STRIDE_H, LAYER_STRIDE_W,
} from "./kernel_layout.generated";

/** Copies `c` floats (a pixel, or a row of taps): short runs four at a time (a bulk copy costs a call). */
// @ts-ignore: decorator
@inline
function copy_pixel(target: usize, source: usize, c: i32): void {
  if (c >= 16) {
    memory.copy(target, source, <usize>c << 2);
    return;
  }
  let channel = 0;
  for (; channel + 4 <= c; channel += 4) {
    v128.store(target + (<usize>channel << 2), v128.load(source + (<usize>channel << 2)));
  }
  for (; channel < c; channel++) {
    store<f32>(target + (<usize>channel << 2), load<f32>(source + (<usize>channel << 2)));
  }
}

/**
 * Writes, for each output position r in [rowStart, rowStart + rows) of one NHWC image, the
 * patch row r of length kH * kW * c (ordered ky, kx, channel as TFLite filters are) to `patches`;
 * the window is the layer block's.
 */
export function f32_im2col(input: usize, layer: usize, rowStart: i32, rows: i32, patches: usize): void {
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
  const outW = load<i32>(layer + LAYER_OUT_W);
  const pixelBytes = <usize>c << 2;
  let target = patches;
  for (let r = rowStart; r < rowStart + rows; r++) {
    const oy = r / outW;
    const ox = r - oy * outW;
    const y0 = oy * strideH - padTop;
    const x0 = ox * strideW - padLeft;
    for (let ky = 0; ky < kH; ky++) {
      const iy = y0 + ky * dilationH;
      if (iy < 0 || iy >= inH) {
        memory.fill(target, 0, pixelBytes * <usize>kW);
        target += pixelBytes * <usize>kW;
        continue;
      }
      const rowBase = input + <usize>iy * <usize>inW * pixelBytes;
      if (c < 16 && dilationW == 1 && x0 >= 0 && x0 + kW <= inW) {
        // A row of taps wholly inside the image is kW * c contiguous floats of the input.
        copy_pixel(target, rowBase + <usize>x0 * pixelBytes, kW * c);
        target += pixelBytes * <usize>kW;
        continue;
      }
      for (let kx = 0; kx < kW; kx++) {
        const ix = x0 + kx * dilationW;
        if (ix < 0 || ix >= inW) memory.fill(target, 0, pixelBytes);
        else copy_pixel(target, rowBase + <usize>ix * pixelBytes, c);
        target += pixelBytes;
      }
    }
  }
}
