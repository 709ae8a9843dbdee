import {
  LAYER_BIAS, LAYER_CHANNELS, LAYER_DILATION_H, LAYER_DILATION_W, LAYER_FILTER, LAYER_HIGH_F,
  LAYER_IN_H, LAYER_IN_W, LAYER_K_H, LAYER_K_W, LAYER_LOW_F, LAYER_MULTIPLIER, LAYER_OUT_H,
  LAYER_OUT_W, LAYER_PAD_LEFT, LAYER_PAD_TOP, LAYER_STRIDE_H, LAYER_STRIDE_W,
} from "./kernel_layout.generated";
import { f32x4_madd } from "./simd";
import { end_tap, first_tap } from "./window";

// Float32 depthwise convolution, NHWC, one image per call; the window, filter, bias and clamp
// (`lowF`, `highF`) come from the layer block. Filters are TFLite's [1, kH, kW, C*M]; output
// channel o reads input channel o / M (M the depth multiplier). The bias is padded to a multiple
// of 4 and added after the taps (in TFLite's reference order: the plain-SIMD build then gives
// its float32 results bit for bit). With M = 1 channels run 4 at a time; 3x3 windows
// wholly inside the image take an unrolled path without bounds checks.

// @ts-ignore: decorator
@inline
function clamp4(value: v128, low: v128, high: v128): v128 {
  return f32x4.min(f32x4.max(value, low), high);
}

/** Depthwise convolution with depth multiplier 1 (see the file comment). */
export function f32_depthwise(input: usize, output: usize, layer: usize): void {
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
  const low = load<f32>(layer + LAYER_LOW_F);
  const high = load<f32>(layer + LAYER_HIGH_F);
  const lowV = f32x4.splat(low);
  const highV = f32x4.splat(high);
  const pixel = <usize>c << 2;
  const vectorChannels = c & ~3;
  const rowBytes = <usize>inW * pixel;
  const unrolled = kH == 3 && kW == 3;
  let target = output;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * strideH - padTop;
    // Taps ky whose row lies inside the image: y0 + ky * dilationH in [0, inH).
    const kyStart = first_tap(y0, dilationH);
    const kyEnd = end_tap(y0, inH, kH, dilationH);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * strideW - padLeft;
      const kxStart = first_tap(x0, dilationW);
      const kxEnd = end_tap(x0, inW, kW, dilationW);
      const origin = input + <usize>y0 * rowBytes + <usize>x0 * pixel;
      if (unrolled && kyStart == 0 && kxStart == 0 && kyEnd == 3 && kxEnd == 3) {
        const dy = <usize>dilationH * rowBytes;
        const dx = <usize>dilationW * pixel;
        const filterRow = <usize>3 * pixel;
        for (let ch = 0; ch < vectorChannels; ch += 4) {
          const offset = <usize>ch << 2;
          const p = origin + offset;
          const w = filter + offset;
          let acc = f32x4.mul(v128.load(p), v128.load(w));
          acc = f32x4_madd(v128.load(p + dx), v128.load(w + pixel), acc);
          acc = f32x4_madd(v128.load(p + 2 * dx), v128.load(w + 2 * pixel), acc);
          acc = f32x4_madd(v128.load(p + dy), v128.load(w + filterRow), acc);
          acc = f32x4_madd(v128.load(p + dy + dx), v128.load(w + filterRow + pixel), acc);
          acc = f32x4_madd(v128.load(p + dy + 2 * dx), v128.load(w + filterRow + 2 * pixel), acc);
          acc = f32x4_madd(v128.load(p + 2 * dy), v128.load(w + 2 * filterRow), acc);
          acc = f32x4_madd(v128.load(p + 2 * dy + dx), v128.load(w + 2 * filterRow + pixel), acc);
          acc = f32x4_madd(v128.load(p + 2 * dy + 2 * dx), v128.load(w + 2 * filterRow + 2 * pixel), acc);
          v128.store(target + offset, clamp4(f32x4.add(acc, v128.load(bias + offset)), lowV, highV));
        }
      } else {
        for (let ch = 0; ch < vectorChannels; ch += 4) {
          const offset = <usize>ch << 2;
          let acc = f32x4.splat(0);
          for (let ky = kyStart; ky < kyEnd; ky++) {
            const row = origin + <usize>(ky * dilationH) * rowBytes + offset;
            const filterRow = filter + <usize>(ky * kW) * pixel + offset;
            for (let kx = kxStart; kx < kxEnd; kx++) {
              acc = f32x4_madd(
                v128.load(row + <usize>(kx * dilationW) * pixel),
                v128.load(filterRow + <usize>kx * pixel),
                acc,
              );
            }
          }
          v128.store(target + offset, clamp4(f32x4.add(acc, v128.load(bias + offset)), lowV, highV));
        }
      }
      for (let ch = vectorChannels; ch < c; ch++) {
        const offset = <usize>ch << 2;
        let acc: f32 = 0;
        for (let ky = kyStart; ky < kyEnd; ky++) {
          const row = origin + <usize>(ky * dilationH) * rowBytes + offset;
          const filterRow = filter + <usize>(ky * kW) * pixel + offset;
          for (let kx = kxStart; kx < kxEnd; kx++) {
            acc += load<f32>(row + <usize>(kx * dilationW) * pixel) * load<f32>(filterRow + <usize>kx * pixel);
          }
        }
        store<f32>(target + offset, min(max(acc + load<f32>(bias + offset), low), high));
      }
      target += pixel;
    }
  }
}

/** Depthwise convolution with depth multiplier `multiplier` > 1, one channel at a time. */
export function f32_depthwise_multiplier(input: usize, output: usize, layer: usize): void {
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
  const low = load<f32>(layer + LAYER_LOW_F);
  const high = load<f32>(layer + LAYER_HIGH_F);
  const multiplier = load<i32>(layer + LAYER_MULTIPLIER);
  const outC = c * multiplier;
  let target = output;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let o = 0; o < outC; o++) {
        const channel = o / multiplier;
        let acc: f32 = 0;
        for (let ky = 0; ky < kH; ky++) {
          const iy = oy * strideH - padTop + ky * dilationH;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ix = ox * strideW - padLeft + kx * dilationW;
            if (ix < 0 || ix >= inW) continue;
            acc += load<f32>(input + (<usize>((iy * inW + ix) * c + channel) << 2)) *
              load<f32>(filter + (<usize>((ky * kW + kx) * outC + o) << 2));
          }
        }
        store<f32>(target, min(max(acc + load<f32>(bias + (<usize>o << 2)), low), high));
        target += 4;
      }
    }
  }
}
