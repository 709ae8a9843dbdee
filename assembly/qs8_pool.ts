// Int8, uint8 and int16 max and average pooling, NHWC, one image per call, as TensorFlow Lite's
// reference kernels: windows cut to the image, the average rounding half away from zero over the
// elements inside it, then the fused clamp. Max takes 16 channels at a time (8 for int16);
// average 4, its int32 sums divided in float32, exact while |sum| + count / 2 < 2^24 (the caller
// checks the window).

import {
  LAYER_CHANNELS, LAYER_HIGH_I, LAYER_IN_H, LAYER_IN_W, LAYER_K_H, LAYER_K_W, LAYER_LOW_I,
  LAYER_OUT_H, LAYER_OUT_W, LAYER_PAD_LEFT, LAYER_PAD_TOP, LAYER_STRIDE_H, LAYER_STRIDE_W,
} from "./kernel_layout.generated";

/** `qs8_pool`'s mode bits: average (else max); uint8 values, or int16 values (else int8). */
// @ts-ignore: decorator
@inline const POOL_AVERAGE: i32 = 1;
// @ts-ignore: decorator
@inline const POOL_UNSIGNED: i32 = 2;
// @ts-ignore: decorator
@inline const POOL_INT16: i32 = 4;

/**
 * Max or average pooling (`mode`: 1 = average, 2 = uint8 values, 4 = int16 values; bits or-ed)
 * over the layer block's window with the fused clamp [lowI, highI].
 */
export function qs8_pool(mode: i32, input: usize, output: usize, layer: usize): void {
  if (mode == POOL_AVERAGE) pool(POOL_AVERAGE, input, output, layer);
  else if (mode == POOL_UNSIGNED) pool(POOL_UNSIGNED, input, output, layer);
  else if (mode == (POOL_AVERAGE | POOL_UNSIGNED)) pool(POOL_AVERAGE | POOL_UNSIGNED, input, output, layer);
  else if (mode == POOL_INT16) pool16(false, input, output, layer);
  else if (mode == (POOL_AVERAGE | POOL_INT16)) pool16(true, input, output, layer);
  else pool(0, input, output, layer);
}

/** One 4-channel group of int8 or uint8 values at `p`, widened to i32 lanes. */
// @ts-ignore: decorator
@inline
function load_x4(p: usize, unsigned: bool): v128 {
  const bytes = v128.load32_zero(p);
  return unsigned
    ? i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(bytes))
    : i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(bytes));
}

/** TFLite's rounded average: (sum + count / 2) / count away from zero, truncated. */
// @ts-ignore: decorator
@inline
function average_x4(sum: v128, count: i32): v128 {
  const half = i32x4.splat(count >> 1);
  const positive = i32x4.gt_s(sum, i32x4.splat(0));
  const rounded = v128.bitselect(i32x4.add(sum, half), i32x4.sub(sum, half), positive);
  return i32x4.trunc_sat_f32x4_s(f32x4.div(f32x4.convert_i32x4_s(rounded), f32x4.splat(<f32>count)));
}

// @ts-ignore: decorator
@inline
function pool(mode: i32, input: usize, output: usize, layer: usize): void {
  const average = (mode & POOL_AVERAGE) != 0;
  const unsigned = (mode & POOL_UNSIGNED) != 0;
  const inH = load<i32>(layer + LAYER_IN_H);
  const inW = load<i32>(layer + LAYER_IN_W);
  const c = load<i32>(layer + LAYER_CHANNELS);
  const kH = load<i32>(layer + LAYER_K_H);
  const kW = load<i32>(layer + LAYER_K_W);
  const strideH = load<i32>(layer + LAYER_STRIDE_H);
  const strideW = load<i32>(layer + LAYER_STRIDE_W);
  const padTop = load<i32>(layer + LAYER_PAD_TOP);
  const padLeft = load<i32>(layer + LAYER_PAD_LEFT);
  const outH = load<i32>(layer + LAYER_OUT_H);
  const outW = load<i32>(layer + LAYER_OUT_W);
  const low = load<i32>(layer + LAYER_LOW_I);
  const high = load<i32>(layer + LAYER_HIGH_I);
  const low8 = i8x16.splat(<i8>low);
  const high8 = i8x16.splat(<i8>high);
  const low32 = i32x4.splat(low);
  const high32 = i32x4.splat(high);
  const pixel = <usize>c;
  const vectorChannels = average ? c & ~3 : c & ~15;
  let target = output;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * strideH - padTop;
    const yStart = max(0, y0);
    const yEnd = min(inH, y0 + kH);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * strideW - padLeft;
      const xStart = max(0, x0);
      const xEnd = min(inW, x0 + kW);
      const count = (yEnd - yStart) * (xEnd - xStart);
      const first = input + <usize>(yStart * inW + xStart) * pixel;
      const rowStep = <usize>inW * pixel;
      let wide = vectorChannels;
      if (average) {
        for (let ch = 0; ch < wide; ch += 4) {
          let sum = i32x4.splat(0);
          let row = first + <usize>ch;
          for (let y = yStart; y < yEnd; y++) {
            let p = row;
            for (let x = xStart; x < xEnd; x++) {
              sum = i32x4.add(sum, load_x4(p, unsigned));
              p += pixel;
            }
            row += rowStep;
          }
          const clamped = i32x4.min_s(i32x4.max_s(average_x4(sum, count), low32), high32);
          const narrow = i16x8.narrow_i32x4_s(clamped, clamped);
          const bytes = unsigned ? i8x16.narrow_i16x8_u(narrow, narrow) : i8x16.narrow_i16x8_s(narrow, narrow);
          v128.store32_lane(target + <usize>ch, bytes, 0);
        }
      } else {
        for (let ch = 0; ch < wide; ch += 16) {
          let acc = unsigned ? i8x16.splat(0) : i8x16.splat(-128);
          let row = first + <usize>ch;
          for (let y = yStart; y < yEnd; y++) {
            let p = row;
            for (let x = xStart; x < xEnd; x++) {
              acc = unsigned ? i8x16.max_u(acc, v128.load(p)) : i8x16.max_s(acc, v128.load(p));
              p += pixel;
            }
            row += rowStep;
          }
          acc = unsigned ? i8x16.min_u(i8x16.max_u(acc, low8), high8) : i8x16.min_s(i8x16.max_s(acc, low8), high8);
          v128.store(target + <usize>ch, acc);
        }
        // The rest 4 channels at a time (the lanes past them compare zeros and are not stored).
        for (; wide + 4 <= c; wide += 4) {
          let acc = unsigned ? i8x16.splat(0) : i8x16.splat(-128);
          let row = first + <usize>wide;
          for (let y = yStart; y < yEnd; y++) {
            let p = row;
            for (let x = xStart; x < xEnd; x++) {
              const values = v128.load32_zero(p);
              acc = unsigned ? i8x16.max_u(acc, values) : i8x16.max_s(acc, values);
              p += pixel;
            }
            row += rowStep;
          }
          acc = unsigned ? i8x16.min_u(i8x16.max_u(acc, low8), high8) : i8x16.min_s(i8x16.max_s(acc, low8), high8);
          v128.store32_lane(target + <usize>wide, acc, 0);
        }
      }
      for (let ch = wide; ch < c; ch++) {
        let acc: i32 = average ? 0 : -2147483648;
        let row = first + <usize>ch;
        for (let y = yStart; y < yEnd; y++) {
          let p = row;
          for (let x = xStart; x < xEnd; x++) {
            const value: i32 = unsigned ? <i32>load<u8>(p) : <i32>load<i8>(p);
            acc = average ? acc + value : max(acc, value);
            p += pixel;
          }
          row += rowStep;
        }
        if (average) {
          const half = count >> 1;
          acc = (acc > 0 ? acc + half : acc - half) / count;
        }
        store<u8>(target + <usize>ch, <u8>min(high, max(low, acc)));
      }
      target += pixel;
    }
  }
}

/** `pool` on int16 values: max 8 channels at a time, average 4. */
// @ts-ignore: decorator
@inline
function pool16(average: bool, input: usize, output: usize, layer: usize): void {
  const inH = load<i32>(layer + LAYER_IN_H);
  const inW = load<i32>(layer + LAYER_IN_W);
  const c = load<i32>(layer + LAYER_CHANNELS);
  const kH = load<i32>(layer + LAYER_K_H);
  const kW = load<i32>(layer + LAYER_K_W);
  const strideH = load<i32>(layer + LAYER_STRIDE_H);
  const strideW = load<i32>(layer + LAYER_STRIDE_W);
  const padTop = load<i32>(layer + LAYER_PAD_TOP);
  const padLeft = load<i32>(layer + LAYER_PAD_LEFT);
  const outH = load<i32>(layer + LAYER_OUT_H);
  const outW = load<i32>(layer + LAYER_OUT_W);
  const low = load<i32>(layer + LAYER_LOW_I);
  const high = load<i32>(layer + LAYER_HIGH_I);
  const low16 = i16x8.splat(<i16>low);
  const high16 = i16x8.splat(<i16>high);
  const low32 = i32x4.splat(low);
  const high32 = i32x4.splat(high);
  const pixel = <usize>c << 1;
  const wide = average ? c & ~3 : c & ~7;
  let target = output;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * strideH - padTop;
    const yStart = max(0, y0);
    const yEnd = min(inH, y0 + kH);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * strideW - padLeft;
      const xStart = max(0, x0);
      const xEnd = min(inW, x0 + kW);
      const count = (yEnd - yStart) * (xEnd - xStart);
      const first = input + <usize>(yStart * inW + xStart) * pixel;
      const rowStep = <usize>inW * pixel;
      if (average) {
        for (let ch = 0; ch < wide; ch += 4) {
          let sum = i32x4.splat(0);
          let row = first + (<usize>ch << 1);
          for (let y = yStart; y < yEnd; y++) {
            let p = row;
            for (let x = xStart; x < xEnd; x++) {
              sum = i32x4.add(sum, i32x4.extend_low_i16x8_s(v128.load64_zero(p)));
              p += pixel;
            }
            row += rowStep;
          }
          const clamped = i32x4.min_s(i32x4.max_s(average_x4(sum, count), low32), high32);
          v128.store64_lane(target + (<usize>ch << 1), i16x8.narrow_i32x4_s(clamped, clamped), 0);
        }
      } else {
        for (let ch = 0; ch < wide; ch += 8) {
          let acc = i16x8.splat(-32768);
          let row = first + (<usize>ch << 1);
          for (let y = yStart; y < yEnd; y++) {
            let p = row;
            for (let x = xStart; x < xEnd; x++) {
              acc = i16x8.max_s(acc, v128.load(p));
              p += pixel;
            }
            row += rowStep;
          }
          v128.store(target + (<usize>ch << 1), i16x8.min_s(i16x8.max_s(acc, low16), high16));
        }
      }
      for (let ch = wide; ch < c; ch++) {
        let acc: i32 = average ? 0 : -2147483648;
        let row = first + (<usize>ch << 1);
        for (let y = yStart; y < yEnd; y++) {
          let p = row;
          for (let x = xStart; x < xEnd; x++) {
            const value: i32 = <i32>load<i16>(p);
            acc = average ? acc + value : max(acc, value);
            p += pixel;
          }
          row += rowStep;
        }
        if (average) {
          const half = count >> 1;
          acc = (acc > 0 ? acc + half : acc - half) / count;
        }
        store<i16>(target + (<usize>ch << 1), <i16>min(high, max(low, acc)));
      }
      target += pixel;
    }
  }
}
