/**
 * What the data-movement kernels share: index-map runs, coordinate walks and block copies of stored
 * values.
 */
import { elementCount, type TensorData } from "../../../format/dtype.ts";
import type { KernelMemory } from "../../memory.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { requireSharedParameters } from "../../quantization/parameters.ts";
import { byteLengthOf, type RuntimeTensor } from "../../tensor.ts";

/**
 * Runs out[i] = in[map[i]] over a precomputed map; a negative entry writes `fill` (PAD's
 * constant), stored as a one-element array of the tensors' dtype.
 */
export function mapRun(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
  map: Int32Array,
  fill: TensorData | null = null,
): PreparedOp {
  const memory = context.memory;
  const inputCount = elementCount(input.shape);
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, inputCount);
      const target = memory.view(output.dtype, output.offset, map.length);
      for (let index = 0; index < map.length; index++) {
        const from = map[index];
        target[index] = from < 0 ? fill![0] : source[from];
      }
    },
  };
}

/** Walks every coordinate of `shape` in row-major order. */
export function forEachCoordinate(
  shape: number[],
  visit: (coordinate: number[], index: number) => void,
) {
  const count = elementCount(shape);
  const coordinate = new Array<number>(shape.length).fill(0);
  for (let index = 0; index < count; index++) {
    visit(coordinate, index);
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++coordinate[axis] < shape[axis]) break;
      coordinate[axis] = 0;
    }
  }
}

/** Copies `pieces` byte ranges of `count` per outer block, in order, into one tensor. */
export function copyBlocks(
  memory: KernelMemory,
  blocks: { tensor: RuntimeTensor; bytes: number }[],
  joined: RuntimeTensor,
  outer: number,
  joining: boolean,
): void {
  const all = memory.bytes(0, memory.kernels.memory.buffer.byteLength);
  let cursor = joined.offset;
  for (let block = 0; block < outer; block++) {
    for (const { tensor, bytes } of blocks) {
      const offset = tensor.offset + block * bytes;
      if (joining) all.copyWithin(cursor, offset, offset + bytes);
      else all.copyWithin(offset, cursor, cursor + bytes);
      cursor += bytes;
    }
  }
}

/** Bytes per element of a tensor (0 when it is empty). */
export function elementBytes(tensor: RuntimeTensor): number {
  const count = elementCount(tensor.shape);
  return count === 0 ? 0 : byteLengthOf(tensor) / count;
}

/** The NHWC shape of input 0 (four dimensions), or an error naming what it is. */
export function imageShape(
  context: OpContext,
  tensor: RuntimeTensor,
): [number, number, number, number] {
  if (tensor.shape.length !== 4) context.unsupported(`input must be NHWC, not [${tensor.shape}]`);
  return tensor.shape as [number, number, number, number];
}

/** A quantized output must share its input's parameters: these ops copy stored values. */
export function copiedInput(context: OpContext): [RuntimeTensor, RuntimeTensor] {
  const input = context.input(0);
  const output = context.output(0, input.dtype);
  requireSharedParameters(context, [input], output);
  return [input, output];
}
