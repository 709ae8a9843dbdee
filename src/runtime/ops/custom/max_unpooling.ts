/**
 * MaxUnpooling2D, MediaPipe's inverse of MaxPoolingWithArgmax2D: inputs the pooled values and
 * their float32 window places [N, H, W, C], options a raw `TfLitePoolParams`; the output
 * [N, H x filter height, W x filter width, C] is zero but for each value, put back where its place
 * says (places that land outside are skipped).
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { computePadding, poolParams } from "./mediapipe_options.ts";

/** MaxUnpooling2D (see the module comment). */
export function maxUnpooling2d(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const indices = context.input(1, "float32");
  const output = context.output(0, "float32");
  if (input.shape.length !== 4 || indices.shape.join() !== input.shape.join()) {
    context.unsupported(
      `input [${input.shape}] and indices [${indices.shape}] must be one four-dimensional shape`,
    );
  }
  const { strideW, strideH, filterW, filterH } = poolParams(context);
  const [batches, inH, inW, channels] = input.shape;
  const outH = inH * filterH;
  const outW = inW * filterW;
  output.shape = [batches, outH, outW, channels];
  const padTop = computePadding(strideH, outH, filterH, inH);
  const padLeft = computePadding(strideW, outW, filterW, inW);
  const memory = context.memory;
  return {
    run: () => {
      const count = batches * inH * inW * channels;
      const x = memory.f32(input.offset, count);
      const places = memory.f32(indices.offset, count);
      const y = memory.f32(output.offset, batches * outH * outW * channels);
      y.fill(0);
      let source = 0;
      for (let b = 0; b < batches; b++) {
        for (let inY = 0; inY < inH; inY++) {
          for (let inX = 0; inX < inW; inX++) {
            for (let c = 0; c < channels; c++, source++) {
              const place = Math.trunc(places[source]);
              const outX = inX * strideW - padLeft + (place % filterW);
              const outY = inY * strideH - padTop + Math.trunc(place / filterW);
              if (outX >= 0 && outX < outW && outY >= 0 && outY < outH) {
                y[((b * outH + outY) * outW + outX) * channels + c] = x[source];
              }
            }
          }
        }
      }
    },
  };
}
