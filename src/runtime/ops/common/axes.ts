/** Axis arguments of the op kernels. */
import type { OpContext } from "../../op.ts";

/** An axis in [-rank, rank) made non-negative; unsupported otherwise. */
export function normalizeAxis(context: OpContext, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    context.unsupported(`axis ${axis} is outside a rank-${rank} tensor`);
  }
  return axis < 0 ? axis + rank : axis;
}
