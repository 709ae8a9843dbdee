/**
 * The clamps of fused activation functions, on float32 values and in a quantized output's integers.
 */
import type { OpContext } from "../../op.ts";
import { params, quantizeValue, RANGES } from "../../quantization/parameters.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** The clamp [low, high] that a fused activation function applies. */
export function floatActivationRange(context: OpContext): [number, number] {
  const activation = context.options.fusedActivationFunction ?? "NONE";
  switch (activation) {
    case "NONE":
      return [-Infinity, Infinity];
    case "RELU":
      return [0, Infinity];
    case "RELU_N1_TO_1":
      return [-1, 1];
    case "RELU6":
      return [0, 6];
    default:
      return context.unsupported(`fused activation ${activation} is not supported`);
  }
}

/**
 * The clamp of a fused activation in the output's integers (TFLite's
 * CalculateActivationRangeQuantized): zero point + round(limit / scale), the division in float32.
 */
export function quantizedActivationRange(
  context: OpContext,
  output: RuntimeTensor,
): [number, number] {
  const [low, high] = RANGES[output.dtype];
  const { scale, zeroPoint } = params(context, output);
  const quantize = (value: number) => quantizeValue(value, scale, zeroPoint, [low, high]);
  switch (context.options.fusedActivationFunction ?? "NONE") {
    case "NONE":
      return [low, high];
    case "RELU":
      return [quantize(0), high];
    case "RELU6":
      return [quantize(0), quantize(6)];
    case "RELU_N1_TO_1":
      return [quantize(-1), quantize(1)];
    default:
      return context.unsupported(
        `fused activation ${context.options.fusedActivationFunction} has no integer form`,
      );
  }
}
