/**
 * What an integer (int8, uint8, int16) convolution or fully connected layer prepares: constant
 * weights and bias, per-channel multipliers, activation range and zero points, and whether the
 * layer runs on the int8 wasm kernels or TFLite's reference arithmetic in TypeScript.
 */
import type { OpContext } from "../../op.ts";
import { quantizedActivationRange } from "./activation_range.ts";
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplier64,
  multiplyByQuantizedMultiplierSingleRounding,
} from "../../quantization/fixed_point.ts";
import { channelMultipliers, params } from "../../quantization/parameters.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/**
 * Whether a layer runs on the wasm int8 kernels: int8 activations, symmetric weights (zero point
 * 0, as the int8 spec requires) and right shifts of at most 30 bits, which the kernels' exact
 * requantization takes. Legacy uint8 layers, and layers with an output multiplier below 2^-31
 * (a 31-bit shift, which TFLite runs too), stay on the TypeScript reference, exact for them (in
 * the "xnnpack" arithmetic too, where such a layer then gives TFLite's reference results).
 */
export function usesWasm(
  input: RuntimeTensor,
  filterZeroPoints: number[],
  shifts: Int32Array,
): boolean {
  return input.dtype === "int8" && filterZeroPoints.every((zero) => zero === 0) &&
    shifts.every((shift) => shift >= -30);
}

/**
 * The int8 weights of an int16x8 layer that the wasm int16 kernels take (int16 activations with
 * zero points 0 and symmetric int8 weights, as TensorFlow's 16x8 mode makes them), or null for
 * a layer that stays on the TypeScript reference.
 */
export function int16WasmWeights(layer: {
  input: RuntimeTensor;
  weights: Int8Array | Uint8Array;
  filterZeroPoints: number[];
  inputZero: number;
  outputZero: number;
}): Int8Array | null {
  const { input, weights, filterZeroPoints, inputZero, outputZero } = layer;
  return input.dtype === "int16" && weights instanceof Int8Array &&
      filterZeroPoints.every((zero) => zero === 0) && inputZero === 0 && outputZero === 0
    ? weights
    : null;
}

/**
 * What a convolution or fully connected layer needs, prepared once: its constant weights and
 * bias (zeros when absent), per-channel multipliers, activation range and zero points.
 */
export function layerParameters(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
  channels: number,
) {
  const filter = context.input(1, "int8", "uint8");
  const filterQuantization = context.quantization(filter, "filter");
  const weights = context.values(filter, "filter") as Int8Array | Uint8Array;
  // int16x8 layers have int64 biases (int32 in older files); their values stay well inside 2^53.
  const biasInput = context.optionalInput(
    2,
    ...(input.dtype === "int16" ? ["int64", "int32"] as const : ["int32"] as const),
  );
  const bias = biasInput
    ? Float64Array.from(context.values(biasInput, "bias") as ArrayLike<number | bigint>, Number)
    : new Float64Array(channels);
  if (bias.length !== channels) {
    context.unsupported(`bias has ${bias.length} values for ${channels} channels`);
  }
  const [low, high] = quantizedActivationRange(context, output);
  return {
    input,
    output,
    weights,
    bias,
    // TensorFlow rounds FULLY_CONNECTED once (through ruy), int16x8 convolutions' 64-bit sums
    // with the 15-bit reduced multiplier, the other layers twice (gemmlowp); all three measured.
    rescale: context.operator.op === "FULLY_CONNECTED"
      ? multiplyByQuantizedMultiplierSingleRounding
      : input.dtype === "int16"
      ? multiplyByQuantizedMultiplier64
      : multiplyByQuantizedMultiplier,
    ...channelMultipliers(context, input, filterQuantization.scale, output, channels),
    filterZeroPoints: filterQuantization.zeroPoint,
    inputZero: params(context, input).zeroPoint,
    outputZero: params(context, output).zeroPoint,
    low,
    high,
  };
}
