/**
 * NumPy broadcasting for the binary op kernels: shapes, strides, row walks and a TypeScript loop.
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** NumPy broadcasting of two shapes; unsupported when they are incompatible. */
export function broadcastShapes(context: OpContext, a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const shape: number[] = [];
  for (let index = 0; index < rank; index++) {
    const x = a[a.length - rank + index] ?? 1;
    const y = b[b.length - rank + index] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      context.unsupported(`shapes [${a}] and [${b}] do not broadcast`);
    }
    shape.push(x === 1 ? y : x);
  }
  return shape;
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let index = shape.length - 1; index >= 0; index--) {
    strides[index] = stride;
    stride *= shape[index];
  }
  return strides;
}

/**
 * How to walk a broadcast binary op as rows: `rows` row starts per operand (element offsets) and
 * the row length, with each operand stepping 1 (full) or 0 (broadcast) along the row. Adjacent
 * dimensions that broadcast alike are merged first, so rows are as long as they can be.
 */
export interface BroadcastWalk {
  rowLength: number;
  aStep: number;
  bStep: number;
  aRows: Int32Array;
  bRows: Int32Array;
}

/** Plans the walk of `a op b` into `outShape` (see `BroadcastWalk`). */
export function broadcastWalk(a: number[], b: number[], outShape: number[]): BroadcastWalk {
  const rank = outShape.length;
  // Merged dimensions: size, and whether each operand runs along it (1) or repeats (0).
  const sizes: number[] = [];
  const aRuns: number[] = [];
  const bRuns: number[] = [];
  for (let index = 0; index < rank; index++) {
    const size = outShape[index];
    if (size === 1) continue;
    const aRun = (a[a.length - rank + index] ?? 1) === size ? 1 : 0;
    const bRun = (b[b.length - rank + index] ?? 1) === size ? 1 : 0;
    const last = sizes.length - 1;
    if (last >= 0 && aRuns[last] === aRun && bRuns[last] === bRun) {
      sizes[last] *= size;
    } else {
      sizes.push(size);
      aRuns.push(aRun);
      bRuns.push(bRun);
    }
  }
  if (sizes.length === 0) {
    return { rowLength: 1, aStep: 1, bStep: 1, aRows: Int32Array.of(0), bRows: Int32Array.of(0) };
  }
  const inner = sizes.length - 1;
  const aStrides = stridesOf(sizes.map((size, index) => (aRuns[index] ? size : 1)));
  const bStrides = stridesOf(sizes.map((size, index) => (bRuns[index] ? size : 1)));
  const rowCount = sizes.slice(0, inner).reduce((product, size) => product * size, 1);
  const aRows = new Int32Array(rowCount);
  const bRows = new Int32Array(rowCount);
  const counter = new Array<number>(inner).fill(0);
  for (let row = 0; row < rowCount; row++) {
    let aOffset = 0;
    let bOffset = 0;
    for (let dim = 0; dim < inner; dim++) {
      aOffset += aRuns[dim] * counter[dim] * aStrides[dim];
      bOffset += bRuns[dim] * counter[dim] * bStrides[dim];
    }
    aRows[row] = aOffset;
    bRows[row] = bOffset;
    for (let dim = inner - 1; dim >= 0; dim--) {
      if (++counter[dim] < sizes[dim]) break;
      counter[dim] = 0;
    }
  }
  return { rowLength: sizes[inner], aStep: aRuns[inner], bStep: bRuns[inner], aRows, bRows };
}

/**
 * Output elements [first, end) of a broadcast walk as pieces of its rows, for an element-wise
 * op divided among threads: `visit` gets, for each piece, the element offsets of its first
 * element in `a`, `b` and the output, and its length.
 */
export function forEachRowPiece(
  walk: BroadcastWalk,
  first: number,
  end: number,
  visit: (a: number, b: number, output: number, count: number) => void,
): void {
  const { rowLength, aStep, bStep, aRows, bRows } = walk;
  const lastRow = Math.ceil(end / rowLength);
  for (let row = Math.floor(first / rowLength); row < lastRow; row++) {
    const start = Math.max(first - row * rowLength, 0);
    const stop = Math.min(end - row * rowLength, rowLength);
    visit(
      aRows[row] + start * aStep,
      bRows[row] + start * bStep,
      row * rowLength + start,
      stop - start,
    );
  }
}

/**
 * A broadcast binary op computed element by element in TypeScript, on any element types:
 * output = combine(a, b) with numpy's broadcasting (stored values in, stored values out; the
 * output's typed array rounds or wraps as its type does). Sets the output's shape.
 */
export function broadcastBinary(
  context: OpContext,
  a: RuntimeTensor,
  b: RuntimeTensor,
  output: RuntimeTensor,
  combine: (x: number, y: number) => number,
): PreparedOp {
  output.shape = broadcastShapes(context, a.shape, b.shape);
  const { rowLength, aStep, bStep, aRows, bRows } = broadcastWalk(a.shape, b.shape, output.shape);
  const memory = context.memory;
  return {
    run() {
      const x = memory.view(a.dtype, a.offset, elementCount(a.shape));
      const y = memory.view(b.dtype, b.offset, elementCount(b.shape));
      const z = memory.view(output.dtype, output.offset, elementCount(output.shape));
      let target = 0;
      for (let row = 0; row < aRows.length; row++) {
        for (let i = 0; i < rowLength; i++) {
          z[target++] = combine(
            Number(x[aRows[row] + i * aStep]),
            Number(y[bRows[row] + i * bStep]),
          );
        }
      }
    },
  };
}
