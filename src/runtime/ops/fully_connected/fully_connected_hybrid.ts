/**
 * Hybrid (dynamic-range) FULLY_CONNECTED: float32 activations, int8 weights, as TensorFlow
 * Lite's hybrid kernel computes it (`common/hybrid_layer.ts`).
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { floatActivationRange } from "../common/activation_range.ts";
import { gemmOperands, hybridLayer, quantizeInput } from "../common/hybrid_layer.ts";
import { roundUp } from "../common/weight_packing.ts";

const f = Math.fround;

/**
 * Hybrid FULLY_CONNECTED: each input row quantized (asymmetrically when the options say so),
 * multiplied on the int8 GEMM, then bias + sum * (row scale x weight scale) in float32.
 */
export function hybridFullyConnected(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const output = context.output(0, "float32");
  const [n, k] = context.input(1).shape;
  const m = elementCount(input.shape) / k;
  if (!Number.isInteger(m)) {
    context.unsupported(`input [${input.shape}] does not split into rows of ${k}`);
  }
  output.shape = context.options.keepNumDims ? [...input.shape.slice(0, -1), n] : [m, n];
  const depth = roundUp(k, 8);
  const layer = hybridLayer(context, n, roundUp(n, 8), depth);
  const asymmetric = Boolean(context.options.asymmetricQuantizeInputs);
  const [low, high] = floatActivationRange(context);
  const memory = context.memory;
  const kernels = context.kernels;
  const operands = gemmOperands(memory, layer.padded, n, depth, layer.bias, low, high);
  const range = memory.allocate(8);
  return {
    consumedInputs: [1, 2],
    scratchBytes: depth * 3,
    run(scratch) {
      const quantized = scratch;
      const widened = scratch + depth;
      const bias = memory.i32(operands.bias, layer.padded);
      const scales = memory.f32(operands.scales, layer.padded);
      for (let row = 0; row < m; row++) {
        const quantization = quantizeInput(
          memory,
          input.offset + row * k * 4,
          k,
          quantized,
          range,
          asymmetric,
        );
        for (let channel = 0; channel < n; channel++) {
          bias[channel] = -quantization.zeroPoint * layer.rowSums[channel];
          scales[channel] = f(quantization.scale * layer.scales[channel]);
        }
        kernels.qs8_widen(quantized, 1, k, k, depth, widened);
        kernels.qs8_gemm_dequantize_4x8(
          widened,
          layer.weights,
          output.offset + row * n * 4,
          1,
          operands.layer,
          1,
        );
      }
    },
  };
}
