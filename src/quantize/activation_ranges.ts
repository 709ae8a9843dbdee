/**
 * The ranges full integer quantization gives the activations, by calibration method: the
 * observed extremes (`minmax`), one method's choice from each histogram, or for `auto` the
 * candidates it chooses from: its choice per activation (`auto_calibration.ts`), each method's
 * throughout and, for int8 LSTMs with projection, `minmax` with their hidden states zero-centred.
 */
import type { Model } from "../format/ir.ts";
import { type AutoContext, autoRanges } from "./auto_calibration.ts";
import type { Calibration, Range } from "./calibrate.ts";
import { chooseRange, type RangeMethod } from "./calibration_methods.ts";
import { zeroCentredLstmHidden } from "./integer_lstm.ts";
import type { CalibrationMethod } from "./options.ts";

/** The default of `QuantizeOptions.percentile`. */
export const DEFAULT_PERCENTILE = 99.99;

/** How many of the first calibration samples `auto` measures its candidates on. */
export const AUTO_SAMPLES = 32;

/** A set of activation ranges by tensor index, and what chose them. */
export interface RangeCandidate {
  label: string;
  ranges: Map<number, Range>;
}

/**
 * The ranges `method` gives the calibrated activations of subgraph 0 of `model` (the float
 * graph): one candidate, or for `auto` those to choose from on the whole model's outputs
 * (`minmax` first, then `minmax` with the hidden states of int8 LSTMs with projection zero-centred
 * (`integer_lstm.ts`), the per-activation choices, each method's ranges throughout; each
 * distinct set once). `context` says how the rewrite will quantize (`auto` measures with it).
 */
export async function rangeCandidates(
  model: Model,
  calibration: Calibration,
  method: CalibrationMethod,
  context: AutoContext,
): Promise<RangeCandidate[]> {
  const { scheme, percentile } = context;
  const rangesOf = (method: RangeMethod) =>
    method === "minmax" ? calibration.ranges : new Map(
      [...calibration.histograms].map((
        [index, histogram],
      ) => [index, chooseRange(histogram, method, scheme, percentile)]),
    );
  if (method !== "auto") return [{ label: method, ranges: rangesOf(method) }];
  const perActivation = await autoRanges(model, calibration, context);
  const uniform = (["percentile", "mse", "entropy"] as const).map((method) => ({
    label: method,
    ranges: rangesOf(method),
  }));
  const centred = scheme.dtype === "int8"
    ? zeroCentredLstmHidden(model.subgraphs[0], calibration.ranges)
    : null;
  const all = [
    { label: "minmax", ranges: calibration.ranges },
    ...(centred ? [{ label: "minmax with zero-centred LSTM hidden states", ranges: centred }] : []),
    ...perActivation,
    ...uniform,
  ];
  // A choice equal to one before it is measured once.
  return all.filter((candidate, position) =>
    !all.slice(0, position).some((earlier) => sameRanges(earlier.ranges, candidate.ranges))
  );
}

/** Whether two range sets are equal. */
function sameRanges(a: Map<number, Range>, b: Map<number, Range>): boolean {
  return a.size === b.size &&
    [...a].every(([index, range]) =>
      b.get(index)?.min === range.min && b.get(index)?.max === range.max
    );
}
