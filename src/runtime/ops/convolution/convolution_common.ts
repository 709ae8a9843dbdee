/**
 * What the convolution paths share: the int8 layer with its window, im2col bands, and the hybrid
 * geometry.
 */
import type { OpContext } from "../../op.ts";
import { floatActivationRange } from "../common/activation_range.ts";
import { bandRows, type Int8Layer } from "../common/int8_gemm.ts";
import { type SlidingWindow, slidingWindow, windowArguments } from "../common/window.ts";
import type { KernelExports } from "../../wasm.ts";

/** An int8 convolution: the layer and its window, as `convolution_integer.ts` computed them. */
export interface Int8Convolution extends Int8Layer {
  window: SlidingWindow;
}

/** A convolution's geometry over one NHWC image, as `im2colBands` needs it. */
export interface ConvolutionGeometry {
  inH: number;
  inW: number;
  channels: number;
  kH: number;
  kW: number;
  window: SlidingWindow;
}

/**
 * Feeds a convolution's output positions to `multiply` in bands: the band's int8 patches of the
 * image at `image` (taps outside it hold `pad`) written to `patches`, then widened to int16 rows
 * of `depth` values at `widened`. The im2col scratch is `bandRows(depth, positions) * depth`
 * bytes, the widened one twice that.
 */
export function im2colBands(
  kernels: KernelExports,
  image: number,
  geometry: ConvolutionGeometry,
  depth: number,
  pad: number,
  patches: number,
  widened: number,
  multiply: (start: number, count: number) => void,
): void {
  const { inH, inW, channels, kH, kW, window } = geometry;
  const { rows, columns } = window;
  const positions = rows.outSize * columns.outSize;
  const band = bandRows(depth, positions);
  for (let start = 0; start < positions; start += band) {
    const count = Math.min(band, positions - start);
    kernels.qs8_im2col(
      image,
      inH,
      inW,
      channels,
      ...windowArguments(kH, kW, window),
      columns.outSize,
      start,
      count,
      depth,
      pad,
      patches,
    );
    kernels.qs8_widen(patches, count, depth, depth, depth, widened);
    multiply(start, count);
  }
}

/** The geometry both hybrid convolutions share. */
export function convolutionShape(context: OpContext, depthwise: boolean) {
  const input = context.input(0, "float32");
  const output = context.output(0, "float32");
  const [batches, inH, inW, channels] = input.shape;
  const filterShape = context.input(1).shape;
  const [kH, kW] = filterShape.slice(1, 3);
  const outC = depthwise ? filterShape[3] : filterShape[0];
  const window: SlidingWindow = slidingWindow(context, inH, inW, kH, kW);
  output.shape = [batches, window.rows.outSize, window.columns.outSize, outC];
  const [low, high] = floatActivationRange(context);
  return { input, output, batches, inH, inW, channels, kH, kW, outC, window, low, high };
}
