/**
 * The intermediate tensors of operators read from a file (LSTM gate and hidden-state
 * quantization), found from the operator alone: the reader records each subgraph's operators
 * here, so a kernel that holds only its operator can reach the tensors its `intermediates` name.
 */
import type { Operator, Subgraph, Tensor } from "./ir.ts";

const SUBGRAPH_OF = new WeakMap<Operator, Subgraph>();

/** Records that `subgraph`'s operators index into its tensors. */
export function recordOperators(subgraph: Subgraph): void {
  for (const operator of subgraph.operators) SUBGRAPH_OF.set(operator, subgraph);
}

/** The tensors `operator.intermediates` names, or null when its subgraph is not known. */
export function intermediatesOf(operator: Operator): Tensor[] | null {
  const subgraph = SUBGRAPH_OF.get(operator);
  if (!subgraph) return null;
  return operator.intermediates.map((index) => subgraph.tensors[index]);
}
