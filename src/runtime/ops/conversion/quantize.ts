/**
 * QUANTIZE: float32 to int8 and between int8 and uint8 on the wasm kernels, to uint8/int16 and
 * from int16 here.
 */
import { elementCount } from "../../../format/dtype.ts";
import { storeLayer } from "../../kernel_layout.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { elementwiseRun } from "../common/elementwise_run.ts";
import { rowSplitOp, WORK_PER_CONVERTED_ELEMENT } from "../common/row_split.ts";
import { uniformConstants } from "../common/weight_packing.ts";
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
    // XNNPACK multiplies by the float32 reciprocal of the scale and rounds half to even.
    const xnnpack = context.arithmetic === "xnnpack";
    const factor = xnnpack ? Math.fround(1 / pout.scale) : pout.scale;
    // Each element alone: the op divides among threads by elements.
    return rowSplitOp([], context.kernels, {
      rows: count,
      grain: 16,
      workPerRow: WORK_PER_CONVERTED_ELEMENT,
      scratchBytes: 0,
      runRows(calls, first, end) {
        calls[xnnpack ? "qs8_quantize_fp32" : "qs8_quantize"](
          input.offset + first * 4,
          output.offset + first,
          end - first,
          factor,
          pout.zeroPoint,
        );
      },
    });
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
  // `qs8_requantize_values` shifts |x - zero point| <= 255 left by the shift (below 2^31 - 2^29)
  // and right by at most 30 bits.
  if (input.dtype !== "int16" && output.dtype !== "int16" && shift <= 22 && shift >= -30) {
    const kernels = context.kernels;
    const layer = storeLayer(memory, {
      zeroA: pin.zeroPoint,
      zeroPoint: pout.zeroPoint,
      params: uniformConstants(context, multiplier, shift),
      lowI: low,
      highI: high,
    });
    const mode = (input.dtype === "uint8" ? 1 : 0) | (output.dtype === "uint8" ? 2 : 0);
    return {
      run: () => kernels.qs8_requantize_values(mode, input.offset, output.offset, count, layer),
    };
  }
  return elementwiseRun(context, input, output, (value) => {
    const result = multiplyByQuantizedMultiplier(value - pin.zeroPoint, multiplier, shift) +
      pout.zeroPoint;
    return Math.min(high, Math.max(low, result));
  });
}
