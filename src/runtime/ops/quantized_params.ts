/** What the integer kernels share: their dtypes' ranges and per-tensor quantization parameters. */
import { elementCount } from "../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../op.ts";
import { roundHalfAway } from "../quantized/fixed_point.ts";
import type { RuntimeTensor } from "../tensor.ts";

/** The integer dtypes the quantized kernels take, with their ranges. */
export const RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
};

/** Scale and zero point of a per-tensor quantized tensor; unsupported when missing. */
export function params(
  context: OpContext,
  tensor: RuntimeTensor,
): { scale: number; zeroPoint: number } {
  const quantization = tensor.quantization;
  if (!quantization || quantization.scale.length === 0) {
    context.unsupported(`tensor "${tensor.name}" (${tensor.dtype}) has no quantization parameters`);
  }
  return { scale: quantization.scale[0], zeroPoint: quantization.zeroPoint[0] ?? 0 };
}

/**
 * The clamp of a fused activation in the output's integers (TFLite's
 * CalculateActivationRangeQuantized): zero point + round(limit / scale), the division in float32.
 */
export function activationRange(context: OpContext, output: RuntimeTensor): [number, number] {
  const [low, high] = RANGES[output.dtype];
  const { scale, zeroPoint } = params(context, output);
  const quantize = (value: number) => zeroPoint + roundHalfAway(Math.fround(value / scale));
  switch (context.options.fusedActivationFunction ?? "NONE") {
    case "NONE":
      return [low, high];
    case "RELU":
      return [Math.max(low, quantize(0)), high];
    case "RELU6":
      return [Math.max(low, quantize(0)), Math.min(high, quantize(6))];
    case "RELU_N1_TO_1":
      return [Math.max(low, quantize(-1)), Math.min(high, quantize(1))];
    default:
      return context.unsupported(
        `fused activation ${context.options.fusedActivationFunction} has no integer form`,
      );
  }
}

/**
 * Runs `each` over every stored value of `input` into the same-shaped `output` (the output's
 * typed array stores the results): the loop of the integer element-wise kernels.
 */
export function elementwiseRun(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
  each: (value: number) => number,
): PreparedOp {
  const count = elementCount(input.shape);
  const memory = context.memory;
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, count);
      const target = memory.view(output.dtype, output.offset, count);
      for (let index = 0; index < count; index++) target[index] = each(Number(source[index]));
    },
  };
}
