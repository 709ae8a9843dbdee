/**
 * ABS, EXP, LOG, SQRT, RSQRT, NEG, SQUARE (float32 on the wasm `f32_unary`), FLOOR, CEIL,
 * ROUND, SIN and COS (float32 in TypeScript); the quantized forms of the first five are in
 * `unary_math_integer.ts`.
 */
import type { OpContext, OpKernel, PreparedOp } from "../../op.ts";
import { floatUnary, scalarUnary } from "../common/float_unary.ts";
import {
  int16Rsqrt,
  integerAbs,
  integerExp,
  integerLog,
  integerRsqrt8,
  integerSqrt,
} from "./unary_math_integer.ts";

/** ABS: integer for int8, uint8 and int16 inputs, float32 otherwise. */
export function abs(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerAbs(context);
    default:
      return floatUnary("ABS")(context);
  }
}

/** EXP: integer for int8, uint8 and int16 inputs, float32 otherwise. */
export function exp(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerExp(context);
    default:
      return floatUnary("EXP")(context);
  }
}

/** LOG: integer for int8, uint8 and int16 inputs, float32 otherwise. */
export function log(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerLog(context);
    default:
      return floatUnary("LOG")(context);
  }
}

/** SQRT: integer for int8, uint8 and int16 inputs, float32 otherwise. */
export function sqrt(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerSqrt(context);
    default:
      return floatUnary("SQRT")(context);
  }
}

/**
 * RSQRT: int16 through a table, int8 (and uint8, refused there) in fixed point, float32 otherwise.
 */
export function rsqrt(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int16":
      return int16Rsqrt(context);
    case "int8":
    case "uint8":
      return integerRsqrt8(context);
    default:
      return floatUnary("RSQRT")(context);
  }
}

/** NEG on float32. */
export const neg: OpKernel = floatUnary("NEG");

/** SQUARE on float32. */
export const square: OpKernel = floatUnary("SQUARE");

/** Round half to even, as TFLite's ROUND. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  return difference < 0.5 || (difference === 0.5 && floor % 2 === 0) ? floor : floor + 1;
}

/** FLOOR on float32. */
export const floor: OpKernel = scalarUnary(() => Math.floor);

/** CEIL on float32. */
export const ceil: OpKernel = scalarUnary(() => Math.ceil);

/** ROUND on float32, half to even. */
export const round: OpKernel = scalarUnary(() => roundHalfEven);

/** SIN on float32. */
export const sin: OpKernel = scalarUnary(() => Math.sin);

/** COS on float32. */
export const cos: OpKernel = scalarUnary(() => Math.cos);
