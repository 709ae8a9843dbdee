/** Op graphs as comparable text, for the quantizer's tests. */
import type { Model } from "../../mod.ts";

/** Each operator's op (with its version when asked) and the dtypes of its inputs and outputs. */
export function signatureOf(model: Model, withVersions = false): string[] {
  const subgraph = model.subgraphs[0];
  const dtype = (index: number) => (index < 0 ? "-" : subgraph.tensors[index].dtype);
  return subgraph.operators.map((operator) =>
    `${operator.op}${withVersions ? `v${operator.version}` : ""}(${
      operator.inputs.map(dtype)
    }) -> ${operator.outputs.map(dtype)}`
  );
}
