/** QUANTIZE: float32 to int8 on the wasm, to uint8/int16 and between integer types here. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { elementwiseRun } from "../common/elementwise_run.ts";
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import { params, quantizeValue, RANGES } from "../../quantization/parameters.ts";

/**
 * QUANTIZE: float32 to int8/uint8 as round(x / scale) + zero point (the division in float32),
 * or between integer types by requantizing with multiplier input scale / output scale.
 */
export function quantize(context: OpContext): PreparedOp {
  const input = context.input(0, "float32", "int8", "uint8", "int16");
  const output = context.output(0, "int8", "uint8", "int16");
  output.shape = [...input.shape];
  const pout = params(context, output);
  const [low, high] = RANGES[output.dtype];
  const count = elementCount(input.shape);
  const memory = context.memory;
  if (input.dtype === "float32" && output.dtype === "int8") {
    const kernels = context.kernels;
    return {
      run: () =>
        kernels.qs8_quantize(input.offset, output.offset, count, pout.scale, pout.zeroPoint),
    };
  }
  if (input.dtype === "float32") {
    return {
      run() {
        const source = memory.f32(input.offset, count);
        const target = memory.view(output.dtype, output.offset, count);
        for (let index = 0; index < count; index++) {
          target[index] = quantizeValue(source[index], pout.scale, pout.zeroPoint, [low, high]);
        }
      },
    };
  }
  const pin = params(context, input);
  const [multiplier, shift] = quantizeMultiplier(pin.scale / pout.scale);
  return elementwiseRun(context, input, output, (value) => {
    const result = multiplyByQuantizedMultiplier(value - pin.zeroPoint, multiplier, shift) +
      pout.zeroPoint;
    return Math.min(high, Math.max(low, result));
  });
}
