/**
 * Moving values in and out of a prepared subgraph's tensors, as the interpreter and its signature
 * runners do: what a tensor is (`TensorDetails`), copying inputs in with their count and type
 * checked, copying outputs out, finding a tensor by position or name.
 */
import { type DType, elementCount, type TensorData } from "../format/dtype.ts";
import type { Model } from "../format/ir.ts";
import type { KernelMemory } from "./memory.ts";
import type { RuntimeTensor } from "./tensor.ts";

/** What a model input or output is: name, shape, dtype and quantization. */
export interface TensorDetails {
  /** The tensor's name in the model, or for a signature runner the name the signature gives it. */
  name: string;
  /** Index of the tensor in its subgraph. */
  index: number;
  /** The shape the interpreter runs with (batch and dynamic dimensions resolved). */
  shape: number[];
  /** The file's shape signature: -1 marks a dimension that can be resized. */
  shapeSignature: number[];
  /** Element type of the values to set or read (`int8` for a quantized input, not `float32`). */
  dtype: DType;
  /** Linear quantization (`real = scale * (q - zeroPoint)`), or null for float tensors. */
  quantization: { scale: number[]; zeroPoint: number[]; quantizedDimension: number } | null;
}

/** The input values a caller may pass: a typed array of the input's dtype, or plain numbers. */
export type InputValues = TensorData | ArrayLike<number>;

/** A copy of `tensor`'s linear quantization, or null for a tensor without scales. */
export function quantizationDetails(tensor: RuntimeTensor): TensorDetails["quantization"] {
  const quantization = tensor.quantization;
  if (!quantization || quantization.scale.length === 0) return null;
  return {
    scale: [...quantization.scale],
    zeroPoint: [...quantization.zeroPoint],
    quantizedDimension: quantization.quantizedDimension,
  };
}

/** The details of `tensor` of subgraph `subgraphIndex`, under `name` (its own by default). */
export function detailsOf(
  model: Model,
  subgraphIndex: number,
  tensor: RuntimeTensor,
  name: string = tensor.name,
): TensorDetails {
  const fileTensor = model.subgraphs[subgraphIndex].tensors[tensor.index];
  const quantization = quantizationDetails(tensor);
  return {
    name,
    index: tensor.index,
    shape: [...tensor.shape],
    shapeSignature: [...(fileTensor.shapeSignature ?? fileTensor.shape)],
    dtype: tensor.dtype,
    quantization,
  };
}

/** Copies `values` into a tensor's memory, checking count and type. */
export function writeTensor(
  memory: KernelMemory,
  tensor: RuntimeTensor,
  values: InputValues,
  role: string,
): void {
  const count = elementCount(tensor.shape);
  if (values.length !== count) {
    throw new RangeError(
      `${role} "${tensor.name}" takes ${count} values (shape [${tensor.shape}]), got ${values.length}`,
    );
  }
  const target = memory.view(tensor.dtype, tensor.offset, count);
  const bigint = target instanceof BigInt64Array || target instanceof BigUint64Array;
  const sameType = Object.getPrototypeOf(values) === Object.getPrototypeOf(target);
  if (sameType) {
    target.set(values as never);
  } else if (bigint) {
    for (let index = 0; index < count; index++) target[index] = BigInt(Number(values[index]));
  } else {
    for (let index = 0; index < count; index++) {
      const value = Number(values[index]);
      if (Number.isNaN(value) && tensor.dtype !== "float32" && tensor.dtype !== "float64") {
        throw new TypeError(
          `${role} "${tensor.name}" is ${tensor.dtype}; value ${index} is not a number`,
        );
      }
      target[index] = value;
    }
  }
}

/** A copy of a tensor's values; a RangeError for a dynamic tensor not computed yet. */
export function readTensor(memory: KernelMemory, tensor: RuntimeTensor): TensorData {
  if (tensor.offset < 0) {
    throw new RangeError(`"${tensor.name}" has no values yet: its shape is known only at invoke`);
  }
  return memory.view(tensor.dtype, tensor.offset, elementCount(tensor.shape)).slice();
}

/** A copy of an output, checked to hold `dtype` when one is named. */
export function readOutput(memory: KernelMemory, tensor: RuntimeTensor, dtype?: DType): TensorData {
  if (dtype !== undefined && tensor.dtype !== dtype) {
    throw new TypeError(`output "${tensor.name}" is ${tensor.dtype}, not ${dtype}`);
  }
  return readTensor(memory, tensor);
}

/** Finds a tensor by position or name among `tensors`. */
export function pick(
  tensors: RuntimeTensor[],
  which: number | string,
  role: string,
): RuntimeTensor {
  const tensor = typeof which === "number"
    ? tensors[which]
    : tensors.find((candidate) => candidate.name === which);
  if (!tensor) {
    const names = tensors.map((candidate) => `"${candidate.name}"`).join(", ");
    throw new RangeError(`no ${role} ${JSON.stringify(which)}; the ${role}s are ${names}`);
  }
  return tensor;
}
