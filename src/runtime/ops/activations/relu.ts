/**
 * RELU, RELU6, RELU_N1_TO_1 and RELU_0_TO_1: float32 on the wasm clamp, int8/uint8 as TFLite's
 * QuantizedReluX.
 */
import type { OpContext, OpKernel, PreparedOp } from "../../op.ts";
import { elementwiseRun } from "../common/elementwise_run.ts";
import { floatUnary } from "../common/float_unary.ts";
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import { integerInput, params, quantizeValue } from "../../quantization/parameters.ts";

/**
 * RELU, RELU6 and RELU_N1_TO_1 on int8/uint8 (TFLite's QuantizedReluX): the input rescaled to the
 * output, (x - zeroIn) * (scaleIn / scaleOut) by multiplyByQuantizedMultiplier, plus the output
 * zero point, clamped to the quantized activation range (each limit quantized by
 * `quantizeValue`; an infinite upper limit is the type's maximum).
 */
function integerRelu(lowLimit: number, highLimit: number): OpKernel {
  return (context) => {
    const input = integerInput(context, 0);
    const output = context.output(0, input.dtype);
    output.shape = [...input.shape];
    const pin = params(context, input);
    const pout = params(context, output);
    const low = quantizeValue(lowLimit, pout.scale, pout.zeroPoint, output.dtype);
    const high = quantizeValue(highLimit, pout.scale, pout.zeroPoint, output.dtype);
    // TFLite divides the two float32 scales in float32.
    const [multiplier, shift] = quantizeMultiplier(Math.fround(pin.scale / pout.scale));
    return elementwiseRun(context, input, output, (value) => {
      const result = pout.zeroPoint +
        multiplyByQuantizedMultiplier(value - pin.zeroPoint, multiplier, shift);
      return Math.min(high, Math.max(low, result));
    });
  };
}

/** RELU: integer for int8, uint8 and int16 inputs, float32 otherwise. */
export function relu(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerRelu(0, Infinity)(context);
    default:
      return floatUnary("CLAMP", 0)(context);
  }
}

/** RELU6: integer for int8, uint8 and int16 inputs, float32 otherwise. */
export function relu6(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerRelu(0, 6)(context);
    default:
      return floatUnary("CLAMP", 0, 6)(context);
  }
}

/** RELU_N1_TO_1: integer for int8, uint8 and int16 inputs, float32 otherwise. */
export function reluN1To1(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerRelu(-1, 1)(context);
    default:
      return floatUnary("CLAMP", -1, 1)(context);
  }
}

/** RELU_0_TO_1 on float32. */
export const relu0To1: OpKernel = floatUnary("CLAMP", 0, 1);
