/**
 * TFLite's sparse tensor layout (`SparsityParameters`): the values of a constant stored level by
 * level in `traversalOrder`, each level DENSE (every index, `denseSize` of them) or SPARSE_CSR
 * (`arraySegments`/`arrayIndices`), with optional blocks (`blockMap` names the original dimension
 * a trailing block level splits), as the IR keeps it in `Tensor.sparsity`. `densify` expands such
 * values to the plain row-major tensor, as TFLite's `FormatConverter::SparseToDense` does.
 */
import { type DType, elementCount, packedByteLength, type TensorData, typedView } from "./dtype.ts";
import type { PlainObject } from "./plain.ts";

/** One level of the traversal: its size, or its CSR segments and indices. */
interface Level {
  dense: boolean;
  size: number;
  segments: number[];
  indices: number[];
}

function vectorValues(vector: PlainValueLike): number[] {
  if (!vector) return [];
  const value = (vector as { value?: { values?: ArrayLike<number | bigint> } }).value;
  return Array.from(value?.values ?? [], Number);
}

type PlainValueLike = PlainObject | null | undefined;

/**
 * Expands sparse `values` of a tensor of `shape` into `target` (row-major, `shape`'s element
 * count, zeros where nothing is stored). Throws a RangeError when the layout does not fit the
 * shape or reads past the stored values.
 */
export function densify(
  sparsity: PlainObject,
  shape: readonly number[],
  values: ArrayLike<number | bigint>,
  target: { [index: number]: number | bigint; length: number },
): void {
  const rank = shape.length;
  const order = Array.from((sparsity.traversalOrder ?? []) as ArrayLike<number>, Number);
  const blockMap = Array.from((sparsity.blockMap ?? []) as ArrayLike<number>, Number);
  const metadata = (sparsity.dimMetadata ?? []) as PlainObject[];
  if (order.length !== rank + blockMap.length || metadata.length !== order.length) {
    throw new RangeError(
      `sparsity has ${order.length} traversal levels and ${metadata.length} dimension entries ` +
        `for rank ${rank} with ${blockMap.length} blocks`,
    );
  }
  const levels: Level[] = metadata.map((entry) => ({
    dense: entry.format === "DENSE",
    size: Number(entry.denseSize ?? 0),
    segments: vectorValues(entry.arraySegments as PlainValueLike),
    indices: vectorValues(entry.arrayIndices as PlainValueLike),
  }));
  for (let level = 0; level < rank; level++) {
    if (!(order[level] >= 0 && order[level] < rank)) {
      throw new RangeError(`traversal level ${level} names dimension ${order[level]}`);
    }
  }
  const blockSizes = blockMap.map((_, block) => levels[rank + block].size);
  const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((a, b) => a * b, 1));
  const coordinates = new Array<number>(order.length).fill(0);
  const original = new Array<number>(rank).fill(0);
  let read = 0;

  const store = () => {
    for (let level = 0; level < rank; level++) original[order[level]] = coordinates[level];
    for (let level = rank; level < order.length; level++) {
      const block = order[level] - rank;
      const axis = blockMap[block];
      original[axis] = original[axis] * blockSizes[block] + coordinates[level];
    }
    let flat = 0;
    for (let axis = 0; axis < rank; axis++) {
      if (!(original[axis] >= 0 && original[axis] < shape[axis])) {
        throw new RangeError(`sparse index ${original} lies outside shape [${shape}]`);
      }
      flat += original[axis] * strides[axis];
    }
    if (read >= values.length) {
      throw new RangeError(`the layout reads more than the ${values.length} stored values`);
    }
    target[flat] = values[read++];
  };

  const walk = (level: number, previous: number) => {
    if (level === order.length) return store();
    const { dense, size, segments, indices } = levels[level];
    if (dense) {
      for (let index = 0; index < size; index++) {
        coordinates[level] = index;
        walk(level + 1, previous * size + index);
      }
    } else if (previous + 1 < segments.length) {
      for (let entry = segments[previous]; entry < segments[previous + 1]; entry++) {
        if (entry >= indices.length) throw new RangeError(`CSR entry ${entry} has no index`);
        coordinates[level] = indices[entry];
        walk(level + 1, entry);
      }
    }
  };
  walk(0, 0);
}

/**
 * The dense values of a sparse constant of `dtype` and `shape` (a new typed array); throws a
 * RangeError when the layout does not fit.
 */
export function densifyValues(
  dtype: DType,
  shape: readonly number[],
  values: TensorData,
  sparsity: PlainObject,
): TensorData {
  const bytes = packedByteLength(dtype, elementCount(shape));
  if (bytes === null) throw new RangeError(`a sparse ${dtype} tensor cannot be expanded`);
  const dense = typedView(dtype, new Uint8Array(bytes));
  densify(sparsity, shape, values as ArrayLike<number | bigint>, dense);
  return dense;
}
