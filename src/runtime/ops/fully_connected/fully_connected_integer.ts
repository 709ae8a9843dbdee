/**
 * Integer FULLY_CONNECTED (int8, legacy uint8 and int16x8), bit-exact with TensorFlow Lite's
 * reference kernels: int8 layers with symmetric weights, and uint8 layers whose weights less their
 * zero point fit int8 (`int8WasmLayer`), run on the int8 GEMM (`fully_connected_int8.ts`),
 * int16x8 layers on the int16 one where their sums stay within int32 (`common/int16_gemm.ts`), the
 * others here in scalar TypeScript.
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { int16WasmWeights, int8WasmLayer, layerParameters } from "../common/integer_layer.ts";
import { qs8FullyConnected } from "./fully_connected_int8.ts";
import { qs16FullyConnected } from "../common/int16_gemm.ts";
import { integerInput } from "../../quantization/parameters.ts";

/** FULLY_CONNECTED on int8 (per-tensor or per-channel) or uint8. */
export function integerFullyConnected(context: OpContext): PreparedOp {
  const input = integerInput(context, 0);
  const output = context.output(0, input.dtype);
  const [n, k] = context.input(1).shape;
  const layer = layerParameters(context, input, output, n);
  const { weights, bias, multipliers, shifts, filterZeroPoints, rescale } = layer;
  const { inputZero, outputZero, low, high } = layer;
  const m = elementCount(input.shape) / k;
  if (!Number.isInteger(m)) {
    context.unsupported(`input [${input.shape}] does not split into rows of ${k}`);
  }
  output.shape = context.options.keepNumDims ? [...input.shape.slice(0, -1), n] : [m, n];
  const int8Layer = int8WasmLayer(layer);
  if (int8Layer) return qs8FullyConnected(context, int8Layer);
  const int16Weights = int16WasmWeights(layer);
  const int16Layer = int16Weights &&
    qs16FullyConnected(context, { ...layer, weights: int16Weights }, m, n, k);
  if (int16Layer) return int16Layer;
  const memory = context.memory;
  return {
    consumedInputs: [1, 2],
    run() {
      const source = memory.view(input.dtype, input.offset, m * k) as Int8Array;
      const target = memory.view(output.dtype, output.offset, m * n);
      for (let row = 0; row < m; row++) {
        for (let column = 0; column < n; column++) {
          const zero = filterZeroPoints[filterZeroPoints.length === 1 ? 0 : column] ?? 0;
          let acc = 0;
          for (let depth = 0; depth < k; depth++) {
            acc += (weights[column * k + depth] - zero) * (source[row * k + depth] - inputZero);
          }
          acc = rescale(acc + bias[column], multipliers[column], shifts[column]);
          target[row * n + column] = Math.min(high, Math.max(low, acc + outputZero));
        }
      }
    },
  };
}
