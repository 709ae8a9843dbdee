/**
 * Structure-aware mutations of a parsed model, by family: shapes, buffers, quantization,
 * operator inputs and outputs, op codes and versions, options, constant contents, dtypes,
 * subgraphs, graph inputs and outputs, signatures. Each returns what it did, or null where it
 * does not apply to the model drawn. The model is written afterwards with every tensor's `data`
 * detached, so that what lands in the file is exactly the mutated buffers and fields.
 */
import type { Model, Subgraph, Tensor } from "../../src/format/ir.ts";
import type { DType } from "../../src/format/dtype.ts";
import { KERNELS } from "../../src/runtime/registry.ts";
import type { Random } from "./random.ts";

/** One mutation: its family (for the report) and how to apply it. */
export interface Mutator {
  family: string;
  apply(model: Model, random: Random): string | null;
}

/** Integers where parsers, shape arithmetic and loops tend to break. */
const EDGE_INTEGERS = [
  0,
  1,
  -1,
  2,
  3,
  -2,
  7,
  255,
  65535,
  100_000,
  2 ** 24,
  2 ** 30,
  2 ** 31 - 1,
  -(2 ** 31),
];
const EDGE_FLOATS = [0, -0, -1, NaN, Infinity, -Infinity, 1e-45, 1e38, 3.4e38];
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
const OPS = [...KERNELS.keys(), "WHILE", "IF", "CALL_ONCE", "ADD_N"];

const subgraphOf = (model: Model, random: Random): Subgraph | null =>
  model.subgraphs.length ? random.pick(model.subgraphs) : null;

function tensorOf(model: Model, random: Random, filter?: (tensor: Tensor) => boolean) {
  const subgraph = subgraphOf(model, random);
  const indices = (subgraph?.tensors ?? []).map((_, index) => index)
    .filter((index) => !filter || filter(subgraph!.tensors[index]));
  if (!subgraph || indices.length === 0) return null;
  const index = random.pick(indices);
  return { subgraph, index, tensor: subgraph.tensors[index] };
}

function operatorOf(model: Model, random: Random) {
  const subgraph = subgraphOf(model, random);
  if (!subgraph || subgraph.operators.length === 0) return null;
  const index = random.below(subgraph.operators.length);
  return { subgraph, index, operator: subgraph.operators[index] };
}

/** A tensor index: in range most of the time, else just past the end, huge or negative. */
function tensorIndex(subgraph: Subgraph, random: Random): number {
  if (random.chance(0.75)) return random.below(Math.max(1, subgraph.tensors.length));
  return random.pick([subgraph.tensors.length, subgraph.tensors.length + 5, 2 ** 31 - 1, -1, -7]);
}

const edgeInteger = (random: Random) => random.pick(EDGE_INTEGERS);
const copyBuffer = (model: Model, index: number) => {
  model.buffers[index] = model.buffers[index].slice();
  return model.buffers[index];
};
const isConstant = (tensor: Tensor) => tensor.buffer > 0 && tensor.data !== null;

/** Every mutator, each family several times over. */
export const MUTATORS: Mutator[] = [
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
    family: "operator inputs",
    apply(model, random) {
      const found = operatorOf(model, random);
      if (!found) return null;
      const { operator, subgraph, index } = found;
      const kind = random.below(5);
      if (kind === 0 && operator.inputs.length) {
        operator.inputs[random.below(operator.inputs.length)] = tensorIndex(subgraph, random);
      } else if (kind === 1 && operator.inputs.length) {
        operator.inputs[random.below(operator.inputs.length)] = -1;
      } else if (kind === 2 && operator.inputs.length > 1) {
        const a = random.below(operator.inputs.length);
        const b = random.below(operator.inputs.length);
        [operator.inputs[a], operator.inputs[b]] = [operator.inputs[b], operator.inputs[a]];
      } else if (kind === 3) {
        operator.inputs.push(
          random.chance(0.5) ? operator.inputs[0] ?? 0 : tensorIndex(subgraph, random),
        );
      } else if (operator.inputs.length) {
        operator.inputs.splice(random.below(operator.inputs.length), 1);
      }
      return `operator ${index} inputs [${operator.inputs}]`;
    },
  },
  {
    family: "operator outputs",
    apply(model, random) {
      const found = operatorOf(model, random);
      if (!found) return null;
      const { operator, subgraph, index } = found;
      const position = random.below(Math.max(1, operator.outputs.length));
      const choices = [
        () => tensorIndex(subgraph, random),
        () => subgraph.inputs[0] ?? 0,
        () => subgraph.tensors.findIndex(isConstant),
        () => operator.inputs[0] ?? 0,
        () => random.pick(subgraph.operators).outputs[0] ?? 0,
      ];
      const kind = random.below(choices.length + 1);
      if (kind === choices.length) {
        operator.outputs = random.chance(0.5) ? [] : [...operator.outputs, ...operator.outputs];
      } else {
        operator.outputs[position] = choices[kind]();
      }
      return `operator ${index} outputs [${operator.outputs}]`;
    },
  },
  {
    family: "operator order",
    apply(model, random) {
      const found = operatorOf(model, random);
      if (!found) return null;
      const { operators } = found.subgraph;
      const other = random.below(operators.length);
      const kind = random.below(3);
      if (kind === 0) {
        [operators[found.index], operators[other]] = [operators[other], operators[found.index]];
        return `operators ${found.index} and ${other} swapped`;
      } else if (kind === 1) {
        operators.splice(other, 0, structuredClone(found.operator));
        return `operator ${found.index} duplicated at ${other}`;
      }
      operators.splice(found.index, 1);
      return `operator ${found.index} removed`;
    },
  },
  {
    family: "op code",
    apply(model, random) {
      const found = operatorOf(model, random);
      if (!found) return null;
      const { operator, index } = found;
      if (random.chance(0.6)) {
        operator.op = random.pick(OPS);
        operator.custom = false;
        return `operator ${index} is now ${operator.op}`;
      }
      operator.version = random.pick([0, -1, 2, 5, 99, 2 ** 31 - 1]);
      return `operator ${index} version ${operator.version}`;
    },
  },
  {
    family: "options",
    apply(model, random) {
      const found = operatorOf(model, random);
      if (!found) return null;
      const { operator, index } = found;
      const options = operator.options;
      const keys = Object.keys(options ?? {}).filter((key) =>
        ["number", "boolean", "string"].includes(typeof options![key])
      );
      if (!options || keys.length === 0) {
        operator.optionsType = random.pick(["Conv2DOptions", "Pool2DOptions", "ReshapeOptions"]);
        operator.options = {};
        return `operator ${index} given empty ${operator.optionsType}`;
      }
      const key = random.pick(keys);
      const value = options[key];
      options[key] = typeof value === "boolean"
        ? !value
        : typeof value === "string"
        ? random.pick([0, 1, 3, 5, 9, 77])
        : edgeInteger(random);
      return `operator ${index} option ${key}: ${String(value)} -> ${String(options[key])}`;
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
      if (random.chance(0.2)) found.tensor.isVariable = !found.tensor.isVariable;
      return `tensor ${found.index} is now ${found.tensor.dtype}`;
    },
  },
  {
    family: "subgraphs",
    apply(model, random) {
      const kind = random.below(4);
      if (kind === 0) {
        model.subgraphs = [];
        if (random.chance(0.5)) model.signatures = [];
        return "every subgraph removed";
      } else if (kind === 1 && model.subgraphs.length) {
        model.subgraphs.push(structuredClone(model.subgraphs[0]));
        return "subgraph 0 duplicated";
      } else if (kind === 2 && model.subgraphs.length) {
        model.subgraphs.unshift({ ...structuredClone(model.subgraphs[0]), operators: [] });
        return "a subgraph without operators put first";
      }
      const subgraph = subgraphOf(model, random);
      if (!subgraph) return null;
      subgraph.tensors.splice(random.below(subgraph.tensors.length), 1);
      return "a tensor removed";
    },
  },
  {
    family: "graph inputs and outputs",
    apply(model, random) {
      const subgraph = subgraphOf(model, random);
      if (!subgraph) return null;
      const list = random.chance(0.5) ? subgraph.inputs : subgraph.outputs;
      const kind = random.below(4);
      if (kind === 0) list.push(tensorIndex(subgraph, random));
      else if (kind === 1) list.splice(0, list.length);
      else if (kind === 2 && list.length) list[0] = tensorIndex(subgraph, random);
      else list.push(...list);
      return `graph inputs [${subgraph.inputs}] outputs [${subgraph.outputs}]`;
    },
  },
  {
    family: "signatures",
    apply(model, random) {
      const signature = model.signatures.length ? random.pick(model.signatures) : null;
      if (!signature) {
        model.signatures.push({
          key: "forged",
          subgraphIndex: random.pick([0, 1, 9]),
          inputs: [],
          outputs: [],
        });
        return "a signature added";
      }
      const kind = random.below(4);
      if (kind === 0) signature.subgraphIndex = random.pick([1, 5, -1]);
      else if (kind === 1 && signature.inputs.length) {
        signature.inputs[0].tensorIndex = edgeInteger(random);
      } else if (kind === 2) model.signatures.push(structuredClone(signature));
      else signature.outputs = [];
      return `signature ${JSON.stringify(signature)}`;
    },
  },
];
