/**
 * MEAN and SUM on int8, uint8 and int16, as TensorFlow 2.21 computes them; int8/uint8 sums over an
 * image's pixels on the wasm kernel `qs8_channel_sums` (`assembly/qs8_reduce.ts`), a MEAN's
 * requantization of them too (`qs8_requantize_sums`).
 */
import { storeLayer } from "../../kernel_layout.ts";
import type { OpKernel } from "../../op.ts";
import { planReduction } from "./reduction_common.ts";
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierSingleRounding,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import { integerInput, params, RANGES } from "../../quantization/parameters.ts";
import { uniformConstants } from "../common/weight_packing.ts";
import { xnnpackMean } from "../common/xnnpack_arithmetic.ts";

/**
 * MEAN and SUM on int8/uint8/int16 over constant axes, as TensorFlow 2.21 computes them (matched
 * bit for bit): the centred sum (sum - N * input zero point, N the reduced elements per output)
 * times the multiplier of input scale / output scale, plus the output zero point, clamped.
 * MEAN folds the division into the multiplier: with k = floor(log2 N) (at most 32 and
 * 31 + shift), multiplier' = floor(multiplier * 2^k / N), shift' = shift - k, and rounds twice
 * (multiplyByQuantizedMultiplier); SUM rounds once (TensorFlow's default kernel; its reference
 * SUM is broken for int8 in 2.21). In the "xnnpack" arithmetic an int8 MEAN (over any axes: an
 * image's pixels, a layer norm's last axis; XNNPACK's delegate takes every one) follows XNNPACK
 * (`xnnpackMean`).
 */
export function integerSumOrMean(mean: boolean): OpKernel {
  return (context) => {
    const input = integerInput(context, 0);
    const output = context.output(0, input.dtype);
    const reduction = planReduction(context, input, output);
    const { inputCount, outputCount, perOutput, rowsOfOutputs, width, rowTargets } = reduction;
    const pin = params(context, input);
    const pout = params(context, output);
    const [low, high] = RANGES[output.dtype];
    let [multiplier, shift] = quantizeMultiplier(pin.scale / pout.scale);
    if (mean) {
      const divisionBits = Math.min(Math.floor(Math.log2(perOutput)), 32, 31 + shift);
      multiplier = Math.floor(multiplier * 2 ** divisionBits / perOutput);
      shift -= divisionBits;
    }
    const memory = context.memory;
    const kernels = context.kernels;
    // int8/uint8 rows of outputs (an image's pixels): the channel sums on wasm, when each sum
    // stays within int32 (perOutput x 255).
    const channelSums = input.dtype !== "int16" && perOutput * 255 < 2 ** 31 && rowsOfOutputs
      ? memory.allocate(Math.ceil(outputCount / 4) * 16)
      : -1;
    const unsigned = input.dtype === "uint8" ? 1 : 0;
    const xnnpack = mean && context.arithmetic === "xnnpack" && input.dtype === "int8"
      ? xnnpackMean(pin, pout, perOutput)
      : null;
    // A MEAN in TFLite's arithmetic requantizes those sums on wasm too (`qs8_requantize_sums`)
    // where its general form holds: the centred sum (at most perOutput x 255) shifted left below
    // 2^31 - 2^29, and right by at most 30 bits.
    if (
      mean && !xnnpack && channelSums >= 0 && shift >= -30 &&
      perOutput * 255 * 2 ** Math.max(shift, 0) < 2 ** 31 - 2 ** 29
    ) {
      const layer = storeLayer(memory, {
        zeroA: perOutput * pin.zeroPoint,
        zeroPoint: pout.zeroPoint,
        params: uniformConstants(context, multiplier, shift),
        lowI: low,
        highI: high,
      });
      return {
        run() {
          kernels.qs8_channel_sums(input.offset, perOutput, outputCount, unsigned, channelSums);
          kernels.qs8_requantize_sums(channelSums, outputCount, output.offset, layer);
        },
      };
    }
    const rescale = mean
      ? multiplyByQuantizedMultiplier
      : multiplyByQuantizedMultiplierSingleRounding;
    const sums = new Float64Array(outputCount);
    return {
      run() {
        const target = memory.view(output.dtype, output.offset, outputCount);
        if (channelSums >= 0) {
          kernels.qs8_channel_sums(input.offset, perOutput, outputCount, unsigned, channelSums);
          sums.set(memory.i32(channelSums, outputCount));
        } else {
          const source = memory.view(input.dtype, input.offset, inputCount);
          sums.fill(0);
          reduction.forEachRow((start, base) => {
            for (let index = 0; index < width; index++) {
              sums[base + rowTargets[index]] += Number(source[start + index]);
            }
          });
        }
        for (let index = 0; index < outputCount; index++) {
          const value = xnnpack
            ? xnnpack(sums[index])
            : rescale(sums[index] - perOutput * pin.zeroPoint, multiplier, shift) + pout.zeroPoint;
          target[index] = Math.min(high, Math.max(low, value));
        }
      },
    };
  };
}
