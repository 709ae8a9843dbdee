// Where a convolution window meets the image: the range of its taps that lie inside, shared by
// the float and int8 depthwise kernels.

/**
 * The first tap of a window starting at `start` (maybe negative) that lies inside the image:
 * without a division for the usual undilated window (an integer division per output pixel cost
 * MobileNet V2's first int8 depthwise layer, 3x3 over 32 channels, 7% of its time in Chromium).
 */
// @ts-ignore: decorator
@inline
export function first_tap(start: i32, dilation: i32): i32 {
  if (start >= 0) return 0;
  return dilation == 1 ? -start : (-start + dilation - 1) / dilation;
}

/** One past the last tap of a window starting at `start` inside an image of `size`. */
// @ts-ignore: decorator
@inline
export function end_tap(start: i32, size: i32, taps: i32, dilation: i32): i32 {
  return min(taps, dilation == 1 ? size - start : (size - start + dilation - 1) / dilation);
}
