/** PAD, PADV2 and MIRROR_PAD with constant paddings, as separable copies, for any dtype. */
import { type TensorData, typedArrayOver } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { stridesOf } from "../common/broadcast.ts";
import { copiedInput, FILL, separableCopy } from "./movement_common.ts";

/** PAD and PADV2: constant [rank, 2] paddings; PADV2's constant value, else zero. */
export function pad(context: OpContext): PreparedOp {
  const input = context.input(0);
  const output = context.output(0, input.dtype);
  const rank = input.shape.length;
  const paddings = context.integers(context.input(1), "paddings");
  if (paddings.length !== rank * 2 || paddings.some((amount) => amount < 0)) {
    context.unsupported(`paddings [${paddings}] do not fit a rank-${rank} input`);
  }
  output.shape = input.shape.map((size, axis) =>
    paddings[2 * axis] + size + paddings[2 * axis + 1]
  );
  const constant = context.optionalInput(2, input.dtype);
  let fill: TensorData;
  if (constant) {
    fill = context.values(constant, "constant value").slice(0, 1);
  } else {
    fill = typedArrayOver(input.dtype, new ArrayBuffer(8), 0, 1)!;
    // A quantized tensor's zero is its zero point.
    const zeroPoint = input.quantization?.zeroPoint[0] ?? 0;
    if (!(fill instanceof BigInt64Array || fill instanceof BigUint64Array)) fill[0] = zeroPoint;
  }
  const strides = stridesOf(input.shape);
  const terms = input.shape.map((size, axis) => (index: number) => {
    const position = index - paddings[2 * axis];
    return position < 0 || position >= size ? FILL : position * strides[axis];
  });
  return separableCopy(context, input, output, terms, fill);
}

/**
 * MIRROR_PAD: constant [rank, 2] paddings filled with the input mirrored at each edge, the edge
 * value itself repeated (SYMMETRIC) or not (REFLECT).
 */
export function mirrorPad(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const rank = input.shape.length;
  const paddings = context.integers(context.input(1), "paddings");
  const symmetric = context.options.mode === "SYMMETRIC";
  const limit = (size: number) => (symmetric ? size : size - 1);
  if (
    paddings.length !== rank * 2 ||
    paddings.some((amount, at) => amount < 0 || amount > limit(input.shape[at >> 1]))
  ) {
    context.unsupported(`paddings [${paddings}] do not fit [${input.shape}] mirrored`);
  }
  output.shape = input.shape.map((size, axis) =>
    paddings[2 * axis] + size + paddings[2 * axis + 1]
  );
  const strides = stridesOf(input.shape);
  const terms = input.shape.map((size, axis) => (index: number) => {
    let position = index - paddings[2 * axis];
    if (position < 0) position = symmetric ? -position - 1 : -position;
    else if (position >= size) {
      position = symmetric ? 2 * size - position - 1 : 2 * size - position - 2;
    }
    return position * strides[axis];
  });
  return separableCopy(context, input, output, terms);
}
