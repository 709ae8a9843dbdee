/**
 * Float32 element-wise unary kernels: on the wasm `f32_unary` kernel by op code, or in
 * TypeScript (rounded to float32) for functions the wasm does not have.
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, OpKernel } from "../../op.ts";

/** Codes of `f32_unary` (assembly/f32_elementwise.ts). */
const UNARY_CODES = {
  CLAMP: 0,
  LOGISTIC: 1,
  TANH: 2,
  EXP: 3,
  SQRT: 4,
  RSQRT: 5,
  HARD_SWISH: 6,
  LEAKY_RELU: 7,
  NEG: 8,
  ABS: 9,
  SQUARE: 10,
  LOG: 11,
} as const;

/** A float32 unary op on `f32_unary` (`low`, `high`: the clamp of the RELU family). */
export function floatUnary(
  op: keyof typeof UNARY_CODES,
  low = -Infinity,
  high = Infinity,
): OpKernel {
  return (context) => {
    const input = context.input(0, "float32");
    const output = context.output(0, "float32");
    output.shape = [...input.shape];
    const alpha = Number(context.options.alpha ?? 0);
    const count = elementCount(input.shape);
    const kernels = context.kernels;
    const code = UNARY_CODES[op];
    return {
      run() {
        kernels.f32_unary(code, input.offset, output.offset, count, alpha, low, high);
      },
    };
  };
}

/**
 * A float32 element-wise kernel in TypeScript: `functionFor` gives the function (some depend on
 * the op's options).
 */
export function scalarUnary(
  functionFor: (context: OpContext) => (value: number) => number,
): OpKernel {
  return (context) => {
    const apply = functionFor(context);
    const input = context.input(0, "float32");
    const output = context.output(0, "float32");
    output.shape = [...input.shape];
    const count = elementCount(input.shape);
    const memory = context.memory;
    return {
      run() {
        const source = memory.f32(input.offset, count);
        const target = memory.f32(output.offset, count);
        for (let index = 0; index < count; index++) target[index] = apply(source[index]);
      },
    };
  };
}
