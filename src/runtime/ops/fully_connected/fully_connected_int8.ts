/** Int8 FULLY_CONNECTED on the wasm int8 GEMM (`common/int8_gemm.ts`). */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { int8GemmRowsOp, type Int8Layer, packLayer } from "../common/int8_gemm.ts";

/**
 * FULLY_CONNECTED on the int8 GEMM: the input as rows of k values, divided among threads by
 * rows, or for few rows on the dot GEMM by panels of output channels (`int8GemmRowsOp`).
 */
export function qs8FullyConnected(context: OpContext, layer: Int8Layer): PreparedOp {
  const { input, output } = layer;
  const [n, k] = context.input(1).shape;
  const m = elementCount(input.shape) / k;
  return int8GemmRowsOp(context, packLayer(context, layer, n, k), m, input, output);
}
