/**
 * What the data-movement kernels share: separable copies (each output element reads one input
 * element, its offset a sum of one term per axis), block copies of stored values, gathered string
 * slices, and the checks of NHWC inputs and copied parameters.
 */
import { elementCount, type TensorData } from "../../../format/dtype.ts";
import type { KernelMemory } from "../../memory.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { requireSharedParameters } from "../../quantization/parameters.ts";
import { byteLengthOf, type RuntimeTensor, stringsOf } from "../../tensor.ts";

/**
 * The run of a gather of string slices: `forEachSlice` calls `copy` with each slice's first
 * element in `params` and in `output`, `sliceSize` elements each; `output` gets a new array.
 */
export function gatherStrings(
  params: RuntimeTensor,
  output: RuntimeTensor,
  sliceSize: number,
  forEachSlice: (copy: (from: number, to: number) => void) => void,
): PreparedOp {
  return {
    run() {
      const source = stringsOf(params);
      const target = new Array<Uint8Array>(elementCount(output.shape));
      forEachSlice((from, to) => {
        for (let index = 0; index < sliceSize; index++) target[to + index] = source[from + index];
      });
      output.strings = target;
    },
  };
}

/** A term of `separableCopy` that makes the element the fill value. */
export const FILL = -1;

/** Most entries in a row of `separableCopy`: trailing axes are merged up to this. */
const ROW_ENTRIES = 65536;

/**
 * Prepares a copy where output coordinate (i0, ..., ik) reads input element
 * `terms[0](i0) + ... + terms[k](ik)`, or `fill` (a one-element array of the tensors' dtype: PAD's
 * constant) when any term is `FILL`; every term is otherwise non-negative. The terms are tabulated
 * at load in wasm memory, inside the memory budget: one table per leading axis and one for the
 * trailing axes merged into rows of up to ROW_ENTRIES entries (or the last axis), never a map of
 * the whole output. A row is copied in contiguous blocks when it is made of few, element by
 * element otherwise. The output's elements are walked as `walked`: the output's shape, or it with
 * axes of 1 inserted (STRIDED_SLICE's shrunk axes). A string tensor's values are copied element by
 * element into a new array (no fill value: TFLite pads no strings).
 */
export function separableCopy(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
  terms: ((index: number) => number)[],
  fill: TensorData | null = null,
  walked: number[] = output.shape,
): PreparedOp {
  const memory = context.memory;
  const shape = walked.length === 0 ? [1] : walked;
  const termOf = walked.length === 0 ? [() => 0] : terms;
  const count = elementCount(shape);
  if (count === 0) return { run() {} };
  let split = shape.length - 1;
  let width = shape[split];
  while (split > 0 && width * shape[split - 1] <= ROW_ENTRIES) width *= shape[--split];
  const table = (size: number, term: (index: number) => number) => {
    const offset = memory.allocate(size * 4);
    const view = memory.i32(offset, size);
    for (let index = 0; index < size; index++) view[index] = term(index);
    return offset;
  };
  const leading = shape.slice(0, split).map((size, axis) => table(size, termOf[axis]));
  const trailing = shape.slice(split);
  const row = table(width, (index) => {
    let from = 0;
    for (let axis = trailing.length - 1; axis >= 0; axis--) {
      const term = termOf[split + axis](index % trailing[axis]);
      if (term === FILL) return FILL;
      from += term;
      index = Math.floor(index / trailing[axis]);
    }
    return from;
  });
  const strings = input.dtype === "string";
  const blocks = strings ? null : rowBlocks(memory, row, width);
  const inputCount = elementCount(input.shape);
  return {
    run() {
      const source = strings
        ? stringsOf(input)
        : memory.view(input.dtype, input.offset, inputCount);
      const target = strings
        ? new Array<Uint8Array>(count)
        : memory.view(output.dtype, output.offset, count);
      const columns = memory.i32(row, width);
      const tables = leading.map((offset, axis) => memory.i32(offset, shape[axis]));
      const runs = blocks && memory.i32(blocks.offset, blocks.count * 3);
      const coordinate = new Array<number>(split).fill(0);
      for (let at = 0; at < count; at += width) {
        let base = 0;
        for (let axis = 0; axis < split && base !== FILL; axis++) {
          const term = tables[axis][coordinate[axis]];
          base = term === FILL ? FILL : base + term;
        }
        if (base === FILL) {
          target.fill(fill![0] as never, at, at + width);
        } else if (runs) {
          for (let run = 0; run < runs.length; run += 3) {
            const [start, from, length] = [at + runs[run], base + runs[run + 1], runs[run + 2]];
            if (runs[run + 1] === FILL) {
              target.fill(fill![0] as never, start, start + length);
            } else {
              const values = (source as TensorData).subarray(from, from + length);
              (target as TensorData).set(values as never, start);
            }
          }
        } else {
          for (let index = 0; index < width; index++) {
            const from = columns[index];
            target[at + index] = (from === FILL ? fill![0] : source[base + from]) as never;
          }
        }
        for (let axis = split - 1; axis >= 0; axis--) {
          if (++coordinate[axis] < shape[axis]) break;
          coordinate[axis] = 0;
        }
      }
      if (strings) output.strings = target as Uint8Array[];
    },
  };
}

/**
 * The row's runs (start, input offset or FILL, length) of consecutive elements or fill values, in
 * wasm memory, when there are few enough (at most one per 8 entries) to copy as blocks; else null.
 */
function rowBlocks(
  memory: KernelMemory,
  row: number,
  width: number,
): { offset: number; count: number } | null {
  const starts = (columns: Int32Array, index: number) =>
    index === 0 ||
    (columns[index] === FILL
      ? columns[index - 1] !== FILL
      : columns[index - 1] === FILL || columns[index] !== columns[index - 1] + 1);
  let count = 0;
  let columns = memory.i32(row, width);
  for (let index = 0; index < width; index++) if (starts(columns, index)) count++;
  if (count * 8 > width) return null;
  const offset = memory.allocate(count * 12);
  const runs = memory.i32(offset, count * 3);
  columns = memory.i32(row, width);
  let run = -3;
  for (let index = 0; index < width; index++) {
    if (starts(columns, index)) {
      run += 3;
      runs.set([index, columns[index], 0], run);
    }
    runs[run + 2]++;
  }
  return { offset, count };
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
