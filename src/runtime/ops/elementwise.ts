/**
 * Element-wise ops. Float32 binary ops (with broadcasting and a fused activation) and unary ops
 * run on the wasm kernels; int32 binary ops (shape arithmetic, usually computed at load) in
 * TypeScript.
 */
import { elementCount } from "../../format/dtype.ts";
import type { OpContext, OpKernel, PreparedOp } from "../op.ts";
import { activationRange, broadcastBinary, broadcastShapes, broadcastWalk } from "./common.ts";

/** Codes of `f32_binary` (assembly/f32_elementwise.ts). */
const BINARY_CODES = {
  ADD: 0,
  SUB: 1,
  MUL: 2,
  DIV: 3,
  MAXIMUM: 4,
  MINIMUM: 5,
  SQUARED_DIFFERENCE: 6,
} as const;

const INTEGER_BINARY: Record<keyof typeof BINARY_CODES, (a: number, b: number) => number> = {
  ADD: (a, b) => a + b,
  SUB: (a, b) => a - b,
  MUL: (a, b) => Math.imul(a, b),
  // TFLite's integer division floors.
  DIV: (a, b) => Math.floor(a / b),
  MAXIMUM: Math.max,
  MINIMUM: Math.min,
  SQUARED_DIFFERENCE: (a, b) => Math.imul(a - b, a - b),
};

function binary(op: keyof typeof BINARY_CODES): OpKernel {
  return (context) => {
    const a = context.input(0, "float32", "int32");
    const b = context.input(1, a.dtype);
    const output = context.output(0, a.dtype);
    const [low, high] = activationRange(context);
    if (a.dtype === "int32") {
      const apply = INTEGER_BINARY[op];
      return broadcastBinary(
        context,
        a,
        b,
        output,
        (x, y) => Math.min(Math.max(apply(x, y), low), high),
      );
    }
    output.shape = broadcastShapes(context, a.shape, b.shape);
    const { rowLength, aStep, bStep, aRows, bRows } = broadcastWalk(a.shape, b.shape, output.shape);
    const code = BINARY_CODES[op];
    const kernels = context.kernels;
    const rowBytes = rowLength * 4;
    return {
      run() {
        let target = output.offset;
        for (let row = 0; row < aRows.length; row++) {
          kernels.f32_binary(
            code,
            a.offset + aRows[row] * 4,
            aStep,
            b.offset + bRows[row] * 4,
            bStep,
            target,
            rowLength,
            low,
            high,
          );
          target += rowBytes;
        }
      },
    };
  };
}

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

function unary(op: keyof typeof UNARY_CODES, low = -Infinity, high = Infinity): OpKernel {
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

/** The element-wise kernels by op name. */
export const ELEMENTWISE_KERNELS: Record<string, OpKernel> = {
  ADD: binary("ADD"),
  SUB: binary("SUB"),
  MUL: binary("MUL"),
  DIV: binary("DIV"),
  MAXIMUM: binary("MAXIMUM"),
  MINIMUM: binary("MINIMUM"),
  SQUARED_DIFFERENCE: binary("SQUARED_DIFFERENCE"),
  RELU: unary("CLAMP", 0),
  RELU6: unary("CLAMP", 0, 6),
  RELU_N1_TO_1: unary("CLAMP", -1, 1),
  RELU_0_TO_1: unary("CLAMP", 0, 1),
  LOGISTIC: unary("LOGISTIC"),
  TANH: unary("TANH"),
  EXP: unary("EXP"),
  SQRT: unary("SQRT"),
  RSQRT: unary("RSQRT"),
  HARD_SWISH: unary("HARD_SWISH"),
  LEAKY_RELU: unary("LEAKY_RELU"),
  NEG: unary("NEG"),
  ABS: unary("ABS"),
  SQUARE: unary("SQUARE"),
  LOG: unary("LOG"),
};

/** Round half to even, as TFLite's ROUND. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  return difference < 0.5 || (difference === 0.5 && floor % 2 === 0) ? floor : floor + 1;
}

/** float32 element-wise ops computed in TypeScript (rounded to float32). */
const SCALAR_UNARY: Record<string, (value: number) => number> = {
  FLOOR: Math.floor,
  CEIL: Math.ceil,
  ROUND: roundHalfEven,
  SIN: Math.sin,
  COS: Math.cos,
};

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

/** The TypeScript float32 element-wise kernels by op name. */
export const SCALAR_UNARY_KERNELS: Record<string, OpKernel> = Object.fromEntries(
  Object.entries(SCALAR_UNARY).map(([op, apply]) => [op, scalarUnary(() => apply)]),
);

/** PRELU on float32: x where x >= 0, else alpha * x, alpha (input 1) broadcast. */
export function prelu(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const alpha = context.input(1, "float32");
  const output = context.output(0, "float32");
  return broadcastBinary(context, input, alpha, output, (x, slope) => (x >= 0 ? x : x * slope));
}

/** SOFTMAX over the last dimension: exp(beta * (x - max)) / sum. */
export function softmax(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const output = context.output(0, "float32");
  if (input.shape.length === 0) context.unsupported("input must have at least one dimension");
  output.shape = [...input.shape];
  const columns = input.shape[input.shape.length - 1];
  const rows = columns === 0 ? 0 : elementCount(input.shape) / columns;
  const beta = Number(context.options.beta ?? 1);
  const kernels = context.kernels;
  return {
    run() {
      kernels.f32_softmax(input.offset, output.offset, rows, columns, beta);
    },
  };
}
