/**
 * Structure-aware mutations of a parsed model's graph: operator inputs and outputs (out of range,
 * -1, swapped, duplicated, cycles, writing inputs and constants), operator order, op codes and
 * versions, options (absurd strides, dilations, paddings, axes, enum values), subgraph counts,
 * graph inputs and outputs, signatures. Each returns what it did, or null where it does not
 * apply to the model drawn.
 */
import { KERNELS } from "../../src/runtime/registry.ts";
import {
  edgeInteger,
  isConstant,
  type Mutator,
  operatorOf,
  subgraphOf,
  tensorIndex,
} from "./mutate_common.ts";

const OPS = [...KERNELS.keys(), "WHILE", "IF", "CALL_ONCE", "ADD_N"];

/** The graph mutators. */
export const GRAPH_MUTATORS: Mutator[] = [
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
