/**
 * TransformLandmarks, MediaPipe's landmark transform: each landmark's (x, y) becomes the first two
 * rows of the 4x4 matrix (input 1) applied to (x, y, 0, 1); z, when there is one, is kept.
 * Version 1 takes landmarks [1, H, W, C] grouped by `dimensions` (2 or 3, option, default 3) and
 * scales the matrix's translation by option `scale` (default 1); version 2 takes [1, N, 2 or 3].
 * float32 arithmetic in MediaPipe's order.
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { sizeOf } from "../../tensor.ts";
import { flexOptions, numberOption } from "./mediapipe_options.ts";

const f = Math.fround;

/** TransformLandmarks (see the module comment). */
export function transformLandmarks(context: OpContext): PreparedOp {
  const landmarks = context.input(0, "float32");
  const matrix = context.input(1, "float32");
  const output = context.output(0, "float32");
  const version = context.operator.version;
  const rank = version === 1 ? 4 : 3;
  if (version !== 1 && version !== 2) context.unsupported(`version ${version} is not 1 or 2`);
  if (landmarks.shape.length !== rank || landmarks.shape[0] !== 1) {
    context.unsupported(`landmarks [${landmarks.shape}] are not of rank ${rank} with batch 1`);
  }
  if (sizeOf(matrix) < 8) context.unsupported(`matrix [${matrix.shape}] is not a 4x4 matrix`);
  const options = version === 1 && context.operator.customOptions ? flexOptions(context) : {};
  const dimensions = version === 1
    ? numberOption(context, options, "dimensions", 3)
    : landmarks.shape[2];
  const scale = f(version === 1 ? numberOption(context, options, "scale", 1) : 1);
  const depth = landmarks.shape[rank - 1];
  if ((dimensions !== 2 && dimensions !== 3) || depth % dimensions !== 0) {
    context.unsupported(`landmarks of ${dimensions} dimensions do not divide [${landmarks.shape}]`);
  }
  if (version === 1 && scale === 0) context.unsupported("option scale is 0");
  output.shape = [...landmarks.shape];
  const count = sizeOf(landmarks) / dimensions;
  const memory = context.memory;
  return {
    run: () => {
      const source = memory.f32(landmarks.offset, sizeOf(landmarks));
      const m = memory.f32(matrix.offset, 8);
      const y = memory.f32(output.offset, sizeOf(landmarks));
      const tx = f(m[3] * scale);
      const ty = f(m[7] * scale);
      for (let landmark = 0; landmark < count; landmark++) {
        const at = landmark * dimensions;
        const lx = source[at];
        const ly = source[at + 1];
        y[at] = f(f(f(f(m[0] * lx) + f(m[1] * ly)) + f(m[2] * 0)) + f(tx * 1));
        y[at + 1] = f(f(f(f(m[4] * lx) + f(m[5] * ly)) + f(m[6] * 0)) + f(ty * 1));
        if (dimensions === 3) y[at + 2] = source[at + 2];
      }
    },
  };
}
