/**
 * Float16-weight models (float16 constants behind DEQUANTIZE, as MediaPipe and TensorFlow's
 * float16 mode write them, possibly stored sparse behind DENSIFY) made float32 models before
 * quantization: each DENSIFY of a constant becomes the dense constant and each DEQUANTIZE of a
 * float16 constant becomes the float32 constant it computes, exactly (every half is a float32).
 * The ops left out are recorded so that the report can give operator indices of the input model.
 */
import type { Model, Subgraph, Tensor } from "../format/ir.ts";
import { QuantizeError } from "./errors.ts";
import { describeOperator, pruneModel } from "./graph.ts";
import { fromHalfBits } from "./half.ts";

/** The values of a sparse dimension's index vector (`Int32Vector`, `Uint16Vector`, ...). */
function vectorValues(vector: unknown): ArrayLike<number> {
  const value = (vector as { value?: { values?: ArrayLike<number> } } | null)?.value?.values;
  return value ?? [];
}

/**
 * The dense values of a sparse constant (TFLite's format without blocks: each traversed
 * dimension dense or compressed sparse row), in the dense tensor's C order.
 */
function densify(tensor: Tensor, where: string): Uint16Array | Float32Array {
  const sparsity = tensor.sparsity!;
  const order = sparsity.traversalOrder as number[];
  const blocks = sparsity.blockMap as number[] | null;
  if (blocks && blocks.length > 0) {
    throw new QuantizeError(
      `${where}: tensor "${tensor.name}" is block-sparse; liteq densifies only unblocked sparse constants`,
    );
  }
  const dims = sparsity.dimMetadata as {
    format: string;
    denseSize: number;
    arraySegments: unknown;
    arrayIndices: unknown;
  }[];
  const shape = tensor.shape;
  const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((a, b) => a * b, 1));
  const source = tensor.data as ArrayLike<number>;
  const dense = new (source.constructor as new (length: number) => Uint16Array | Float32Array)(
    shape.reduce((a, b) => a * b, 1),
  );
  let next = 0;
  const visit = (level: number, position: number, offset: number): void => {
    if (level === dims.length) {
      dense[offset] = source[next++];
      return;
    }
    const stride = strides[order[level]];
    const dim = dims[level];
    if (dim.format === "DENSE") {
      for (let index = 0; index < dim.denseSize; index++) {
        visit(level + 1, position * dim.denseSize + index, offset + index * stride);
      }
      return;
    }
    const segments = vectorValues(dim.arraySegments);
    const indices = vectorValues(dim.arrayIndices);
    for (let entry = segments[position]; entry < segments[position + 1]; entry++) {
      visit(level + 1, entry, offset + indices[entry] * stride);
    }
  };
  visit(0, 0, 0);
  return dense;
}

/**
 * Makes tensor `index` a constant holding `data` in a new buffer of `model`, under the name of
 * the constant it comes from (`source`).
 */
function makeConstant(
  model: Model,
  subgraph: Subgraph,
  index: number,
  source: Tensor,
  data: Float32Array | Uint16Array,
): void {
  model.buffers.push(new Uint8Array(0));
  subgraph.tensors[index] = {
    ...subgraph.tensors[index],
    name: source.name,
    dtype: data instanceof Float32Array ? "float32" : source.dtype,
    data,
    buffer: model.buffers.length - 1,
    sparsity: null,
  };
}

/**
 * Widens the float16 constants of `model` (a copy) in place, as said above; returns, per
 * subgraph, the input model's operator index of each operator kept (null when nothing changed).
 */
export function widenFloat16Constants(model: Model): number[][] | null {
  let changed = false;
  const kept = model.subgraphs.map((subgraph, subgraphIndex) => {
    const indices: number[] = [];
    subgraph.operators = subgraph.operators.filter((operator, index) => {
      const source = subgraph.tensors[operator.inputs[0]];
      const where = describeOperator(subgraph, index, subgraphIndex);
      const floating = source?.dtype === "float16" || source?.dtype === "float32";
      if (operator.op === "DENSIFY" && floating && source.data && source.sparsity) {
        makeConstant(model, subgraph, operator.outputs[0], source, densify(source, where));
        changed = true;
        return false;
      }
      if (
        operator.op === "DEQUANTIZE" && source?.data && source.dtype === "float16" &&
        !source.sparsity
      ) {
        const values = fromHalfBits(source.data as Uint16Array);
        makeConstant(model, subgraph, operator.outputs[0], source, values);
        changed = true;
        return false;
      }
      indices.push(index);
      return true;
    });
    return indices;
  });
  if (!changed) return null;
  pruneModel(model);
  return kept;
}
