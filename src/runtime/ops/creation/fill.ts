/**
 * Ops that make a tensor from a shape: FILL, ZEROS_LIKE and RANGE. Their sizes must be known when
 * the model loads (constants, or computed from shapes at load, as dynamic-batch files do).
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";

/** FILL: a tensor of the constant shape (input 0) holding the scalar input 1 everywhere. */
export function fill(context: OpContext): PreparedOp {
  const dims = context.integers(context.input(0), "dims");
  const value = context.input(1);
  const output = context.output(0, value.dtype);
  if (dims.some((size) => !(size >= 0))) context.unsupported(`dims [${dims}] are not a shape`);
  output.shape = dims;
  const memory = context.memory;
  return {
    run() {
      const scalar = memory.view(value.dtype, value.offset, 1)[0];
      memory.view(output.dtype, output.offset, elementCount(dims)).fill(scalar as never);
    },
  };
}

/** ZEROS_LIKE: zeros of the input's shape and dtype. */
export function zerosLike(context: OpContext): PreparedOp {
  const input = context.input(0, "float32", "int32", "int64");
  const output = context.output(0, input.dtype);
  output.shape = [...input.shape];
  const memory = context.memory;
  return {
    run() {
      const zero = input.dtype === "int64" ? 0n : 0;
      memory.view(output.dtype, output.offset, elementCount(input.shape)).fill(zero as never);
    },
  };
}

/**
 * RANGE: start, start + delta, ... short of limit (constant scalars of one dtype), as TFLite
 * computes it: the count ceil(|limit - start| / |delta|), each value the previous plus delta
 * (float32 additions for float32).
 */
export function range(context: OpContext): PreparedOp {
  const start = context.input(0, "int32", "float32", "int64");
  const output = context.output(0, start.dtype);
  const scalar = (position: number, role: string) =>
    Number(context.values(context.input(position, start.dtype), role)[0]);
  const [first, limit, delta] = [scalar(0, "start"), scalar(1, "limit"), scalar(2, "delta")];
  if (delta === 0 || (limit - first) * delta < 0) {
    context.unsupported(`range ${first} to ${limit} by ${delta} is empty or endless`);
  }
  const count = start.dtype === "float32"
    ? Math.ceil(Math.abs(Math.fround((limit - first) / delta)))
    : Math.floor((Math.abs(limit - first) + Math.abs(delta) - 1) / Math.abs(delta));
  output.shape = [count];
  const memory = context.memory;
  return {
    run() {
      const target = memory.view(output.dtype, output.offset, count);
      let value = first;
      for (let index = 0; index < count; index++) {
        target[index] = start.dtype === "int64" ? BigInt(value) : value;
        value = start.dtype === "float32" ? Math.fround(value + delta) : value + delta;
      }
    },
  };
}
