/**
 * Ops with the "shared" rule (CONCATENATION and PACK, whose output holds every input, TFLite's
 * PACK and int16 CONCATENATION copying the stored integers; MAXIMUM and MINIMUM, which compare
 * them) put their inputs on their output's calibrated range, as TensorFlow's quantizer does. The
 * range goes back up each input through ops that keep their input's parameters (pooling,
 * reshapes, ...) to the tensor that an op computes (an ADD's output, say), so that no
 * requantization is needed; walking the ops from the last, a chain of such ops (MAXIMUM into
 * MINIMUM) ends up on the last one's output range.
 */
import type { Subgraph } from "../format/ir.ts";
import type { Range } from "./calibrate.ts";
import { producersOf } from "./graph.ts";
import { INTEGER_OPS } from "./integer_ops.ts";

/**
 * Sets `ranges` (by tensor index) of the inputs of the integer "shared" ops of `subgraph` to
 * their output's range; `floatReasons` (by operator) says which ops stay float.
 */
export function shareRanges(
  subgraph: Subgraph,
  ranges: Map<number, Range>,
  floatReasons: (string | null)[],
): void {
  const producers = producersOf(subgraph);
  const shared = subgraph.operators.filter((operator, index) =>
    INTEGER_OPS[operator.op]?.output === "shared" && !floatReasons[index] &&
    ranges.has(operator.outputs[0])
  );
  for (const operator of shared.reverse()) {
    const range = ranges.get(operator.outputs[0])!;
    for (let tensor of operator.inputs) {
      while (ranges.has(tensor)) {
        ranges.set(tensor, range);
        const source = producers.get(tensor);
        const sourceOp = source === undefined ? undefined : subgraph.operators[source];
        if (!sourceOp || floatReasons[source!] || INTEGER_OPS[sourceOp.op]?.output !== "input") {
          break;
        }
        tensor = sourceOp.inputs[0];
      }
    }
  }
}
