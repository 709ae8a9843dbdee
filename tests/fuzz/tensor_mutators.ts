/**
 * Structure-aware mutations of a parsed model's tensors: shapes (huge, negative, zero, rank
 * changes), shape signatures, constants resized with their buffers, buffers (truncated, grown,
 * missing, shared, emptied), string buffers (count, offsets, odd strings, many strings),
 * quantization parameters, constant values and dtypes. Each returns
 * what it did, or null where it does not apply to the model drawn. The model is written
 * afterwards with every tensor's `data` detached, so that what lands in the file is exactly the
 * mutated buffers and fields.
 */
import type { Model } from "../../src/format/ir.ts";
import { type DType, elementCount, packedByteLength } from "../../src/format/dtype.ts";
import { encodeStringBuffer } from "../../src/format/string_buffer.ts";
import { EDGE_FLOATS, edgeInteger, isConstant, type Mutator, tensorOf } from "./mutate_common.ts";
import { FILLS, stringFill } from "./plan.ts";

const DTYPES: DType[] = [
  "float32",
  "float16",
  "int32",
  "uint8",
  "int64",
  "string",
  "bool",
  "int16",
  "int8",
  "float64",
  "complex64",
  "int4",
  "uint32",
  "bfloat16",
];

/** The largest constant buffer the "constant size" mutator builds (256 MiB). */
const MAX_BUFFER_BYTES = 2 ** 28;

const copyBuffer = (model: Model, index: number) => {
  model.buffers[index] = model.buffers[index].slice();
  return model.buffers[index];
};

/** The tensor mutators. */
export const TENSOR_MUTATORS: Mutator[] = [
  {
    family: "shape",
    apply(model, random) {
      const found = tensorOf(model, random);
      if (!found) return null;
      const { tensor, index } = found;
      const before = `[${tensor.shape}]`;
      const kind = random.below(6);
      if (kind === 0 && tensor.shape.length) {
        tensor.shape[random.below(tensor.shape.length)] = random.pick([
          2 ** 16,
          2 ** 20,
          2 ** 31 - 1,
        ]);
      } else if (kind === 1 && tensor.shape.length) {
        tensor.shape[random.below(tensor.shape.length)] = random.pick([-1, -5, -(2 ** 31)]);
      } else if (kind === 2 && tensor.shape.length) {
        tensor.shape[random.below(tensor.shape.length)] = 0;
      } else if (kind === 3) {
        tensor.shape.splice(random.below(tensor.shape.length + 1), 0, random.pick([1, 2, 3]));
      } else if (kind === 4 && tensor.shape.length) {
        tensor.shape.splice(random.below(tensor.shape.length), 1);
      } else {
        tensor.shape = random.chance(0.5) ? [] : Array(random.pick([6, 9, 40])).fill(1);
      }
      if (tensor.shapeSignature && random.chance(0.5)) tensor.shapeSignature = [...tensor.shape];
      return `tensor ${index} shape ${before} -> [${tensor.shape}]`;
    },
  },
  {
    family: "shape signature",
    apply(model, random) {
      const found = tensorOf(model, random);
      if (!found) return null;
      const signature = found.tensor.shape.map((size) => (random.chance(0.4) ? -1 : size));
      found.tensor.shapeSignature = random.chance(0.2) ? [...signature, -1] : signature;
      return `tensor ${found.index} shape signature [${found.tensor.shapeSignature}]`;
    },
  },
  {
    family: "constant size",
    apply(model, random) {
      // A constant one entry longer or shorter (a bias of 65 values for 64 channels), its buffer
      // resized to match, so that the file itself stays consistent.
      const found = tensorOf(
        model,
        random,
        (tensor) => isConstant(tensor) && tensor.shape.length > 0,
      );
      if (!found) return null;
      const { tensor, index } = found;
      const axis = random.below(tensor.shape.length);
      const before = `[${tensor.shape}]`;
      const shape = [...tensor.shape];
      shape[axis] = Math.max(0, shape[axis] + random.pick([1, -1, 1, 2]));
      const bytes = packedByteLength(tensor.dtype, elementCount(shape)) ?? 0;
      // An earlier mutation may have stretched the shape: the fuzzer cannot build such a buffer.
      if (bytes > MAX_BUFFER_BYTES) return null;
      tensor.shape = shape;
      const resized = new Uint8Array(bytes);
      resized.set(model.buffers[tensor.buffer].subarray(0, bytes));
      model.buffers[tensor.buffer] = resized;
      if (tensor.quantization?.scale.length && tensor.quantization.quantizedDimension === axis) {
        tensor.quantization.scale.length = tensor.shape[axis] || 1;
        tensor.quantization.zeroPoint.length = tensor.shape[axis] || 1;
        tensor.quantization.scale.fill(tensor.quantization.scale[0] || 0.5);
        tensor.quantization.zeroPoint.fill(0);
      }
      return `constant ${index} reshaped ${before} -> [${tensor.shape}] with its buffer`;
    },
  },
  {
    family: "buffer",
    apply(model, random) {
      const found = tensorOf(model, random, isConstant);
      if (!found) return null;
      const { tensor, index } = found;
      const bytes = model.buffers[tensor.buffer];
      const kind = random.below(5);
      if (kind === 0) {
        model.buffers[tensor.buffer] = bytes.slice(0, random.below(bytes.byteLength));
        return `tensor ${index}: buffer truncated to ${model.buffers[tensor.buffer].byteLength}`;
      } else if (kind === 1) {
        const grown = new Uint8Array(bytes.byteLength + random.pick([1, 4, 64, 4096]));
        grown.set(bytes);
        model.buffers[tensor.buffer] = grown;
        return `tensor ${index}: buffer grown to ${grown.byteLength}`;
      } else if (kind === 2) {
        tensor.buffer = 0;
        return `tensor ${index}: buffer removed`;
      } else if (kind === 3) {
        tensor.buffer = random.below(model.buffers.length);
        return `tensor ${index}: buffer ${tensor.buffer} (another tensor's)`;
      }
      model.buffers[tensor.buffer] = new Uint8Array(0);
      return `tensor ${index}: buffer emptied`;
    },
  },
  {
    family: "string buffer",
    apply(model, random) {
      const found = tensorOf(
        model,
        random,
        (tensor) => isConstant(tensor) && tensor.dtype === "string",
      );
      if (!found) return null;
      const { tensor, index } = found;
      const bytes = copyBuffer(model, tensor.buffer);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const kind = random.below(5);
      if (kind === 0 && bytes.byteLength >= 4) {
        const count = view.getInt32(0, true);
        view.setInt32(0, random.pick([0, count - 1, count + 1, -1, 2 ** 28, 2 ** 31 - 1]), true);
        return `string tensor ${index}: count ${count} -> ${view.getInt32(0, true)}`;
      } else if (kind === 1 && bytes.byteLength >= 8) {
        const at = 4 * (1 + random.below(Math.floor(bytes.byteLength / 4) - 1));
        const before = view.getInt32(at, true);
        const values = [0, -1, 4, before - 1, before + 1, bytes.byteLength + 1, 2 ** 31 - 1];
        view.setInt32(at, random.pick(values), true);
        return `string tensor ${index}: word at ${at} ${before} -> ${view.getInt32(at, true)}`;
      } else if (kind === 2) {
        const count = elementCount(tensor.shape);
        const fill = random.pick(FILLS);
        const strings = Array.from({ length: count }, (_, at) => stringFill(fill, at));
        model.buffers[tensor.buffer] = encodeStringBuffer(strings);
        return `string tensor ${index}: its ${count} strings made ${fill}`;
      } else if (kind === 3) {
        const first = random.pick([2 ** 12, 2 ** 16, 2 ** 20]);
        const shape = [first, ...tensor.shape.slice(1)];
        const count = elementCount(shape);
        if (count > 2 ** 22) return null;
        tensor.shape = shape;
        model.buffers[tensor.buffer] = encodeStringBuffer(
          Array.from({ length: count }, (_, at) => stringFill("ramp", at)),
        );
        return `string tensor ${index}: ${count} strings, shape [${tensor.shape}]`;
      }
      model.buffers[tensor.buffer] = bytes.slice(0, random.below(bytes.byteLength + 1));
      return `string tensor ${index}: buffer truncated to ${model.buffers[tensor.buffer].length}`;
    },
  },
  {
    family: "quantization",
    apply(model, random) {
      const found = tensorOf(model, random);
      if (!found) return null;
      const { tensor, index } = found;
      const quantization = tensor.quantization ??= {
        scale: [0.5],
        zeroPoint: [0],
        quantizedDimension: 0,
        min: [],
        max: [],
        details: null,
      };
      const kind = random.below(6);
      if (kind === 0 && quantization.scale.length) {
        quantization.scale[random.below(quantization.scale.length)] = random.pick(EDGE_FLOATS);
      } else if (kind === 1) {
        quantization.scale.push(0.25);
        if (random.chance(0.5)) quantization.zeroPoint.push(0);
      } else if (kind === 2) {
        quantization.scale.pop();
        if (random.chance(0.5)) quantization.zeroPoint.pop();
      } else if (kind === 3) {
        quantization.quantizedDimension = random.pick([1, 3, 4, 7, -1]);
      } else if (kind === 4 && quantization.zeroPoint.length) {
        quantization.zeroPoint[random.below(quantization.zeroPoint.length)] = random.pick([
          -129,
          128,
          256,
          -32769,
          2 ** 31 - 1,
          -(2 ** 31),
        ]);
      } else {
        tensor.quantization = null;
        return `tensor ${index}: quantization removed`;
      }
      return `tensor ${index}: quantization ${JSON.stringify(quantization)}`;
    },
  },
  {
    family: "constant values",
    apply(model, random) {
      const found = tensorOf(
        model,
        random,
        (tensor) => isConstant(tensor) && ["int32", "int64", "float32"].includes(tensor.dtype),
      );
      if (!found) return null;
      const { tensor, index } = found;
      const bytes = copyBuffer(model, tensor.buffer);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const size = tensor.dtype === "int64" ? 8 : 4;
      const count = Math.floor(bytes.byteLength / size);
      if (count === 0) return null;
      const at = random.below(count) * size;
      if (tensor.dtype === "float32") {
        view.setFloat32(at, random.pick(EDGE_FLOATS), true);
      } else if (tensor.dtype === "int64") {
        view.setBigInt64(at, BigInt(edgeInteger(random)), true);
      } else {
        view.setInt32(at, edgeInteger(random), true);
      }
      return `tensor ${index} (${tensor.dtype}) value ${at / size} changed`;
    },
  },
  {
    family: "dtype",
    apply(model, random) {
      const found = tensorOf(model, random);
      if (!found) return null;
      found.tensor.dtype = random.pick(DTYPES);
      const toggle = random.chance(0.2);
      if (toggle) found.tensor.isVariable = !found.tensor.isVariable;
      const variable = toggle ? `, ${found.tensor.isVariable ? "" : "not "}a variable` : "";
      return `tensor ${found.index} is now ${found.tensor.dtype}${variable}`;
    },
  },
];
