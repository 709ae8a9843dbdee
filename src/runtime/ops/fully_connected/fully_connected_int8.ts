/** Int8 FULLY_CONNECTED on the wasm int8 GEMM (`common/int8_gemm.ts`). */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import {
  bandRows,
  type Int8Layer,
  packLayer,
  requantizedRows,
  widenInBands,
} from "../common/int8_gemm.ts";

/** FULLY_CONNECTED on the int8 GEMM: each row of k inputs widened, then multiplied. */
export function qs8FullyConnected(context: OpContext, layer: Int8Layer): PreparedOp {
  const { input, output } = layer;
  const [n, k] = context.input(1).shape;
  const m = elementCount(input.shape) / k;
  const packed = packLayer(context, layer, n, k);
  const band = bandRows(packed.depth, m);
  return {
    consumedInputs: [1, 2],
    scratchBytes: band * packed.depth * 2,
    run: (scratch) =>
      widenInBands(
        context.kernels,
        input.offset,
        k,
        k,
        m,
        packed.depth,
        scratch,
        band,
        (start, count) =>
          requantizedRows(context.kernels, packed, scratch, output.offset + start * n, count),
      ),
  };
}
