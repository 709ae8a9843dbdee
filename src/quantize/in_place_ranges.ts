/**
 * TensorFlow's calibration records each op's inputs after the op has run. TFLite's memory
 * planner lets ADD, SUB, MUL and DIV write their output over one of their inputs (in place),
 * so the range TensorFlow records for that input also covers the op's output. Its quantizer then
 * gives the input (a 1x1 convolution feeding a residual ADD, say) that wider range; liteq does
 * the same, so that its scales are TensorFlow's.
 *
 * The input TFLite shares is the first of inputs 0 and 1 that the op may overwrite: an
 * activation some op computes (not a model input, a constant or a variable), read by this op
 * alone and not a model output, as large as the output (no broadcast) and more than one value;
 * the op's output must not be a model output either. (Measured with TensorFlow 2.21: unary ops
 * such as LOGISTIC or SOFTMAX, and SQUARED_DIFFERENCE, leave their input's range alone.)
 */
import { elementCount } from "../format/dtype.ts";
import type { Subgraph } from "../format/ir.ts";
import type { Range } from "./calibrate.ts";

/** Ops whose output TFLite may place over input 0 or 1. */
const IN_PLACE_OPS = new Set(["ADD", "SUB", "MUL", "DIV"]);

/**
 * Widens `ranges` (by tensor index) as TensorFlow's calibration of `subgraph` records them;
 * `shapes` are the shapes calibration ran with (the file's when absent).
 */
export function widenInPlaceInputs(
  subgraph: Subgraph,
  ranges: Map<number, Range>,
  shapes: Map<number, number[]> = new Map(),
): void {
  const uses = new Map<number, number>();
  const count = (index: number) => uses.set(index, (uses.get(index) ?? 0) + 1);
  subgraph.outputs.forEach(count);
  subgraph.inputs.forEach(count);
  subgraph.operators.forEach((operator) =>
    operator.inputs.filter((input) => input >= 0).forEach(count)
  );
  const outputs = new Set(subgraph.outputs);
  const elements = (index: number) =>
    elementCount(shapes.get(index) ?? subgraph.tensors[index].shape);
  for (const operator of subgraph.operators) {
    const [output] = operator.outputs;
    const outputRange = ranges.get(output);
    if (!IN_PLACE_OPS.has(operator.op) || !outputRange || outputs.has(output)) continue;
    const shared = operator.inputs.slice(0, 2).find((input) =>
      input >= 0 && ranges.has(input) && uses.get(input) === 1 &&
      elements(input) === elements(output) && elements(input) > 1
    );
    if (shared === undefined) continue;
    const range = ranges.get(shared)!;
    ranges.set(shared, {
      min: Math.min(range.min, outputRange.min),
      max: Math.max(range.max, outputRange.max),
    });
  }
}
