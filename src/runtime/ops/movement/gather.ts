/** GATHER along an axis, with leading batch dimensions, for any dtype, strings included. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { InvokeError } from "../../errors.ts";
import { normalizeAxis } from "../common/axes.ts";
import { gatherStrings } from "./movement_common.ts";

/**
 * GATHER along `axis` with `batch_dims` leading dimensions shared by params and indices (TFLite's
 * reference Gather): output = params.shape[:axis] + indices.shape[batch_dims:] +
 * params.shape[axis + 1:]. Constant indices are checked against the axis at load; indices
 * computed at run time at invoke, where an index outside the axis is an `InvokeError` naming the
 * indices tensor, as TFLite's kernel fails there.
 */
export function gather(context: OpContext): PreparedOp {
  const params = context.input(0);
  const indices = context.input(1, "int32", "int64", "int16");
  const output = context.output(0, params.dtype);
  const rank = params.shape.length;
  const axis = normalizeAxis(context, Number(context.options.axis ?? 0), rank);
  let batchDims = Number(context.options.batchDims ?? 0);
  if (batchDims < 0) batchDims += indices.shape.length;
  if (!(batchDims >= 0 && batchDims <= axis && batchDims <= indices.shape.length)) {
    context.unsupported(`batch_dims ${batchDims} does not fit axis ${axis}`);
  }
  for (let dimension = 0; dimension < batchDims; dimension++) {
    if (params.shape[dimension] !== indices.shape[dimension]) {
      context.unsupported(
        `batch dimension ${dimension} of [${params.shape}] and [${indices.shape}] differ`,
      );
    }
  }
  output.shape = [
    ...params.shape.slice(0, axis),
    ...indices.shape.slice(batchDims),
    ...params.shape.slice(axis + 1),
  ];
  const batches = elementCount(params.shape.slice(0, batchDims));
  const outer = elementCount(params.shape.slice(batchDims, axis));
  const inner = elementCount(params.shape.slice(axis + 1));
  const axisSize = params.shape[axis];
  const indexCount = elementCount(indices.shape.slice(batchDims));
  const memory = context.memory;
  const paramCount = elementCount(params.shape);
  const outside = (index: number) =>
    `${
      context.describe(indices, "indices")
    } holds ${index}, outside [0, ${axisSize}) of axis ${axis} of ${
      context.describe(params, "input")
    }`;
  if (indices.constant) {
    const index = context.integers(indices, "indices").find((value) =>
      !(value >= 0 && value < axisSize)
    );
    if (index !== undefined) context.unsupported(outside(index));
  }
  /** Calls `copy` with the start of each `inner`-element slice of params, in output order. */
  const forEachSlice = (copy: (start: number, position: number) => void) => {
    const which = memory.view(indices.dtype, indices.offset, batches * indexCount);
    let position = 0;
    for (let batch = 0; batch < batches; batch++) {
      for (let block = 0; block < outer; block++) {
        for (let j = 0; j < indexCount; j++) {
          const index = Number(which[batch * indexCount + j]);
          if (!(index >= 0 && index < axisSize)) {
            throw new InvokeError(context.where, outside(index));
          }
          copy(((batch * outer + block) * axisSize + index) * inner, position);
          position += inner;
        }
      }
    }
  };
  if (params.dtype === "string") return gatherStrings(params, output, inner, forEachSlice);
  return {
    run() {
      const source = memory.view(params.dtype, params.offset, paramCount);
      const target = memory.view(output.dtype, output.offset, elementCount(output.shape));
      forEachSlice((start, position) =>
        target.set(source.subarray(start, start + inner) as never, position)
      );
    },
  };
}
