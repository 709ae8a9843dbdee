/** What the integer kernels share: their dtypes' ranges and per-tensor quantization parameters. */
import type { OpContext } from "../op.ts";
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
