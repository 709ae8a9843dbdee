/**
 * The last step of `auto` calibration: of its candidate range sets (`minmax` first), the one
 * whose quantized model's outputs are closest to the float model's on the calibration samples
 * it kept (mean output SQNR), `minmax` winning ties, so that `auto` is never worse than `minmax`
 * there by construction. When liteq cannot run the whole model (an op it has no kernel for),
 * `minmax` stands.
 */
import type { Model } from "../format/ir.ts";
import { UnsupportedModelError } from "../runtime/errors.ts";
import type { RangeCandidate } from "./activation_ranges.ts";
import type { Range } from "./calibrate.ts";
import { boundedSqnr } from "./debug/error_stats.ts";
import { modelOutputs, type RunOptions, sqnrAgainst } from "./sqnr.ts";

/** A quantized model built from one candidate, with what its build reports. */
export interface Built<T> {
  model: Model;
  extra: T;
}

/**
 * Builds the quantized model of each candidate with `build` and returns the best one (and the
 * candidate it was built from), with a note for the report saying what was measured. Outputs
 * count in the mean within ±`MAX_SQNR_DB` (an exact one would swamp the others).
 */
export async function bestCandidate<T>(
  float: Model,
  candidates: RangeCandidate[],
  build: (ranges: Map<number, Range>) => Built<T>,
  samples: ArrayLike<number>[][],
  run: RunOptions = {},
): Promise<{ built: Built<T>; chosen: RangeCandidate; note: string }> {
  let expected: Float64Array[];
  try {
    expected = await modelOutputs(float, samples, run);
  } catch (error) {
    if (!(error instanceof UnsupportedModelError)) throw error;
    return {
      built: build(candidates[0].ranges),
      chosen: candidates[0],
      note: `calibration auto: ${candidates[0].label} kept; liteq cannot run the whole model ` +
        "to compare the candidates",
    };
  }
  let best: { built: Built<T>; decibels: number; chosen: RangeCandidate } | null = null;
  const measured = [];
  for (const candidate of candidates) {
    const built = build(candidate.ranges);
    const values = await sqnrAgainst(expected, built.model, samples, run);
    const decibels = values.reduce((sum, value) => sum + boundedSqnr(value), 0) / values.length;
    measured.push(`${candidate.label} ${decibels.toFixed(2)} dB`);
    if (!best || decibels > best.decibels) best = { built, decibels, chosen: candidate };
  }
  return {
    built: best!.built,
    chosen: best!.chosen,
    note: `calibration auto: ${best!.chosen.label} kept; mean output SQNR on ${samples.length} ` +
      `calibration samples: ${measured.join(", ")}`,
  };
}
