/**
 * The broadcast loop of the quantized binary ops computed in TypeScript (DIV, SQUARED_DIFFERENCE,
 * PRELU).
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { broadcastBinary } from "../common/broadcast.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** a op b over broadcast int8/uint8 inputs into the output, by `combine` on the raw values. */
export function quantizedBinary(
  context: OpContext,
  prepare: (
    a: RuntimeTensor,
    b: RuntimeTensor,
    output: RuntimeTensor,
  ) => (x: number, y: number) => number,
): PreparedOp {
  const a = context.input(0, "int8", "uint8");
  const b = context.input(1, a.dtype);
  const output = context.output(0, a.dtype);
  return broadcastBinary(context, a, b, output, prepare(a, b, output));
}
