/** CUMSUM: running sums along a constant axis, inclusive or exclusive, forward or reversed. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { normalizeAxis } from "../common/axes.ts";

/**
 * CUMSUM on float32 (summed in float32, in order), int32 and int64 (TFLite's reference CumSum):
 * with `exclusive` each output holds the sum before its element, with `reverse` sums run from
 * the axis' end.
 */
export function cumsum(context: OpContext): PreparedOp {
  const input = context.input(0, "float32", "int32", "int64");
  const output = context.output(0, input.dtype);
  const [axisValue] = context.integers(context.input(1, "int32"), "axis");
  const axis = normalizeAxis(context, axisValue, input.shape.length);
  const exclusive = Boolean(context.options.exclusive);
  const reverse = Boolean(context.options.reverse);
  output.shape = [...input.shape];
  const outer = elementCount(input.shape.slice(0, axis));
  const inner = elementCount(input.shape.slice(axis + 1));
  const length = input.shape[axis];
  const memory = context.memory;
  const count = elementCount(input.shape);
  const add = input.dtype === "float32"
    ? (a: number, b: number) => Math.fround(a + b)
    : input.dtype === "int32"
    ? (a: number, b: number) => (a + b) | 0
    : null;
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, count);
      const target = memory.view(output.dtype, output.offset, count);
      for (let block = 0; block < outer; block++) {
        for (let position = 0; position < inner; position++) {
          let sum: number | bigint = add ? 0 : 0n;
          for (let step = 0; step < length; step++) {
            const along = reverse ? length - 1 - step : step;
            const at = (block * length + along) * inner + position;
            if (exclusive) target[at] = sum;
            sum = add
              ? add(sum as number, source[at] as number)
              : (sum as bigint) + (source[at] as bigint);
            if (!exclusive) target[at] = sum;
          }
        }
      }
    },
  };
}
