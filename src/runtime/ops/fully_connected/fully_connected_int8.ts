/** Int8 FULLY_CONNECTED on the wasm int8 GEMM (`common/int8_gemm.ts`). */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import {
  bandRows,
  channelSplit,
  type Int8Layer,
  multiplyRows,
  packLayer,
  ROW_SPLIT_MIN_ROWS,
  rowsScratchBytes,
} from "../common/int8_gemm.ts";
import { GEMM_TILE_ROWS, rowSplitOp } from "../common/row_split.ts";

/**
 * FULLY_CONNECTED on the int8 GEMM: the input as rows of k values, divided among threads by
 * rows, or for few rows on the dot GEMM by panels of output channels.
 */
export function qs8FullyConnected(context: OpContext, layer: Int8Layer): PreparedOp {
  const { input, output } = layer;
  const [n, k] = context.input(1).shape;
  const m = elementCount(input.shape) / k;
  const packed = packLayer(context, layer, n, k);
  const kernels = context.kernels;
  if (packed.dot && m < ROW_SPLIT_MIN_ROWS) {
    return rowSplitOp([1, 2], kernels, channelSplit(context.memory, packed, m, input, output));
  }
  const band = bandRows(packed.depth, m);
  return rowSplitOp([1, 2], kernels, {
    rows: m,
    grain: GEMM_TILE_ROWS,
    workPerRow: n * packed.depth,
    scratchBytes: rowsScratchBytes(packed, band),
    runRows: (calls, first, end, scratch) =>
      multiplyRows(
        calls,
        packed,
        input.offset + first * k,
        end - first,
        output.offset + first * n,
        scratch,
        band,
      ),
  });
}
