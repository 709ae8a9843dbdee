// The int8 convolution's im2col: the GEMM (qs8_gemm.ts) multiplies these patches by the packed
// filters. Padding taps hold the input zero point, which folding the zero point into the
// per-channel bias at load (bias - zeroPoint * sum of the channel's weights) turns into zero
// contributions.

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
