/**
 * MaxPoolingWithArgmax2D, MediaPipe's max pooling that also gives where each maximum was: input
 * [N, H, W, C] float32, options a raw `TfLitePoolParams`; outputs the pooled values (fused
 * activation applied) and, as float32, each maximum's place in its window, ky x filter width + kx
 * + 0.1 (the 0.1 keeps the truncation to an integer exact).
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { computePadding, poolParams } from "./mediapipe_options.ts";

const ACTIVATION_RANGE: Record<string, [number, number]> = {
  NONE: [-Infinity, Infinity],
  RELU: [0, Infinity],
  RELU_N1_TO_1: [-1, 1],
  RELU6: [0, 6],
};

/** MaxPoolingWithArgmax2D (see the module comment). */
export function maxPoolingWithArgmax2d(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const output = context.output(0, "float32");
  const indices = context.output(1, "float32");
  if (input.shape.length !== 4) context.unsupported("input must be four-dimensional");
  const { padding, strideW, strideH, filterW, filterH, activation } = poolParams(context);
  const range = ACTIVATION_RANGE[activation];
  if (!range) context.unsupported(`fused activation ${activation} is not supported`);
  const [batches, inH, inW, channels] = input.shape;
  const outSize = (size: number, filter: number, stride: number) =>
    padding === "SAME"
      ? Math.trunc((size + stride - 1) / stride)
      : Math.trunc((size - filter + stride) / stride);
  const outH = outSize(inH, filterH, strideH);
  const outW = outSize(inW, filterW, strideW);
  output.shape = [batches, outH, outW, channels];
  indices.shape = [batches, outH, outW, channels];
  const padTop = computePadding(strideH, inH, filterH, outH);
  const padLeft = computePadding(strideW, inW, filterW, outW);
  const memory = context.memory;
  const [low, high] = range;
  return {
    run: () => {
      const x = memory.f32(input.offset, batches * inH * inW * channels);
      const y = memory.f32(output.offset, batches * outH * outW * channels);
      const where = memory.f32(indices.offset, batches * outH * outW * channels);
      let target = 0;
      for (let b = 0; b < batches; b++) {
        for (let outY = 0; outY < outH; outY++) {
          for (let outX = 0; outX < outW; outX++) {
            const originY = outY * strideH - padTop;
            const originX = outX * strideW - padLeft;
            const yStart = Math.max(0, -originY);
            const yEnd = Math.min(filterH, inH - originY);
            const xStart = Math.max(0, -originX);
            const xEnd = Math.min(filterW, inW - originX);
            for (let c = 0; c < channels; c++, target++) {
              let max = -3.4028234663852886e38; // the lowest float32
              let maxY = 0;
              let maxX = 0;
              for (let ky = yStart; ky < yEnd; ky++) {
                for (let kx = xStart; kx < xEnd; kx++) {
                  const value = x[((b * inH + originY + ky) * inW + originX + kx) * channels + c];
                  if (value > max) {
                    max = value;
                    maxY = ky;
                    maxX = kx;
                  }
                }
              }
              y[target] = Math.min(Math.max(max, low), high);
              where[target] = Math.fround(maxY * filterW + maxX) + Math.fround(0.1);
            }
          }
        }
      }
    },
  };
}
