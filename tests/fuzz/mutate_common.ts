/** What the mutators share: the mutator type, edge values, and drawing a tensor or an operator. */
import type { Model, Subgraph, Tensor } from "../../src/format/ir.ts";
import type { Random } from "./random.ts";

/** One mutation: its family (for the report) and how to apply it. */
export interface Mutator {
  family: string;
  apply(model: Model, random: Random): string | null;
}

/** Integers where parsers, shape arithmetic and loops tend to break. */
export const EDGE_INTEGERS = [
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

/** Floats that break arithmetic: zeros, negatives, NaN, infinities, extremes. */
export const EDGE_FLOATS = [0, -0, -1, NaN, Infinity, -Infinity, 1e-45, 1e38, 3.4e38];

/** One of the edge integers. */
export const edgeInteger = (random: Random): number => random.pick(EDGE_INTEGERS);

/** A subgraph of the model, or null when it has none. */
export const subgraphOf = (model: Model, random: Random): Subgraph | null =>
  model.subgraphs.length ? random.pick(model.subgraphs) : null;

/** A tensor (passing `filter`) of a subgraph, with both, or null when there is none. */
export function tensorOf(model: Model, random: Random, filter?: (tensor: Tensor) => boolean) {
  const subgraph = subgraphOf(model, random);
  const indices = (subgraph?.tensors ?? []).map((_, index) => index)
    .filter((index) => !filter || filter(subgraph!.tensors[index]));
  if (!subgraph || indices.length === 0) return null;
  const index = random.pick(indices);
  return { subgraph, index, tensor: subgraph.tensors[index] };
}

/** An operator of a subgraph, with both, or null when there is none. */
export function operatorOf(model: Model, random: Random) {
  const subgraph = subgraphOf(model, random);
  if (!subgraph || subgraph.operators.length === 0) return null;
  const index = random.below(subgraph.operators.length);
  return { subgraph, index, operator: subgraph.operators[index] };
}

/** A tensor index: in range most of the time, else just past the end, huge or negative. */
export function tensorIndex(subgraph: Subgraph, random: Random): number {
  if (random.chance(0.75)) return random.below(Math.max(1, subgraph.tensors.length));
  return random.pick([subgraph.tensors.length, subgraph.tensors.length + 5, 2 ** 31 - 1, -1, -7]);
}

/** Whether a tensor of the model as read holds constant data. */
export const isConstant = (tensor: Tensor): boolean => tensor.buffer > 0 && tensor.data !== null;
