// Float32 max and average pooling, NHWC, one image per call, 4 channels at a time. Windows are
// cut to the image: the average divides by the number of window elements inside it, as TFLite's.

import {
  LAYER_CHANNELS, LAYER_HIGH_F, LAYER_IN_H, LAYER_IN_W, LAYER_K_H, LAYER_K_W, LAYER_LOW_F,
  LAYER_OUT_H, LAYER_OUT_W, LAYER_PAD_LEFT, LAYER_PAD_TOP, LAYER_STRIDE_H, LAYER_STRIDE_W,
} from "./kernel_layout.generated";

/**
 * Max (`average` = 0) or average (`average` = 1) pooling over the layer block's window, with a
 * fused clamp to [lowF, highF].
 */
export function f32_pool(average: i32, input: usize, output: usize, layer: usize): void {
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
  const low = load<f32>(layer + LAYER_LOW_F);
  const high = load<f32>(layer + LAYER_HIGH_F);
  const lowV = f32x4.splat(low);
  const highV = f32x4.splat(high);
  const pixel = <usize>c << 2;
  const vectorChannels = c & ~3;
  let target = output;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * strideH - padTop;
    const yStart = max(0, y0);
    const yEnd = min(inH, y0 + kH);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * strideW - padLeft;
      const xStart = max(0, x0);
      const xEnd = min(inW, x0 + kW);
      const count = <f32>((yEnd - yStart) * (xEnd - xStart));
      for (let ch = 0; ch < vectorChannels; ch += 4) {
        const offset = <usize>ch << 2;
        let acc = average ? f32x4.splat(0) : f32x4.splat(-Infinity);
        for (let y = yStart; y < yEnd; y++) {
          let p = input + <usize>(y * inW + xStart) * pixel + offset;
          for (let x = xStart; x < xEnd; x++) {
            const value = v128.load(p);
            acc = average ? f32x4.add(acc, value) : f32x4.max(acc, value);
            p += pixel;
          }
        }
        if (average) acc = f32x4.div(acc, f32x4.splat(count));
        v128.store(target + offset, f32x4.min(f32x4.max(acc, lowV), highV));
      }
      for (let ch = vectorChannels; ch < c; ch++) {
        const offset = <usize>ch << 2;
        let acc: f32 = average ? 0 : -Infinity;
        for (let y = yStart; y < yEnd; y++) {
          let p = input + <usize>(y * inW + xStart) * pixel + offset;
          for (let x = xStart; x < xEnd; x++) {
            const value = load<f32>(p);
            acc = average ? acc + value : max(acc, value);
            p += pixel;
          }
        }
        if (average) acc /= count;
        store<f32>(target + offset, min(max(acc, low), high));
      }
      target += pixel;
    }
  }
}
