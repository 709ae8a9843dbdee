/**
 * Convolution2DTransposeBias, MediaPipe's transposed convolution with a bias (selfie segmentation's
 * last layer): input [N, H, W, inC], filter [outC, kH, kW, inC], bias [outC], options a raw
 * `TfLiteTransposeConvParams`. The output, (H - 1) x stride + k - padding per axis, starts at the
 * bias; every input pixel then adds value x filter into the window it spreads over, in MediaPipe's
 * reference order (input row, column, channel, then filter row, column and output channel),
 * each product rounded to float32 and added in float32. float32 only, as MediaPipe's.
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { transposeConvParams } from "./mediapipe_options.ts";

const f = Math.fround;

/** Convolution2DTransposeBias (see the module comment). */
export function convolution2dTransposeBias(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const filter = context.input(1, "float32");
  const bias = context.input(2, "float32");
  const output = context.output(0, "float32");
  if (input.shape.length !== 4 || filter.shape.length !== 4 || bias.shape.length !== 1) {
    context.unsupported("input and filter must be four-dimensional, bias one-dimensional");
  }
  const [batches, inH, inW, inC] = input.shape;
  const [outC, kH, kW, filterC] = filter.shape;
  if (filterC !== inC || bias.shape[0] !== outC) {
    context.unsupported(
      `filter [${filter.shape}] and bias [${bias.shape}] do not fit input [${input.shape}]`,
    );
  }
  const { padding, strideW, strideH } = transposeConvParams(context);
  const padH = padding === "SAME" ? Math.max(0, kH - ((inH - 1) % strideH) - 1) : 0;
  const padW = padding === "SAME" ? Math.max(0, kW - ((inW - 1) % strideW) - 1) : 0;
  const outH = strideH * (inH - 1) + kH - padH;
  const outW = strideW * (inW - 1) + kW - padW;
  output.shape = [batches, outH, outW, outC];
  const padTop = Math.trunc(padH / 2);
  const padLeft = Math.trunc(padW / 2);
  const weights = context.values(filter, "filter") as Float32Array;
  const biases = context.values(bias, "bias") as Float32Array;
  const memory = context.memory;
  return {
    run: () => {
      const x = memory.f32(input.offset, input.shape.reduce((a, b) => a * b, 1));
      const y = memory.f32(output.offset, batches * outH * outW * outC);
      for (let pixel = 0; pixel < batches * outH * outW; pixel++) {
        y.set(biases, pixel * outC);
      }
      for (let b = 0; b < batches; b++) {
        for (let inY = 0; inY < inH; inY++) {
          for (let inX = 0; inX < inW; inX++) {
            for (let c = 0; c < inC; c++) {
              const value = x[((b * inH + inY) * inW + inX) * inC + c];
              for (let ky = 0; ky < kH; ky++) {
                const outY = inY * strideH - padTop + ky;
                if (outY < 0 || outY >= outH) continue;
                for (let kx = 0; kx < kW; kx++) {
                  const outX = inX * strideW - padLeft + kx;
                  if (outX < 0 || outX >= outW) continue;
                  const target = ((b * outH + outY) * outW + outX) * outC;
                  for (let o = 0; o < outC; o++) {
                    y[target + o] += f(value * weights[((o * kH + ky) * kW + kx) * inC + c]);
                  }
                }
              }
            }
          }
        }
      }
    },
    consumedInputs: [1, 2],
  };
}
