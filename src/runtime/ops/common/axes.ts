/** Axis arguments of the op kernels. */
import type { OpContext } from "../../op.ts";

/** An axis in [-rank, rank) made non-negative; unsupported otherwise. */
export function normalizeAxis(context: OpContext, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    context.unsupported(`axis ${axis} is outside a rank-${rank} tensor`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** The constant axis input `position` holds (exactly one), made non-negative for `rank`. */
export function axisInput(context: OpContext, position: number, rank: number): number {
  const tensor = context.input(position);
  context.expectElements(tensor, "axis", 1, "axis");
  return normalizeAxis(context, context.integers(tensor, "axis")[0], rank);
}
