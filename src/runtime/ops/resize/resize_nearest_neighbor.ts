/** RESIZE_NEAREST_NEIGHBOR as a separable copy, for any dtype. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { copiedInput, separableCopy } from "../movement/movement_common.ts";
import { resizePlan } from "./resize_common.ts";
import { roundHalfAway } from "../../quantization/fixed_point.ts";

const f = Math.fround;

/**
 * TFLite's nearest source index for RESIZE_NEAREST_NEIGHBOR, in float32: scale = in / out (or
 * (in - 1) / (out - 1) with align corners), (out index + 0.5 with half-pixel centres) x scale,
 * rounded half away from zero with align corners and floored otherwise, kept in [0, in - 1].
 */
function nearestIndex(
  index: number,
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): number {
  const scale = alignCorners && outSize > 1
    ? f((inSize - 1) / f(outSize - 1))
    : f(inSize / f(outSize));
  const scaled = f(f(index + (halfPixelCenters ? 0.5 : 0)) * scale);
  const nearest = Math.min(
    alignCorners ? roundHalfAway(scaled) : Math.floor(scaled),
    inSize - 1,
  );
  return halfPixelCenters ? Math.max(0, nearest) : nearest;
}

/** RESIZE_NEAREST_NEIGHBOR to the constant size [height, width] (input 1), NHWC. */
export function resizeNearestNeighbor(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const plan = resizePlan(context, input, output);
  const { inH, inW, depth, alignCorners, halfPixelCenters } = plan;
  const rows = Array.from(
    { length: plan.outH },
    (_, y) => nearestIndex(y, inH, plan.outH, alignCorners, halfPixelCenters),
  );
  const columns = Array.from(
    { length: plan.outW },
    (_, x) => nearestIndex(x, inW, plan.outW, alignCorners, halfPixelCenters),
  );
  return separableCopy(context, input, output, [
    (b) => b * inH * inW * depth,
    (y) => rows[y] * inW * depth,
    (x) => columns[x] * depth,
    (c) => c,
  ]);
}
