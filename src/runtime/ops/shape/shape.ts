/** Ops that only change a shape (RESHAPE, SQUEEZE, EXPAND_DIMS) or read it (SHAPE). */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { axisInput, normalizeAxis } from "../common/axes.ts";
import { byteLengthOf, type RuntimeTensor } from "../../tensor.ts";

/**
 * Copies a tensor's bytes unchanged into another (the values keep their order); a string
 * tensor's values are passed on as they are.
 */
function copyRun(context: OpContext, input: RuntimeTensor, output: RuntimeTensor): PreparedOp {
  if (input.dtype === "string") return { run: () => (output.strings = input.strings) };
  const memory = context.memory;
  return {
    run() {
      if (input.offset === output.offset) return;
      const bytes = byteLengthOf(input);
      memory.bytes(0, memory.kernels.memory.buffer.byteLength)
        .copyWithin(output.offset, input.offset, input.offset + bytes);
    },
  };
}

/**
 * RESHAPE: the new shape comes from the shape input (a constant, or computed at load from
 * shapes, as Keras' Flatten does) or else from the options; one dimension may be -1.
 */
export function reshape(context: OpContext): PreparedOp {
  const input = context.input(0);
  const output = context.output(0, input.dtype);
  const shapeInput = context.optionalInput(1);
  let requested: number[];
  if (
    shapeInput &&
    !(shapeInput.shape.length === 1 && shapeInput.shape[0] === 0 && !context.options.newShape)
  ) {
    requested = context.integers(shapeInput, "shape");
  } else if (Array.isArray(context.options.newShape)) {
    requested = (context.options.newShape as number[]).map(Number);
  } else {
    requested = [...output.shape];
  }
  const count = elementCount(input.shape);
  const unknown = requested.filter((size) => size === -1).length;
  const known = elementCount(requested.filter((size) => size !== -1));
  if (unknown > 1 || requested.some((size) => size < -1)) {
    context.unsupported(`new shape [${requested}] is not valid`);
  }
  const shape = requested.map((size) => (size === -1 ? (known === 0 ? 0 : count / known) : size));
  if (elementCount(shape) !== count || !shape.every(Number.isInteger)) {
    context.unsupported(`cannot reshape [${input.shape}] (${count} elements) to [${requested}]`);
  }
  output.shape = shape;
  return copyRun(context, input, output);
}

/** SQUEEZE: drops the listed size-1 axes (all size-1 axes when none are listed). */
export function squeeze(context: OpContext): PreparedOp {
  const input = context.input(0);
  const output = context.output(0, input.dtype);
  const rank = input.shape.length;
  const listed = ((context.options.squeezeDims as number[] | undefined) ?? []).map((axis) =>
    normalizeAxis(context, Number(axis), rank)
  );
  const dropped = new Set(
    listed.length > 0 ? listed : input.shape.flatMap((size, axis) => (size === 1 ? [axis] : [])),
  );
  for (const axis of dropped) {
    if (input.shape[axis] !== 1) context.unsupported(`axis ${axis} of [${input.shape}] is not 1`);
  }
  output.shape = input.shape.filter((_, axis) => !dropped.has(axis));
  return copyRun(context, input, output);
}

/** EXPAND_DIMS: inserts a size-1 axis at the constant position input 1. */
export function expandDims(context: OpContext): PreparedOp {
  const input = context.input(0);
  const output = context.output(0, input.dtype);
  const position = axisInput(context, 1, input.shape.length + 1);
  output.shape = [...input.shape.slice(0, position), 1, ...input.shape.slice(position)];
  return copyRun(context, input, output);
}

/** SHAPE: the input's shape as int32 or int64, known at load. */
export function shape(context: OpContext): PreparedOp {
  const input = context.input(0);
  const output = context.output(0, "int32", "int64");
  output.shape = [input.shape.length];
  const memory = context.memory;
  return {
    shapeOnly: true,
    run() {
      const target = memory.view(output.dtype, output.offset, input.shape.length);
      input.shape.forEach((size, axis) => {
        target[axis] = output.dtype === "int64" ? BigInt(size) : size;
      });
    },
  };
}
