/**
 * TransformTensorBilinear (MediaPipe registers version 2, and version 1 as TransformTensor): each output
 * pixel (x, y) samples the input image [1, H, W, C] bilinearly at the point the first two rows of
 * the 4x4 matrix (input 1) map (x, y, 0, 1) to, zero where that point lies outside the image.
 * Version 2 first moves the matrix to pixel centres (align corners); the operator's version
 * chooses. The output keeps the
 * model's shape [1, h, w, C]. float32 arithmetic in MediaPipe's order; the interpolation weights
 * combine in double precision, as its `1.0 - contribution` does.
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { sizeOf } from "../../tensor.ts";

const f = Math.fround;

/** x . (l0, l1, l2, l3) in float32, MediaPipe's DotProduct. */
function dot(l: Float32Array, x: number, y: number, z: number, w: number): number {
  return f(f(f(f(l[0] * x) + f(l[1] * y)) + f(l[2] * z)) + f(l[3] * w));
}

/** TransformTensorBilinear and TransformTensor (see the module comment). */
export function transformTensorBilinear(context: OpContext): PreparedOp {
  const version = context.operator.version;
  if (version !== 1 && version !== 2) context.unsupported(`version ${version} is not 1 or 2`);
  const alignCorners = version === 2;
  const input = context.input(0, "float32");
  const matrix = context.input(1, "float32");
  const output = context.output(0, "float32");
  if (input.shape.length !== 4 || input.shape[0] !== 1) {
    context.unsupported(`input [${input.shape}] is not one image [1, H, W, C]`);
  }
  if (sizeOf(matrix) < 8) context.unsupported(`matrix [${matrix.shape}] is not a 4x4 matrix`);
  const [, inH, inW, channels] = input.shape;
  if (output.shape.length !== 4 || output.shape[0] !== 1 || output.shape[3] !== channels) {
    context.unsupported(`output [${output.shape}] is not [1, h, w, ${channels}]`);
  }
  const [, outH, outW] = output.shape;
  const memory = context.memory;
  return {
    run: () => {
      const x = memory.f32(input.offset, sizeOf(input));
      const m = memory.f32(matrix.offset, 8);
      const y = memory.f32(output.offset, outH * outW * channels);
      const rowX = m.slice(0, 4);
      const rowY = m.slice(4, 8);
      if (alignCorners) {
        rowX[3] = rowX[3] + (rowX[0] * 0.5 + rowX[1] * 0.5 - 0.5);
        rowY[3] = rowY[3] + (rowY[0] * 0.5 + rowY[1] * 0.5 - 0.5);
      }
      const read = (h: number, w: number, c: number) =>
        h < 0 || w < 0 || h >= inH || w >= inW ? 0 : x[(h * inW + w) * channels + c];
      let target = 0;
      for (let outY = 0; outY < outH; outY++) {
        for (let outX = 0; outX < outW; outX++) {
          const tx = dot(rowX, outX, outY, 0, 1);
          const ty = dot(rowY, outX, outY, 0, 1);
          const outside = tx < 0 || tx > inW - 1 || ty < 0 || ty > inH - 1;
          const left = Math.floor(tx);
          const top = Math.floor(ty);
          const right = f(tx - left);
          const down = f(ty - top);
          for (let c = 0; c < channels; c++, target++) {
            if (outside) {
              y[target] = 0;
              continue;
            }
            const upper = f((1 - right) * read(top, left, c) + right * read(top, left + 1, c));
            const lower = f(
              (1 - right) * read(top + 1, left, c) + right * read(top + 1, left + 1, c),
            );
            y[target] = down * lower + (1 - down) * upper;
          }
        }
      }
    },
  };
}
