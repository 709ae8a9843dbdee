/** The loop of the integer element-wise kernels. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/**
 * Runs `each` over every stored value of `input` into the same-shaped `output` (the output's
 * typed array stores the results): the loop of the integer element-wise kernels.
 */
export function elementwiseRun(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
  each: (value: number) => number,
): PreparedOp {
  const count = elementCount(input.shape);
  const memory = context.memory;
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, count);
      const target = memory.view(output.dtype, output.offset, count);
      for (let index = 0; index < count; index++) target[index] = each(Number(source[index]));
    },
  };
}
