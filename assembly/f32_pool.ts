// Float32 max and average pooling, NHWC, one image per call, 4 channels at a time. Windows are
// cut to the image: the average divides by the number of window elements inside it, as TFLite's.

/** Max (`average` = 0) or average (`average` = 1) pooling with a fused clamp to [low, high]. */
export function f32_pool(
  average: i32, input: usize, inH: i32, inW: i32, c: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  output: usize, low: f32, high: f32,
): void {
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
