/** L2_NORMALIZATION along the last axis: float32, and int8 / uint8 as TFLite computes them. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { multiplyByQuantizedMultiplierSmallerThanOne } from "../../quantization/fixed_point.ts";
import { params } from "../../quantization/parameters.ts";
import { inverseSqrtMultiplier } from "../unary_math/unary_math_integer.ts";

const f = Math.fround;

/**
 * L2_NORMALIZATION: x / max(sqrt(sum x^2), 1e-6) per row in float32; for int8 and uint8 (output
 * scale 1/128, zero point 0 or 128), 128 (x - zero point) times the integer 1 / sqrt(sum of
 * squares) (`inverseSqrtMultiplier`), clamped.
 */
export function l2Normalization(context: OpContext): PreparedOp {
  const input = context.input(0, "float32", "int8", "uint8");
  const output = context.output(0, input.dtype);
  if (input.shape.length === 0) context.unsupported("the input is a scalar");
  if ((context.options.fusedActivationFunction ?? "NONE") !== "NONE") {
    context.unsupported(`fused activation ${context.options.fusedActivationFunction}`);
  }
  output.shape = [...input.shape];
  const depth = input.shape[input.shape.length - 1];
  const rows = elementCount(input.shape.slice(0, -1));
  const memory = context.memory;
  if (input.dtype === "float32") {
    return {
      run() {
        const x = memory.f32(input.offset, rows * depth);
        const y = memory.f32(output.offset, rows * depth);
        for (let row = 0; row < rows; row++) {
          let squares = 0;
          for (let c = 0; c < depth; c++) squares = f(squares + f(x[row * depth + c] ** 2));
          const norm = Math.max(f(Math.sqrt(squares)), f(1e-6));
          for (let c = 0; c < depth; c++) y[row * depth + c] = f(x[row * depth + c] / norm);
        }
      },
    };
  }
  const inputZero = params(context, input).zeroPoint;
  const { scale, zeroPoint } = params(context, output);
  const [low, high] = input.dtype === "int8" ? [-128, 127] : [0, 255];
  if (Math.abs(scale - 1 / 128) > 1e-9 || zeroPoint !== (input.dtype === "int8" ? 0 : 128)) {
    context.unsupported(
      `output "${output.name}" must have scale 1/128 and zero point ${low + 128}`,
    );
  }
  return {
    run() {
      const x = memory.view(input.dtype, input.offset, rows * depth);
      const y = memory.view(output.dtype, output.offset, rows * depth);
      for (let row = 0; row < rows; row++) {
        let squares = 0;
        for (let c = 0; c < depth; c++) squares += (Number(x[row * depth + c]) - inputZero) ** 2;
        const [multiplier, shift] = inverseSqrtMultiplier(squares);
        for (let c = 0; c < depth; c++) {
          const difference = Number(x[row * depth + c]) - inputZero;
          const scaled = multiplyByQuantizedMultiplierSmallerThanOne(
            128 * difference,
            multiplier,
            shift,
          );
          y[row * depth + c] = Math.min(high, Math.max(low, scaled + zeroPoint));
        }
      }
    },
  };
}
