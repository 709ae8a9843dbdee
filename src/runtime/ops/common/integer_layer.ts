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

/** What `layerParameters` prepared, as the choice of a layer's kernels reads it. */
type IntegerLayer = ReturnType<typeof layerParameters>;

/** 0x80, the XOR that turns a uint8 value x into the int8 x - 128 (and back). */
const UINT8_FLIP = 0x80;

/**
 * The layer as the wasm int8 kernels take it, or null for a layer that stays on the TypeScript
 * reference. They take int8 activations with symmetric weights (zero point 0, as the int8 spec
 * requires) and right shifts of at most 30 bits, which their exact requantization takes. A legacy
 * uint8 layer with one weight zero point runs on them as an int8 one: every activation x as the
 * int8 x - 128 (`activationFlip`: the kernels read the input bytes XORed with it and flip their
 * outputs back), its zero points and clamp moved by -128 with them, exact since
 * (x - 128) - (zero - 128) = x - zero; and its weights less their zero point as int16 (from -255
 * to 255: uint8 weights use their whole range). Other layers, and layers with an output
 * multiplier below 2^-31 (a 31-bit shift, which TFLite runs too), stay on the TypeScript
 * reference, exact for them (in the "xnnpack" arithmetic too, where such a layer, and any uint8
 * layer, then gives TFLite's reference results).
 */
export function int8WasmLayer<Layer extends IntegerLayer>(
  layer: Layer,
): (Layer & { weights: Int8Array | Int16Array; activationFlip: number }) | null {
  const { input, weights, filterZeroPoints, shifts } = layer;
  if (!shifts.every((shift) => shift >= -30)) return null;
  if (input.dtype === "int8") {
    return filterZeroPoints.every((zero) => zero === 0)
      ? { ...layer, weights: weights as Int8Array, activationFlip: 0 }
      : null;
  }
  const { inputZero, outputZero } = layer;
  const filterZero = filterZeroPoints[0];
  if (
    input.dtype !== "uint8" || !filterZeroPoints.every((zero) => zero === filterZero) ||
    ![inputZero, outputZero, filterZero].every((zero) => zero >= 0 && zero <= 255)
  ) {
    return null;
  }
  return {
    ...layer,
    weights: Int16Array.from(weights, (weight) => weight - filterZero),
    filterZeroPoints: [0],
    inputZero: inputZero - UINT8_FLIP,
    outputZero: outputZero - UINT8_FLIP,
    low: layer.low - UINT8_FLIP,
    high: layer.high - UINT8_FLIP,
    activationFlip: UINT8_FLIP,
  };
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
