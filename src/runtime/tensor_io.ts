/**
 * Moving values in and out of a prepared subgraph's tensors, as the interpreter and its signature
 * runners do: what a tensor is (`TensorDetails`), copying inputs in with their count and type
 * checked (a string tensor's values are held beside the tensor, not in wasm memory), copying
 * outputs out, finding a tensor by position or name.
 */
import { type DType, elementCount, type TensorData } from "../format/dtype.ts";
import type { Model } from "../format/ir.ts";
import type { KernelMemory } from "./memory.ts";
import { type RuntimeTensor, stringsOf } from "./tensor.ts";

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

/**
 * The input values a caller may pass: a typed array of the input's dtype, or plain numbers; for a
 * string input, strings (written as UTF-8) or byte strings (`Uint8Array`s, taken as they are).
 */
export type InputValues = TensorData | ArrayLike<number> | readonly (string | Uint8Array)[];

/** An output's values: a typed array of its dtype, or for a string output its strings. */
export type OutputValues = TensorData | string[];

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
  if (tensor.dtype === "string") {
    tensor.strings = byteStrings(tensor, values, role);
    return;
  }
  const target = memory.view(tensor.dtype, tensor.offset, count);
  const bigint = target instanceof BigInt64Array || target instanceof BigUint64Array;
  const sameType = Object.getPrototypeOf(values) === Object.getPrototypeOf(target);
  if (sameType) {
    target.set(values as never);
    return;
  }
  for (let index = 0; index < count && !ArrayBuffer.isView(values); index++) {
    if (typeof values[index] === "string" || values[index] instanceof Uint8Array) {
      throw new TypeError(
        `${role} "${tensor.name}" is ${tensor.dtype}; value ${index} is a string (strings go to string tensors)`,
      );
    }
  }
  const numbers = values as ArrayLike<number>;
  if (bigint) {
    for (let index = 0; index < count; index++) target[index] = BigInt(Number(numbers[index]));
  } else {
    for (let index = 0; index < count; index++) {
      const value = Number(numbers[index]);
      if (Number.isNaN(value) && tensor.dtype !== "float32" && tensor.dtype !== "float64") {
        throw new TypeError(
          `${role} "${tensor.name}" is ${tensor.dtype}; value ${index} is not a number`,
        );
      }
      target[index] = value;
    }
  }
}

/**
 * A string input's values as byte strings: strings encoded as UTF-8, byte strings copied. Throws
 * a TypeError for a typed array or an element that is neither.
 */
function byteStrings(tensor: RuntimeTensor, values: InputValues, role: string): Uint8Array[] {
  if (ArrayBuffer.isView(values)) {
    throw new TypeError(
      `${role} "${tensor.name}" holds strings; give them as strings or Uint8Arrays, not a ${values.constructor.name}`,
    );
  }
  return Array.from(values as ArrayLike<unknown>, (value, index) => {
    if (typeof value === "string") return UTF8.encode(value);
    if (value instanceof Uint8Array) return value.slice();
    throw new TypeError(
      `${role} "${tensor.name}" holds strings; value ${index} is ${typeof value}, not a string or Uint8Array`,
    );
  });
}

const UTF8 = new TextEncoder();
const FROM_UTF8 = new TextDecoder();

/**
 * Throws a RangeError for a dynamic tensor not computed yet (not placed: a string one too, whose
 * values would otherwise read as empty strings of a shape it does not have yet).
 */
function requireValues(tensor: RuntimeTensor): void {
  if (tensor.offset < 0) {
    throw new RangeError(`"${tensor.name}" has no values yet: its shape is known only at invoke`);
  }
}

/**
 * A copy of a tensor's values; a string tensor's as strings, decoded from UTF-8 (a byte that is
 * not UTF-8 reads as U+FFFD, as `TextDecoder` decodes); a RangeError for a dynamic tensor not
 * computed yet.
 */
export function readTensor(memory: KernelMemory, tensor: RuntimeTensor): OutputValues {
  requireValues(tensor);
  if (tensor.dtype === "string") return stringsOf(tensor).map((bytes) => FROM_UTF8.decode(bytes));
  return memory.view(tensor.dtype, tensor.offset, elementCount(tensor.shape)).slice();
}

/**
 * A copy of a string output's values as byte strings; a TypeError for other dtypes, a RangeError
 * for a dynamic one not computed yet.
 */
export function readStringBytes(tensor: RuntimeTensor): Uint8Array[] {
  if (tensor.dtype !== "string") {
    throw new TypeError(`output "${tensor.name}" is ${tensor.dtype}, not string`);
  }
  requireValues(tensor);
  return stringsOf(tensor).map((bytes) => bytes.slice());
}

/** A copy of an output, checked to hold `dtype` when one is named. */
export function readOutput(
  memory: KernelMemory,
  tensor: RuntimeTensor,
  dtype?: DType,
): OutputValues {
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
