/**
 * What the SVDF kernels share: the check of the op's five tensors and its rank, and the state
 * shift that opens each invocation. SVDF (a fully connected layer factored in rank and time)
 * keeps, per batch and filter, the last `memory` feature activations in its variable state; an
 * invocation shifts them left, writes the new one last, and sums them against the time weights.
 */
import type { OpContext } from "../../op.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** An SVDF's tensors and sizes. */
export interface SvdfShape {
  input: RuntimeTensor;
  featureWeights: RuntimeTensor;
  timeWeights: RuntimeTensor;
  bias: RuntimeTensor | null;
  state: RuntimeTensor;
  output: RuntimeTensor;
  batches: number;
  inputSize: number;
  filters: number;
  rank: number;
  units: number;
  memory: number;
}

/** Checks an SVDF's tensors against each other and sets the output's shape [batches, units]. */
export function svdfShape(context: OpContext): SvdfShape {
  const input = context.input(0);
  const featureWeights = context.input(1);
  const timeWeights = context.input(2);
  const bias = context.optionalInput(3);
  const state = context.input(4);
  const output = context.output(0);
  const rank = Number(context.options.rank ?? 0);
  if (input.shape.length !== 2 || featureWeights.shape.length !== 2) {
    context.unsupported(`input [${input.shape}] and feature weights must be 2-D`);
  }
  context.expectRank(timeWeights, "time weights", 2);
  const [batches, inputSize] = input.shape;
  const filters = featureWeights.shape[0];
  const memory = timeWeights.shape[1];
  if (!(rank > 0) || filters % rank !== 0) {
    context.unsupported(`rank ${rank} does not divide the ${filters} filters`);
  }
  const units = filters / rank;
  if (bias) context.expectShape(bias, "bias", [units]);
  if (featureWeights.shape[1] !== inputSize || timeWeights.shape[0] !== filters) {
    context.unsupported(
      `weights [${featureWeights.shape}], [${timeWeights.shape}] do not fit input [${input.shape}]`,
    );
  }
  if (!state.isVariable || state.shape.length !== 2 || state.shape[0] !== batches) {
    context.unsupported(`the state (input 4) must be a variable [${batches}, memory * filters]`);
  }
  if (state.shape[1] !== memory * filters) {
    context.unsupported(`state [${state.shape}] does not hold ${memory} x ${filters} values`);
  }
  output.shape = [batches, units];
  return {
    input,
    featureWeights,
    timeWeights,
    bias,
    state,
    output,
    batches,
    inputSize,
    filters,
    rank,
    units,
    memory,
  };
}

/** Shifts the whole state left by one value (each filter's newest slot is then rewritten). */
export function shiftState(state: { copyWithin(target: number, start: number): unknown }): void {
  state.copyWithin(0, 1);
}
