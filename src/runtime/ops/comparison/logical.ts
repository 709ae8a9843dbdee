/** LOGICAL_AND, LOGICAL_OR (broadcasting) and LOGICAL_NOT on bools. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, OpKernel, PreparedOp } from "../../op.ts";
import { broadcastBinary } from "../common/broadcast.ts";

function logical(combine: (x: boolean, y: boolean) => boolean): OpKernel {
  return (context) => {
    const a = context.input(0, "bool");
    const b = context.input(1, "bool");
    const output = context.output(0, "bool");
    return broadcastBinary(context, a, b, output, (x, y) => combine(x !== 0, y !== 0) ? 1 : 0);
  };
}

/** LOGICAL_NOT. */
export function logicalNot(context: OpContext): PreparedOp {
  const input = context.input(0, "bool");
  const output = context.output(0, "bool");
  output.shape = [...input.shape];
  const count = elementCount(input.shape);
  const memory = context.memory;
  return {
    run() {
      const source = memory.bytes(input.offset, count);
      const target = memory.bytes(output.offset, count);
      for (let index = 0; index < count; index++) target[index] = source[index] ? 0 : 1;
    },
  };
}

/** LOGICAL_AND. */
export const logicalAnd: OpKernel = logical((x, y) => x && y);

/** LOGICAL_OR. */
export const logicalOr: OpKernel = logical((x, y) => x || y);
