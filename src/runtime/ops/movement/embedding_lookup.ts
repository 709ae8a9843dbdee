/**
 * EMBEDDING_LOOKUP: rows of a table by int32 ids, copied (float32, or int8 into int8), or
 * dequantized to float32 (hybrid int8/uint8 tables).
 */
import { elementCount } from "../../../format/dtype.ts";
import { InvokeError } from "../../errors.ts";
import type { OpContext, PreparedOp } from "../../op.ts";

/**
 * EMBEDDING_LOOKUP: output[i] = table[ids[i]] for a float32 table, or an int8 table into an int8
 * output (the same parameters); for an int8 or uint8 table with a float32 output, the row
 * dequantized as value x scale in float32 (the row's own scale when the table has one per row),
 * as TFLite's hybrid lookup computes it. Ids outside the table are an error at run time.
 */
export function embeddingLookup(context: OpContext): PreparedOp {
  const ids = context.input(0, "int32");
  const table = context.input(1, "float32", "int8", "uint8");
  const output = context.output(0, "float32", "int8");
  const copied = output.dtype === table.dtype;
  if (output.dtype === "int8" && !copied) context.unsupported("an int8 output needs an int8 table");
  if (ids.shape.length !== 1 || table.shape.length < 2) {
    context.unsupported(
      `ids [${ids.shape}] must be 1-D and the table [${table.shape}] 2-D or more`,
    );
  }
  const rows = table.shape[0];
  const rowSize = elementCount(table.shape.slice(1));
  output.shape = [ids.shape[0], ...table.shape.slice(1)];
  let scales: number[] = [];
  if (!copied) {
    scales = table.quantization?.scale ?? [];
    if (scales.length !== 1 && scales.length !== rows) {
      context.unsupported(`table "${table.name}" needs one scale, or one per row`);
    }
  }
  const memory = context.memory;
  const count = ids.shape[0];
  const outside = (row: number) =>
    `${context.describe(ids, "ids")} holds ${row}, outside [0, ${rows}) of ${
      context.describe(table, "table")
    }`;
  if (ids.constant) {
    const row = context.integers(ids, "ids").find((id) => !(id >= 0 && id < rows));
    if (row !== undefined) context.unsupported(outside(row));
  }
  return {
    run() {
      const which = memory.i32(ids.offset, count);
      const source = memory.view(table.dtype, table.offset, rows * rowSize);
      const target = memory.view(output.dtype, output.offset, count * rowSize);
      for (let i = 0; i < count; i++) {
        const row = which[i];
        if (!(row >= 0 && row < rows)) throw new InvokeError(context.where, outside(row));
        const values = source.subarray(row * rowSize, (row + 1) * rowSize);
        if (copied) {
          target.set(values as never, i * rowSize);
          continue;
        }
        const scale = scales.length === 1 ? scales[0] : scales[row];
        for (let j = 0; j < rowSize; j++) {
          target[i * rowSize + j] = Math.fround(Number(values[j]) * scale);
        }
      }
    },
  };
}
