/** Axis arguments of the op kernels. */
import type { OpContext } from "../../op.ts";

/** An integer axis in [-rank, rank) made non-negative; null for any other value. */
export function axisWithin(axis: number, rank: number): number | null {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) return null;
  return axis < 0 ? axis + rank : axis;
}

/** An axis in [-rank, rank) made non-negative; unsupported otherwise. */
export function normalizeAxis(context: OpContext, axis: number, rank: number): number {
  const normalized = axisWithin(axis, rank);
  if (normalized === null) context.unsupported(`axis ${axis} is outside a rank-${rank} tensor`);
  return normalized;
}

/** The constant axis input `position` holds (exactly one), made non-negative for `rank`. */
export function axisInput(context: OpContext, position: number, rank: number): number {
  const tensor = context.input(position);
  context.expectElements(tensor, "axis", 1, "axis");
  return normalizeAxis(context, context.integers(tensor, "axis")[0], rank);
}
