/**
 * Landmarks2TransformMatrix, MediaPipe's crop-from-landmarks: from the landmarks (x, y, z
 * triples) it estimates a rotation (from two landmarks) and a rotated box around a subset of
 * landmark pairs, and gives the 4x4 matrix [1, 4, 4] (row-major) that maps output pixels to input
 * pixels. Version 1 takes [1, 1, 1, 3N] and options input_hw, output_hw, landmarks_range,
 * bbox_size_multiplier, left/right_rotation_idx, subset; version 2 takes [1, N, 3] and options
 * subset_idxs, left/right_rotation_idx, target_rotation_radians, output_height/width,
 * scale_x/y. float32 arithmetic in MediaPipe's order (its matrix products accumulate in float32).
 */
import type { FlexValue } from "../../../format/flexbuffers.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { sizeOf } from "../../tensor.ts";
import { flexOptions, integersOption, numberOption } from "./mediapipe_options.ts";

const f = Math.fround;
const cos = (angle: number) => f(Math.cos(angle));
const sin = (angle: number) => f(Math.sin(angle));

/** The product of two row-major square matrices of `size`, summed in float32. */
function multiply(a: number[], b: number[], size: number): number[] {
  const result = new Array<number>(size * size);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      let sum = 0;
      for (let k = 0; k < size; k++) sum = f(sum + f(a[row * size + k] * b[k * size + column]));
      result[row * size + column] = sum;
    }
  }
  return result;
}

/** A 3x3 matrix times (x, y, z), summed in float32. */
function apply3(m: number[], [x, y, z]: number[]): number[] {
  return [0, 1, 2].map((row) =>
    f(f(f(0 + f(m[row * 3] * x)) + f(m[row * 3 + 1] * y)) + f(m[row * 3 + 2] * z))
  );
}

/** Pairs of landmark indices; an odd last index pairs with itself. */
function pairs(indices: number[]): [number, number][] {
  const result: [number, number][] = [];
  for (let i = 0; i + 1 < indices.length; i += 2) result.push([indices[i], indices[i + 1]]);
  if (indices.length % 2 === 1) result.push([indices.at(-1)!, indices.at(-1)!]);
  return result;
}

type Options = { [key: string]: FlexValue };

function version1(context: OpContext, options: Options, count: number) {
  const [inH, inW] = integersOption(context, options, "input_hw");
  const [outH, outW] = integersOption(context, options, "output_hw");
  const range = numberOption(context, options, "landmarks_range");
  const multiplier = f(numberOption(context, options, "bbox_size_multiplier"));
  const leftIndex = numberOption(context, options, "left_rotation_idx");
  const rightIndex = numberOption(context, options, "right_rotation_idx");
  const subset = pairs(integersOption(context, options, "subset"));
  if (numberOption(context, options, "dimensions") !== 3) {
    context.unsupported("dimensions is not 3");
  }
  if (!(inH > 0 && inW > 0 && outH > 0 && outW > 0 && range > 0 && multiplier !== 0)) {
    context.unsupported(
      "input_hw, output_hw, landmarks_range or bbox_size_multiplier is out of range",
    );
  }
  checkIndices(context, [leftIndex, rightIndex, ...subset.flat()], count);
  return (L: Float32Array, out: Float32Array) => {
    const alpha = f(
      -Math.atan(
        f(
          f(L[rightIndex * 3 + 1] - L[leftIndex * 3 + 1]) / f(L[rightIndex * 3] - L[leftIndex * 3]),
        ),
      ),
    );
    let [maxX, maxY, minX, minY] = [-100000, -100000, 100000, 100000];
    for (const pair of subset) {
      for (const index of pair) {
        const [x, y] = [L[index * 3], L[index * 3 + 1]];
        const rx = f(f(x * cos(alpha)) - f(y * sin(alpha)));
        const ry = f(f(x * sin(alpha)) + f(y * cos(alpha)));
        [maxX, maxY] = [Math.max(maxX, rx), Math.max(maxY, ry)];
        [minX, minY] = [Math.min(minX, rx), Math.min(minY, ry)];
      }
    }
    const boxX = f(f(maxX - minX) * multiplier);
    const boxY = f(f(maxY - minY) * multiplier);
    const scale = [f(boxX / range), 0, 0, 0, f(boxY / range), 0, 0, 0, 1];
    const middleX = f(f(maxX + minX) / 2);
    const middleY = f(f(maxY + minY) / 2);
    const [c, s] = [cos(-alpha), sin(-alpha)];
    const rotatedX = f(f(middleX * c) - f(middleY * s));
    const rotatedY = f(f(middleX * s) + f(middleY * c));
    const rotation = [
      c,
      -s,
      f(f(rotatedX / range) * 2 - 1),
      s,
      c,
      f(f(rotatedY / range) * 2 - 1),
      0,
      0,
      1,
    ];
    const toRelative = [f(2 / (outW - 1)), 0, -1, 0, f(2 / (outH - 1)), -1, 0, 0, 1];
    const halfW = f((inW - 1) / 2);
    const halfH = f((inH - 1) / 2);
    const toAbsolute = [halfW, 0, halfW, 0, halfH, halfH, 0, 0, 1];
    const m = multiply(multiply(multiply(toAbsolute, rotation, 3), scale, 3), toRelative, 3);
    out.set([m[0], m[1], 0, m[2], m[3], m[4], 0, m[5], m[6], m[7], m[8], 0, 0, 0, 0, 1]);
  };
}

function version2(context: OpContext, options: Options, count: number) {
  const subset = pairs(integersOption(context, options, "subset_idxs"));
  const leftIndex = numberOption(context, options, "left_rotation_idx");
  const rightIndex = numberOption(context, options, "right_rotation_idx");
  const target = f(numberOption(context, options, "target_rotation_radians"));
  const outH = numberOption(context, options, "output_height");
  const outW = numberOption(context, options, "output_width");
  const scaleX = f(numberOption(context, options, "scale_x"));
  const scaleY = f(numberOption(context, options, "scale_y"));
  if (!(outH > 0 && outW > 0 && scaleX > 0 && scaleY > 0)) {
    context.unsupported("output_height, output_width, scale_x or scale_y is not positive");
  }
  checkIndices(context, [leftIndex, rightIndex, ...subset.flat()], count);
  return (L: Float32Array, out: Float32Array) => {
    const angle = f(
      Math.atan2(
        f(L[rightIndex * 3 + 1] - L[leftIndex * 3 + 1]),
        f(L[rightIndex * 3] - L[leftIndex * 3]),
      ),
    );
    const r = f(target - angle);
    const turn = [cos(r), -sin(r), 0, sin(r), cos(r), 0, 0, 0, 1];
    const back = [cos(-r), -sin(-r), 0, sin(-r), cos(-r), 0, 0, 0, 1];
    const points = subset.flat().map((index) => apply3(turn, [L[index * 3], L[index * 3 + 1], 1]));
    const max = [...points[0]];
    const min = [...points[0]];
    for (const [x, y] of points.slice(1)) {
      if (max[0] < x) max[0] = x;
      if (max[1] < y) max[1] = y;
      if (min[0] > x) min[0] = x;
      if (min[1] > y) min[1] = y;
    }
    const cropWidth = f(max[0] - min[0]);
    const cropHeight = f(max[1] - min[1]);
    const [cropX, cropY] = apply3(back, [
      f(f(min[0] + max[0]) / 2),
      f(f(min[1] + max[1]) / 2),
      min[2],
    ]);
    const shift = [1, 0, 0, cropX, 0, 1, 0, cropY, 0, 0, 1, 0, 0, 0, 0, 1];
    const rotation = [cos(-r), -sin(-r), 0, 0, sin(-r), cos(-r), 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    const sx = f(f(scaleX * cropWidth) / outW);
    const sy = f(f(scaleY * cropHeight) / outH);
    const scale = [sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    const center = [1, 0, 0, f(-(outW / 2)), 0, 1, 0, f(-(outH / 2)), 0, 0, 1, 0, 0, 0, 0, 1];
    const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    let t = multiply(identity, shift, 4);
    t = multiply(t, rotation, 4);
    t = multiply(t, scale, 4);
    out.set(multiply(t, center, 4));
  };
}

function checkIndices(context: OpContext, indices: number[], count: number): void {
  const bad = indices.find((index) => !(Number.isInteger(index) && index >= 0 && index < count));
  if (bad !== undefined) context.unsupported(`landmark index ${bad} is not one of 0..${count - 1}`);
}

/** Landmarks2TransformMatrix (see the module comment). */
export function landmarksToTransformMatrix(context: OpContext): PreparedOp {
  const landmarks = context.input(0, "float32");
  const output = context.output(0, "float32");
  const version = context.operator.version;
  if (version !== 1 && version !== 2) context.unsupported(`version ${version} is not 1 or 2`);
  const rank = version === 1 ? 4 : 3;
  if (landmarks.shape.length !== rank || sizeOf(landmarks) % 3 !== 0) {
    context.unsupported(`landmarks [${landmarks.shape}] are not (x, y, z) triples of rank ${rank}`);
  }
  const count = sizeOf(landmarks) / 3;
  const options = flexOptions(context);
  const compute = version === 1
    ? version1(context, options, count)
    : version2(context, options, count);
  output.shape = [1, 4, 4];
  const memory = context.memory;
  return {
    run: () =>
      compute(memory.f32(landmarks.offset, sizeOf(landmarks)), memory.f32(output.offset, 16)),
  };
}
