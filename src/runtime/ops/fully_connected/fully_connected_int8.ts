/** Int8 FULLY_CONNECTED on the wasm int8 GEMM (`common/int8_gemm.ts`). */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import {
  bandRows,
  type Int8Layer,
  multiplyRows,
  packLayer,
  rowsScratchBytes,
} from "../common/int8_gemm.ts";

/** FULLY_CONNECTED on the int8 GEMM: the input as rows of k values. */
export function qs8FullyConnected(context: OpContext, layer: Int8Layer): PreparedOp {
  const { input, output } = layer;
  const [n, k] = context.input(1).shape;
  const m = elementCount(input.shape) / k;
  const packed = packLayer(context, layer, n, k);
  const band = bandRows(packed.depth, m);
  return {
    consumedInputs: [1, 2],
    scratchBytes: rowsScratchBytes(packed, band),
    run: (scratch) =>
      multiplyRows(context.kernels, packed, input.offset, m, output.offset, scratch, band),
  };
}
