// The int8 convolution's im2col: the GEMM (qs8_gemm.ts) multiplies these patches by the packed
// filters. Padding taps hold the input zero point, which folding the zero point into the
// per-channel bias at load (bias - zeroPoint * sum of the channel's weights) turns into zero
// contributions.

import {
  LAYER_CHANNELS, LAYER_DEPTH, LAYER_DILATION_H, LAYER_DILATION_W, LAYER_IN_H, LAYER_IN_W,
  LAYER_K_H, LAYER_K_W, LAYER_OUT_W, LAYER_PAD_LEFT, LAYER_PAD_TOP, LAYER_STRIDE_H,
  LAYER_STRIDE_W,
} from "./kernel_layout.generated";

/**
 * Writes the int8 patches of output positions [rowStart, rowStart + rows) of one NHWC image,
 * each `depth` bytes long (kH * kW * c values, then zeros); taps outside the image hold `pad`.
 * The window and `depth` are the layer block's.
 */
export function qs8_im2col(
  input: usize, layer: usize, rowStart: i32, rows: i32, pad: i32, patches: usize,
): void {
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
  const depth = load<i32>(layer + LAYER_DEPTH);
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
