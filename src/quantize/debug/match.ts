/**
 * Pairs each activation a quantized model computes with the float tensor it replaces: by tensor
 * name first (TensorFlow's converter and liteq keep names), then by graph position: the tensor
 * computed from the same model inputs through the same sequence of ops, QUANTIZE and DEQUANTIZE
 * seen through, constants left out.
 */
import { elementCount } from "../../format/dtype.ts";
import type { Model, Subgraph, Tensor } from "../../format/ir.ts";

/** A tensor of the quantized model and the float tensor it replaces (main subgraph). */
export interface TensorMatch {
  /** Index of the quantized model's operator that writes the tensor. */
  operator: number;
  /** That operator's op (`CONV_2D`). */
  op: string;
  /** Index of the tensor in the quantized model. */
  tensor: number;
  /** Index of its twin in the float model. */
  floatTensor: number;
  /** How the twin was found: the same name, or the same place in the graph. */
  matchedBy: "name" | "position";
}

/** Ops that only change how a tensor is stored: the matching sees through them. */
const CONVERSIONS = new Set(["QUANTIZE", "DEQUANTIZE"]);

/** Tensors fixed before any input is read: constants and what ops compute from them alone. */
function constantTensors(subgraph: Subgraph): Set<number> {
  const constant = new Set<number>();
  subgraph.tensors.forEach((tensor, index) => {
    if (tensor.data !== null && !tensor.isVariable) constant.add(index);
  });
  for (const operator of subgraph.operators) {
    if (operator.inputs.every((index) => index < 0 || constant.has(index))) {
      for (const output of operator.outputs) constant.add(output);
    }
  }
  return constant;
}

/**
 * Each tensor's place in the graph as a number shared through `ids` by every model keyed with
 * it (null for constants and tensors no input reaches): `input P` for input P, and for output K
 * of an op, the op, K, its inputs' places and how many earlier outputs had that same description.
 */
function graphPlaces(subgraph: Subgraph, ids: Map<string, number>): (number | null)[] {
  const intern = (key: string) => {
    if (!ids.has(key)) ids.set(key, ids.size);
    return ids.get(key)!;
  };
  const places: (number | null)[] = subgraph.tensors.map(() => null);
  subgraph.inputs.forEach((tensor, position) => (places[tensor] = intern(`input ${position}`)));
  const constant = constantTensors(subgraph);
  const occurrences = new Map<string, number>();
  for (const operator of subgraph.operators) {
    const read = operator.inputs.filter((index) => index >= 0 && !constant.has(index));
    if (read.length === 0 || read.some((index) => places[index] === null)) continue;
    if (CONVERSIONS.has(operator.op) && read.length === 1) {
      for (const output of operator.outputs) places[output] = places[read[0]];
      continue;
    }
    operator.outputs.forEach((output, position) => {
      const description = `${operator.op}/${position}(${read.map((index) => places[index])})`;
      const seen = occurrences.get(description) ?? 0;
      occurrences.set(description, seen + 1);
      places[output] = intern(`${description}#${seen}`);
    });
  }
  return places;
}

/** Whether a quantized model's tensor is one to compare: float32 or stored with a scale. */
function isComparable(tensor: Tensor): boolean {
  return tensor.dtype === "float32" || (tensor.quantization?.scale.length ?? 0) > 0;
}

/**
 * For each output of the quantized model's operators (main subgraph; QUANTIZE and DEQUANTIZE
 * left out) that is float32 or quantized and computed from the inputs, the float model's float32
 * tensor it replaces; tensors without a twin of the same size are left out.
 */
export function matchTensors(float: Model, quantized: Model): TensorMatch[] {
  const [floatGraph, quantizedGraph] = [float.subgraphs[0], quantized.subgraphs[0]];
  const ids = new Map<string, number>();
  const floatPlaces = graphPlaces(floatGraph, ids);
  const quantizedPlaces = graphPlaces(quantizedGraph, ids);
  const byName = new Map<string, number>();
  const byPlace = new Map<number, number>();
  floatPlaces.forEach((place, index) => {
    if (place === null || floatGraph.tensors[index].dtype !== "float32") return;
    byName.set(floatGraph.tensors[index].name, index);
    if (!byPlace.has(place)) byPlace.set(place, index);
  });
  const matches: TensorMatch[] = [];
  quantizedGraph.operators.forEach((operator, operatorIndex) => {
    if (CONVERSIONS.has(operator.op)) return;
    for (const index of operator.outputs) {
      const tensor = quantizedGraph.tensors[index];
      const place = quantizedPlaces[index];
      if (place === null || !isComparable(tensor)) continue;
      const sameSize = (twin: number | undefined) =>
        twin !== undefined &&
        elementCount(floatGraph.tensors[twin].shape) === elementCount(tensor.shape);
      const named = byName.get(tensor.name);
      const placed = byPlace.get(place);
      const [twin, matchedBy] = sameSize(named)
        ? [named!, "name" as const]
        : sameSize(placed)
        ? [placed!, "position" as const]
        : [-1, "position" as const];
      if (twin < 0) continue;
      matches.push({
        operator: operatorIndex,
        op: operator.op,
        tensor: index,
        floatTensor: twin,
        matchedBy,
      });
    }
  });
  return matches;
}
