/**
 * The last step of `auto` calibration: of its candidate range sets (`minmax` first), the one
 * whose quantized model's outputs are closest to the float model's on the calibration samples
 * it kept (mean output SQNR), `minmax` winning ties, so that `auto` is never worse than `minmax`
 * there by construction. When liteq cannot run the whole model (an op it has no kernel for), `minmax` stands.
 */
import type { Model } from "../format/ir.ts";
import { UnsupportedModelError } from "../runtime/errors.ts";
import type { RangeCandidate } from "./activation_ranges.ts";
import type { Range } from "./calibrate.ts";
import { modelOutputs, sqnrAgainst } from "./sqnr.ts";

/** The SQNR an exact output counts for in the mean (infinity would swamp the others). */
const EXACT_DECIBELS = 200;

/** A quantized model built from one candidate, with what its build reports. */
export interface Built<T> {
  model: Model;
  extra: T;
}

/**
 * Builds the quantized model of each candidate with `build` and returns the best one, with a
 * note for the report saying what was measured.
 */
export async function bestCandidate<T>(
  float: Model,
  candidates: RangeCandidate[],
  build: (ranges: Map<number, Range>) => Built<T>,
  samples: ArrayLike<number>[][],
  inputShapes?: number[][],
): Promise<{ built: Built<T>; note: string }> {
  let expected: Float64Array[];
  try {
    expected = await modelOutputs(float, samples, inputShapes);
  } catch (error) {
    if (!(error instanceof UnsupportedModelError)) throw error;
    return {
      built: build(candidates[0].ranges),
      note: `calibration auto: ${candidates[0].label} kept; liteq cannot run the whole model ` +
        "to compare the candidates",
    };
  }
  let best: { built: Built<T>; decibels: number; label: string } | null = null;
  const measured = [];
  for (const candidate of candidates) {
    const built = build(candidate.ranges);
    const values = await sqnrAgainst(expected, built.model, samples, inputShapes);
    const decibels = values.reduce((sum, value) => sum + Math.min(value, EXACT_DECIBELS), 0) /
      values.length;
    measured.push(`${candidate.label} ${decibels.toFixed(2)} dB`);
    if (!best || decibels > best.decibels) best = { built, decibels, label: candidate.label };
  }
  return {
    built: best!.built,
    note: `calibration auto: ${best!.label} kept; mean output SQNR on ${samples.length} ` +
      `calibration samples: ${measured.join(", ")}`,
  };
}
