/**
 * Per-tensor quantization parameters and what derives from them: the integer dtypes' ranges,
 * a tensor's scale and zero point, THE quantization formula (`quantizeValue`), the per-channel
 * output multipliers of integer layers, and the checks TFLite makes on parameters.
 */
import type { DType } from "../../format/dtype.ts";
import type { OpContext } from "../op.ts";
import { quantizeMultiplier, roundHalfAway } from "./fixed_point.ts";
import type { RuntimeTensor } from "../tensor.ts";

/** The integer dtypes the quantized kernels and quantized inputs take, with their ranges. */
export const RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

/** Scale and zero point of a per-tensor quantized tensor; unsupported when missing. */
export function params(
  context: OpContext,
  tensor: RuntimeTensor,
): { scale: number; zeroPoint: number } {
  const quantization = context.quantization(tensor, "");
  return { scale: quantization.scale[0], zeroPoint: quantization.zeroPoint[0] ?? 0 };
}

/**
 * THE quantization formula, which every site that quantizes a real value uses:
 * clamp(roundHalfAway(value / scale) + zeroPoint) into `range` (a dtype's, or [low, high]). The
 * division is in float32, as TFLite's QUANTIZE computes it; halves round away from zero.
 */
export function quantizeValue(
  value: number,
  scale: number,
  zeroPoint: number,
  range: DType | readonly [number, number],
): number {
  const [low, high] = typeof range === "string" ? RANGES[range] : range;
  return Math.min(high, Math.max(low, roundHalfAway(Math.fround(value / scale)) + zeroPoint));
}

/** Integer input `position`: int8, uint8 or int16. */
export function integerInput(context: OpContext, position: number): RuntimeTensor {
  return context.input(position, "int8", "uint8", "int16");
}

/** The scale of a per-tensor int16 tensor, whose zero point must be 0. */
export function int16Scale(context: OpContext, tensor: RuntimeTensor): number {
  const quantization = tensor.quantization;
  if (!quantization || quantization.scale.length !== 1) {
    context.unsupported(`tensor "${tensor.name}" needs one scale`);
  }
  if ((quantization.zeroPoint[0] ?? 0) !== 0) {
    context.unsupported(
      `int16 tensor "${tensor.name}" has zero point ${quantization.zeroPoint[0]}`,
    );
  }
  return quantization.scale[0];
}

/**
 * Per-channel (or per-tensor) output multipliers: input scale x filter scale / output scale, in
 * double precision; except where TFLite uses its single per-tensor multiplier (uint8 layers and
 * per-tensor FULLY_CONNECTED), whose product input scale x filter scale is a float32.
 */
export function channelMultipliers(
  context: OpContext,
  input: RuntimeTensor,
  filterScales: number[],
  output: RuntimeTensor,
  channels: number,
): { multipliers: Int32Array; shifts: Int32Array } {
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  const inputScale = params(context, input).scale;
  const outputScale = params(context, output).scale;
  const float32Product = input.dtype === "uint8" ||
    (filterScales.length === 1 && context.operator.op === "FULLY_CONNECTED");
  for (let channel = 0; channel < channels; channel++) {
    const filterScale = filterScales[filterScales.length === 1 ? 0 : channel];
    const product = float32Product
      ? Math.fround(inputScale * filterScale)
      : inputScale * filterScale;
    [multipliers[channel], shifts[channel]] = quantizeMultiplier(product / outputScale);
  }
  return { multipliers, shifts };
}

/**
 * Throws unless every quantized tensor of `inputs` has the output's scale and zero point: ops
 * that copy or compare stored values need them equal, as TFLite checks.
 */
export function requireSharedParameters(
  context: OpContext,
  inputs: RuntimeTensor[],
  output: RuntimeTensor,
): void {
  const key = (tensor: RuntimeTensor) =>
    tensor.quantization ? `${tensor.quantization.scale}/${tensor.quantization.zeroPoint}` : "";
  for (const tensor of inputs) {
    if (key(tensor) !== key(output)) {
      context.unsupported(
        `input "${tensor.name}" is quantized differently from the output; TFLite requires them equal here`,
      );
    }
  }
}
