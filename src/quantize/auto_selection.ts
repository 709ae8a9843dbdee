/**
 * The last step of `auto` calibration: of its candidate range sets (`minmax` first), the one
 * whose quantized model's outputs are closest to the float model's on the calibration samples
 * it kept (mean output SQNR) among those that beat `minmax` robustly: still above it with any one
 * of those samples left out. A candidate whose lead comes from one sample (a tiny output whose
 * SQNR swings from sample to sample) does not carry over to other samples, so `minmax` stands
 * unless a candidate wins that way. When liteq cannot run the whole model (an op it has no kernel
 * for), `minmax` stands too.
 */
import type { Model } from "../format/ir.ts";
import { UnsupportedModelError } from "../runtime/errors.ts";
import type { RangeCandidate } from "./activation_ranges.ts";
import type { Range } from "./calibrate.ts";
import { sqnrDb } from "./debug/error_stats.ts";
import { modelOutputs, type RunOptions } from "./sqnr.ts";

/** A quantized model built from one candidate, with what its build reports. */
export interface Built<T> {
  model: Model;
  extra: T;
}

/** Per model output, the summed squares over each sample's values: `[output][sample]`. */
export type SampleEnergies = Float64Array[];

/** Per output and sample, the summed squares of `values` (or of `values - reference`). */
function sampleEnergies(
  values: Float64Array[],
  samples: number,
  reference?: Float64Array[],
): SampleEnergies {
  return values.map((output, position) => {
    const size = output.length / samples;
    const energies = new Float64Array(samples);
    for (let index = 0; index < output.length; index++) {
      const value = output[index] - (reference?.[position][index] ?? 0);
      energies[Math.floor(index / size)] += value * value;
    }
    return energies;
  });
}

/**
 * The mean over the outputs of their SQNR in dB (each within ±`MAX_SQNR_DB`, so that an exact
 * output does not swamp the others) over every sample but `leftOut` (-1: every sample).
 */
export function meanSqnr(signal: SampleEnergies, noise: SampleEnergies, leftOut = -1): number {
  const total = (energies: Float64Array) =>
    energies.reduce((sum, value, sample) => sample === leftOut ? sum : sum + value, 0);
  const perOutput = signal.map((energies, output) => sqnrDb(total(energies), total(noise[output])));
  return perOutput.reduce((sum, value) => sum + value, 0) / perOutput.length;
}

/**
 * The least lead in mean output SQNR (dB) of the model with per-sample errors `noise` over the
 * one with `baseline`, over every set of samples with one left out (over all of them when there
 * is one sample only): above 0 when the lead does not hang on any one sample.
 */
export function worstLead(
  signal: SampleEnergies,
  noise: SampleEnergies,
  baseline: SampleEnergies,
): number {
  const count = signal[0]?.length ?? 0;
  const leftOut = count > 1 ? Array.from({ length: count }, (_, sample) => sample) : [-1];
  return Math.min(
    ...leftOut.map((sample) =>
      meanSqnr(signal, noise, sample) - meanSqnr(signal, baseline, sample)
    ),
  );
}

/**
 * Builds the quantized model of each candidate with `build` and returns the best one that beats
 * the first (`minmax`) robustly, or the first (and the candidate it was built from), with a note
 * for the report saying what was measured.
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
  const signal = sampleEnergies(expected, samples.length);
  let baseline: SampleEnergies | null = null;
  let best: { built: Built<T>; decibels: number; chosen: RangeCandidate } | null = null;
  const measured = [];
  const robust = [];
  for (const [position, candidate] of candidates.entries()) {
    const built = build(candidate.ranges);
    const actual = await modelOutputs(built.model, samples, run);
    const noise = sampleEnergies(actual, samples.length, expected);
    const decibels = meanSqnr(signal, noise);
    measured.push(`${candidate.label} ${decibels.toFixed(2)} dB`);
    baseline ??= noise;
    const robustLead = position > 0 && worstLead(signal, noise, baseline) > 0;
    if (robustLead) robust.push(candidate.label);
    if ((position === 0 || robustLead) && (!best || decibels > best.decibels)) {
      best = { built, decibels, chosen: candidate };
    }
  }
  return {
    built: best!.built,
    chosen: best!.chosen,
    note: `calibration auto: ${best!.chosen.label} kept; mean output SQNR on ${samples.length} ` +
      `calibration samples: ${measured.join(", ")}; above minmax with any one sample left out: ` +
      (robust.length > 0 ? robust.join("; ") : "none"),
  };
}
