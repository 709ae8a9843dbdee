/** ARG_MAX and ARG_MIN on every numeric type. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpKernel } from "../../op.ts";
import { axisInput } from "../common/axes.ts";

/**
 * ARG_MAX and ARG_MIN along the constant axis (input 1), as int32 or int64 by the options: the
 * first index of the largest (smallest) value, as TFLite's strict comparison keeps it. Quantized
 * inputs compare their stored values, which order as the real ones do.
 */
function argExtremum(largest: boolean): OpKernel {
  return (context) => {
    const input = context.input(0, "float32", "int32", "int8", "uint8", "int16");
    const output = context.output(0, "int32", "int64");
    const rank = input.shape.length;
    const axis = axisInput(context, 1, rank);
    output.shape = input.shape.filter((_, position) => position !== axis);
    const axisSize = input.shape[axis];
    if (axisSize === 0) context.unsupported("the axis has no elements");
    const inner = elementCount(input.shape.slice(axis + 1));
    const outer = elementCount(input.shape.slice(0, axis));
    const memory = context.memory;
    const better = largest ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
    return {
      run() {
        const source = memory.view(input.dtype, input.offset, elementCount(input.shape));
        const target = memory.view(output.dtype, output.offset, outer * inner);
        for (let block = 0; block < outer; block++) {
          for (let position = 0; position < inner; position++) {
            const start = block * axisSize * inner + position;
            let best = Number(source[start]);
            let found = 0;
            for (let step = 1; step < axisSize; step++) {
              const value = Number(source[start + step * inner]);
              if (better(value, best)) {
                best = value;
                found = step;
              }
            }
            target[block * inner + position] = output.dtype === "int64" ? BigInt(found) : found;
          }
        }
      },
    };
  };
}

/** ARG_MAX. */
export const argMax: OpKernel = argExtremum(true);

/** ARG_MIN. */
export const argMin: OpKernel = argExtremum(false);
