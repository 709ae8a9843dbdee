/**
 * What the convolution paths share: the int8 layer with its window, im2col bands, and the hybrid
 * geometry.
 */
import { storeLayer } from "../../kernel_layout.ts";
import type { KernelMemory } from "../../memory.ts";
import type { KernelCalls, OpContext } from "../../op.ts";
import { floatActivationRange } from "../common/activation_range.ts";
import { bandRows, type Int8Layer } from "../common/int8_gemm.ts";
import { type SlidingWindow, slidingWindow, windowFields } from "../common/window.ts";

/** An int8 convolution: the layer and its window, as `convolution_integer.ts` computed them. */
export interface Int8Convolution extends Int8Layer {
  window: SlidingWindow;
}

/** A convolution's geometry over one NHWC image. */
export interface ConvolutionGeometry {
  inH: number;
  inW: number;
  channels: number;
  kH: number;
  kW: number;
  window: SlidingWindow;
}

/** A convolution's int8 im2col, prepared at load: `qs8_im2col`'s layer block and sizes. */
export interface Im2col {
  layer: number;
  positions: number;
  /** Values per patch: kH * kW * channels rounded up to a multiple of 8. */
  depth: number;
}

/** Stores the layer block of `qs8_im2col` for `geometry` and patches of `depth` values. */
export function prepareIm2col(
  memory: KernelMemory,
  geometry: ConvolutionGeometry,
  depth: number,
): Im2col {
  const { inH, inW, channels, kH, kW, window } = geometry;
  const layer = storeLayer(memory, {
    ...windowFields(inH, inW, channels, kH, kW, window),
    depth,
  });
  return { layer, positions: window.rows.outSize * window.columns.outSize, depth };
}

/**
 * Feeds a convolution's output positions to `multiply` in bands: the band's int8 patches of the
 * image at `image` (taps outside it hold `pad`) written to `patches`, then widened to int16 rows
 * of `depth` values at `widened`; only positions [first, end) when given (a chunk for a
 * thread). The im2col scratch is `bandRows(depth, positions) * depth` bytes, the widened one twice
 * that.
 */
export function im2colBands(
  kernels: KernelCalls,
  image: number,
  im2col: Im2col,
  pad: number,
  patches: number,
  widened: number,
  multiply: (start: number, count: number) => void,
  [first, end]: [number, number] = [0, im2col.positions],
): void {
  const { layer, positions, depth } = im2col;
  const band = bandRows(depth, positions);
  for (let start = first; start < end; start += band) {
    const count = Math.min(band, end - start);
    kernels.qs8_im2col(image, layer, start, count, pad, patches);
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
