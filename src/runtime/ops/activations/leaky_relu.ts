/** LEAKY_RELU: float32 on the wasm kernel, int8/uint8 as TFLite's QuantizeLeakyRelu. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { floatUnary } from "../common/float_unary.ts";
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import { integerInput, params, RANGES } from "../../quantization/parameters.ts";

/**
 * LEAKY_RELU on int8/uint8 (TFLite's QuantizeLeakyRelu): x - zeroIn rescaled by scaleIn /
 * scaleOut when non-negative, by scaleIn * alpha / scaleOut otherwise, plus the output zero point,
 * clamped to the type.
 */
export function integerLeakyRelu(context: OpContext): PreparedOp {
  const input = integerInput(context, 0);
  const output = context.output(0, input.dtype);
  output.shape = [...input.shape];
  const pin = params(context, input);
  const pout = params(context, output);
  const alpha = Math.fround(Number(context.options.alpha ?? 0.2));
  // Both real multipliers are float32 expressions in TFLite's Prepare.
  const [identity, identityShift] = quantizeMultiplier(Math.fround(pin.scale / pout.scale));
  const [slope, slopeShift] = quantizeMultiplier(
    Math.fround(Math.fround(pin.scale * alpha) / pout.scale),
  );
  const [low, high] = RANGES[output.dtype];
  const count = elementCount(input.shape);
  const memory = context.memory;
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, count) as Int8Array;
      const target = memory.view(output.dtype, output.offset, count) as Int8Array;
      for (let index = 0; index < count; index++) {
        const x = source[index] - pin.zeroPoint;
        const value = pout.zeroPoint +
          (x >= 0
            ? multiplyByQuantizedMultiplier(x, identity, identityShift)
            : multiplyByQuantizedMultiplier(x, slope, slopeShift));
        target[index] = Math.min(high, Math.max(low, value));
      }
    },
  };
}

/** LEAKY_RELU: integer for int8, uint8 and int16 inputs, float32 otherwise. */
export function leakyRelu(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerLeakyRelu(context);
    default:
      return floatUnary("LEAKY_RELU")(context);
  }
}
