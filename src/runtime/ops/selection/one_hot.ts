/** ONE_HOT: indices to one-hot vectors of the on and off values, for any value dtype. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";

/**
 * ONE_HOT: output[..., d, ...] (d inserted at `axis`, -1 = last) is on_value where the index
 * equals d and off_value elsewhere (indices outside [0, depth) give off everywhere); depth is a
 * constant, on and off values are scalars read at run time.
 */
export function oneHot(context: OpContext): PreparedOp {
  const indices = context.input(0, "int32", "int64", "uint8");
  const [depth] = context.integers(context.input(1), "depth");
  const onValue = context.input(2);
  const offValue = context.input(3, onValue.dtype);
  const output = context.output(0, onValue.dtype);
  const rank = indices.shape.length;
  const axisOption = Number(context.options.axis ?? -1);
  const axis = axisOption === -1 ? rank : axisOption;
  if (!(depth >= 0) || !(axis >= 0 && axis <= rank)) {
    context.unsupported(
      `depth ${depth} or axis ${axisOption} does not fit indices [${indices.shape}]`,
    );
  }
  output.shape = [...indices.shape.slice(0, axis), depth, ...indices.shape.slice(axis)];
  const outer = elementCount(indices.shape.slice(0, axis));
  const inner = elementCount(indices.shape.slice(axis));
  const memory = context.memory;
  return {
    run() {
      const which = memory.view(indices.dtype, indices.offset, outer * inner);
      const on = memory.view(onValue.dtype, onValue.offset, 1)[0];
      const off = memory.view(offValue.dtype, offValue.offset, 1)[0];
      const target = memory.view(output.dtype, output.offset, outer * depth * inner);
      let position = 0;
      for (let block = 0; block < outer; block++) {
        for (let d = 0; d < depth; d++) {
          for (let i = 0; i < inner; i++) {
            target[position++] = Number(which[block * inner + i]) === d ? on : off;
          }
        }
      }
    },
  };
}
