/**
 * int16x8 DEPTHWISE_CONV_2D (depth multiplier 1) on the wasm kernels: each pixel's int32 sums
 * (`qs16_depthwise_sums`), then TFLite's int16x8 requantization (`qs16_requantize_sums`). The
 * arithmetic is exactly that of `convolution_integer.ts`, TFLite's reference. (int16x8 CONV_2D:
 * `common/int16_gemm.ts`.)
 */
import { storeLayer } from "../../kernel_layout.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { type Int16Layer, int16Requantization } from "../common/int16_gemm.ts";
import { roundUp } from "../common/weight_packing.ts";
import { windowFields } from "../common/window.ts";

/**
 * DEPTHWISE_CONV_2D on int16 activations and int8 weights [1, kH, kW, channels] (zero points 0,
 * depth multiplier 1) on wasm, or null where the kernels do not apply (`int16Requantization`).
 */
export function qs16DepthwiseConv2d(context: OpContext, layer: Int16Layer): PreparedOp | null {
  const { input, output, window, weights, bias, low, high } = layer;
  const [batches, inH, inW, channels] = input.shape;
  const [, kH, kW, outC] = context.input(1).shape;
  if (outC !== channels) return null;
  const requantization = int16Requantization(layer, channels, (channel) => {
    let sum = 0;
    for (let index = channel; index < weights.length; index += channels) {
      sum += Math.abs(weights[index]);
    }
    return sum;
  }, false);
  if (!requantization) return null;
  const memory = context.memory;
  const kernels = context.kernels;
  const paddedBias = new Int32Array(roundUp(channels, 8));
  paddedBias.set(bias);
  const block = storeLayer(memory, {
    ...windowFields(inH, inW, channels, kH, kW, window),
    filter: memory.store(weights),
    bias: memory.store(paddedBias),
  });
  const reduced = memory.store(requantization.reduced);
  const totals = memory.store(requantization.totals);
  const positions = window.rows.outSize * window.columns.outSize;
  return {
    consumedInputs: [1, 2],
    scratchBytes: positions * channels * 4,
    run(scratch) {
      for (let image = 0; image < batches; image++) {
        kernels.qs16_depthwise_sums(
          input.offset + image * inH * inW * channels * 2,
          scratch,
          block,
        );
        kernels.qs16_requantize_sums(
          scratch,
          positions,
          channels,
          reduced,
          totals,
          low,
          high,
          output.offset + image * positions * channels * 2,
        );
      }
    },
  };
}
