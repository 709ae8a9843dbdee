/**
 * Float16-weight models (float16 constants behind DEQUANTIZE, as MediaPipe and TensorFlow's
 * float16 mode write them, possibly stored sparse behind DENSIFY) made float32 models before
 * quantization: each DENSIFY of a constant becomes the dense constant and each DEQUANTIZE of a
 * float16 constant becomes the float32 constant it computes, exactly (every half is a float32);
 * a sparse float32 constant an op reads as it is (a FULLY_CONNECTED's weights) is stored dense,
 * since TensorFlow's kernels run few sparse layouts of quantized weights.
 * The ops left out are recorded so that the report can give operator indices of the input model.
 */
import type { Model, Subgraph, Tensor } from "../format/ir.ts";
import { densifyValues } from "../format/sparsity.ts";
import { QuantizeError } from "./errors.ts";
import { describeOperator, pruneModel } from "./graph.ts";
import { fromHalfBits } from "./half.ts";

/** The dense values of a sparse constant, as TFLite's DENSIFY computes them. */
function dense(tensor: Tensor, where: string): Float32Array | Uint16Array {
  try {
    return densifyValues(tensor.dtype, tensor.shape, tensor.data!, tensor.sparsity!) as
      | Float32Array
      | Uint16Array;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new QuantizeError(`${where}: sparse tensor "${tensor.name}": ${error.message}`);
  }
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
 * Widens the float16 constants of `model` (a copy) in place and stores its sparse constants
 * dense, as said above; returns, per
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
        makeConstant(model, subgraph, operator.outputs[0], source, dense(source, where));
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
  model.subgraphs.forEach((subgraph, subgraphIndex) => {
    subgraph.tensors.forEach((tensor, index) => {
      if (tensor.dtype !== "float32" || !tensor.data || !tensor.sparsity) return;
      makeConstant(model, subgraph, index, tensor, dense(tensor, `subgraph ${subgraphIndex}`));
      changed = true;
    });
  });
  if (!changed) return null;
  pruneModel(model);
  return kept;
}
