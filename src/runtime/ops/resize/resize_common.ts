/** What the RESIZE_* ops share: their NHWC input, constant target size and coordinate options. */
import type { OpContext } from "../../op.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** A RESIZE_* op's NHWC input and target size (constant input 1) and coordinate options. */
export interface ResizePlan {
  batches: number;
  inH: number;
  inW: number;
  depth: number;
  outH: number;
  outW: number;
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** Reads and checks a RESIZE_* op's plan and sets the output's shape. */
export function resizePlan(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
): ResizePlan {
  if (input.shape.length !== 4) context.unsupported(`input must be NHWC, not [${input.shape}]`);
  const [batches, inH, inW, depth] = input.shape;
  const size = context.integers(context.input(1), "size");
  if (size.length !== 2 || size.some((value) => !(value >= 1))) {
    context.unsupported(`size [${size}] must be two positive numbers`);
  }
  if (inH === 0 || inW === 0) {
    context.unsupported(
      `${context.describe(input, "input")} [${input.shape}] has no pixels to resize`,
    );
  }
  const [outH, outW] = size;
  output.shape = [batches, outH, outW, depth];
  const alignCorners = Boolean(context.options.alignCorners);
  const halfPixelCenters = Boolean(context.options.halfPixelCenters);
  if (alignCorners && halfPixelCenters) {
    context.unsupported("align corners and half-pixel centres cannot both be set");
  }
  return { batches, inH, inW, depth, outH, outW, alignCorners, halfPixelCenters };
}
