/** DEQUANTIZE to float32: float16, and int8/uint8/int16/int32 per tensor or per channel. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";

/**
 * DEQUANTIZE to float32: float16 by the exact SIMD unpack (float16 weights are constants, so this
 * runs once at load); int8, uint8, int16 and int32 as scale * (q - zeroPoint), per tensor or per
 * channel along the quantized dimension.
 */
export function dequantize(context: OpContext): PreparedOp {
  const input = context.input(0, "float16", "int8", "uint8", "int16", "int32");
  const output = context.output(0, "float32");
  output.shape = [...input.shape];
  const count = elementCount(input.shape);
  const kernels = context.kernels;
  if (input.dtype === "float16") {
    return { run: () => kernels.f16_to_f32_x8(input.offset, output.offset, count) };
  }
  const quantization = context.quantization(input, "input");
  const { scale, zeroPoint } = quantization;
  const axis = quantization.quantizedDimension;
  const channels = scale.length;
  const inner = elementCount(input.shape.slice(axis + 1));
  if (channels > 1 && input.shape[axis] !== channels) {
    context.unsupported(`${channels} scales for axis ${axis} of [${input.shape}]`);
  }
  const memory = context.memory;
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, count);
      const target = memory.f32(output.offset, count);
      for (let index = 0; index < count; index++) {
        const channel = channels === 1 ? 0 : Math.floor(index / inner) % channels;
        target[index] = scale[channel] * (Number(source[index]) - (zeroPoint[channel] ?? 0));
      }
    },
  };
}
