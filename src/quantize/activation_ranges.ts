/**
 * The ranges full integer quantization gives the activations, by calibration method: the
 * observed extremes (`minmax`), one method's choice from each histogram, or for `auto` the
 * candidates it chooses from: its choice per activation (`auto_calibration.ts`) and each
 * method's throughout.
 */
import type { Model } from "../format/ir.ts";
import { autoRanges } from "./auto_calibration.ts";
import type { Calibration, Range } from "./calibrate.ts";
import { chooseRange, type RangeMethod } from "./calibration_methods.ts";
import type { Scheme } from "./integer_scheme.ts";
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
 * graph), `calibrated` saying which ops calibration ran: one candidate, or for `auto` those to
 * choose from on the whole model's outputs (`minmax` first, then the per-activation choice, then
 * each method's ranges throughout).
 */
export async function rangeCandidates(
  model: Model,
  calibrated: boolean[],
  calibration: Calibration,
  scheme: Scheme,
  method: CalibrationMethod,
  percentile = DEFAULT_PERCENTILE,
  inputShapes?: number[][],
): Promise<RangeCandidate[]> {
  const rangesOf = (method: RangeMethod) =>
    method === "minmax" ? calibration.ranges : new Map(
      [...calibration.histograms].map((
        [index, histogram],
      ) => [index, chooseRange(histogram, method, scheme, percentile)]),
    );
  if (method !== "auto") return [{ label: method, ranges: rangesOf(method) }];
  const perActivation = await autoRanges(
    model,
    calibrated,
    calibration,
    scheme,
    percentile,
    inputShapes,
  );
  const counts = Object.entries(perActivation.chosen).filter(([, count]) => count > 0)
    .map(([name, count]) => `${name} ${count}`);
  return [
    { label: "minmax", ranges: calibration.ranges },
    { label: `per activation (${counts.join(", ")})`, ranges: perActivation.ranges },
    ...(["percentile", "mse", "entropy"] as const).map((method) => ({
      label: method,
      ranges: rangesOf(method),
    })),
  ];
}
