/** TOPK_V2: the k largest values along the last axis and their indices. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { requireSharedParameters } from "../../quantization/parameters.ts";

/**
 * TOPK_V2 with a constant k: per row of the last axis, the k largest values in decreasing order
 * (the lower index first among equals, as TFLite's TopContainer orders them) and their int32
 * indices. Quantized values compare as stored and keep the input's parameters.
 */
export function topKV2(context: OpContext): PreparedOp {
  const input = context.input(0, "float32", "int32", "int64", "int8", "uint8", "int16");
  const [k] = context.integers(context.input(1, "int32", "int64"), "k");
  const values = context.output(0, input.dtype);
  const indices = context.output(1, "int32", "int64");
  requireSharedParameters(context, [input], values);
  const rank = input.shape.length;
  const row = input.shape[rank - 1] ?? 0;
  if (rank === 0 || !(k >= 0 && k <= row)) {
    context.unsupported(`k ${k} does not fit input [${input.shape}]`);
  }
  values.shape = [...input.shape.slice(0, -1), k];
  indices.shape = [...values.shape];
  const rows = elementCount(input.shape.slice(0, -1));
  const memory = context.memory;
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, rows * row);
      const topValues = memory.view(values.dtype, values.offset, rows * k);
      const topIndices = memory.view(indices.dtype, indices.offset, rows * k);
      for (let r = 0; r < rows; r++) {
        const base = r * row;
        const order = Array.from({ length: row }, (_, i) => i);
        order.sort((a, b) => Number(source[base + b]) - Number(source[base + a]) || a - b);
        for (let i = 0; i < k; i++) {
          topValues[r * k + i] = source[base + order[i]];
          topIndices[r * k + i] = indices.dtype === "int64" ? BigInt(order[i]) : order[i];
        }
      }
    },
  };
}
