/**
 * The automatic fallback of full integer quantization (`accuracyBudget`, `minSqnr`): quantize,
 * measure against the float model with the per-layer debugger (`compareModels`) in each integer
 * arithmetic the file must hold the goal in (TensorFlow Lite's reference kernels, XNNPACK's), and
 * while the goal is not met in every one, leave float the layer that costs most where it is
 * furthest from the goal (the SQNR it loses against its inputs'), re-measuring after each step;
 * then drop every kept layer the goal holds without, so that as few layers as the search finds
 * stay float, and measure what each one left buys.
 */
import type { Model } from "../format/ir.ts";
import type { NpyArray } from "../io/npy.ts";
import { UnsupportedModelError } from "../runtime/errors.ts";
import type { Arithmetic } from "../runtime/op.ts";
import type { KernelSources } from "../runtime/wasm.ts";
import { compareModels, type ModelComparison } from "./debug/compare.ts";
import { MAX_SQNR_DB } from "./debug/error_stats.ts";
import { QuantizeError } from "./errors.ts";
import { producersOf } from "./graph.ts";
import type { QuantizeReport } from "./options.ts";

/** How many calibration samples `minSqnr` measures on when no evaluation data is given. */
export const FALLBACK_SAMPLES = 100;

/** How many of the costliest layers a step tries when the first does not help. */
const TRIES_PER_STEP = 3;

/** What the fallback aims for, and on which samples. */
export interface FallbackGoal {
  goal: "accuracyBudget" | "minSqnr";
  target: number;
  data: NpyArray[];
  labels?: NpyArray;
  inputShapes?: number[][];
  wasm?: KernelSources;
  /** The integer arithmetics the goal must hold in, each measured (`fallbackArithmetic`). */
  arithmetics: Arithmetic[];
}

/** A quantized model built with some operators kept float, and what its build reports. */
export interface FallbackBuild<T> {
  model: Model;
  extra: T;
}

/** A build measured in one arithmetic. */
interface Measurement {
  /** Top-1 (0 to 1) or the lowest output SQNR. */
  measure: number;
  /** The mean output SQNR, which breaks ties of `measure`. */
  meanSqnr: number;
  met: boolean;
  comparison: ModelComparison;
}

/** One build measured in every arithmetic of the goal: the lowest of them, and each. */
interface Trial<T> extends Measurement {
  kept: Map<number, string>;
  built: FallbackBuild<T>;
  /** The measure in each arithmetic of the goal, in its order. */
  measures: number[];
}

/** Stacks per-input samples (as calibration keeps them) into one array per input. */
export function stackSamples(samples: ArrayLike<number>[][]): NpyArray[] {
  return samples[0].map((first, input) => {
    const data = new Float32Array(samples.length * first.length);
    samples.forEach((sample, position) => data.set(sample[input], position * first.length));
    return { dtype: "float32", shape: [samples.length, first.length], data };
  });
}

/** Whether trial `a` is closer to the goal than `b`: its measure, then its mean output SQNR. */
function better<T>(a: Trial<T>, b: Trial<T>): boolean {
  if (Math.abs(a.measure - b.measure) > 1e-9) return a.measure > b.measure;
  return a.meanSqnr > b.meanSqnr + 1e-9;
}

/**
 * The integer layers of a measured build, costliest first: by the SQNR a layer loses against the
 * lowest of its inputs' (a model input counts as exact), as operator indices of `float`.
 */
function costliestLayers(float: Model, comparison: ModelComparison): number[] {
  const subgraph = float.subgraphs[0];
  const indexOf = new Map(subgraph.tensors.map((tensor, index) => [tensor.name, index]));
  const producers = producersOf(subgraph);
  const sqnrOf = new Map<number, number>();
  for (const layer of comparison.layers) {
    const tensor = indexOf.get(layer.floatTensor);
    if (tensor !== undefined && !sqnrOf.has(tensor)) sqnrOf.set(tensor, layer.sqnr);
  }
  const costs = new Map<number, number>();
  for (const layer of comparison.layers) {
    if (layer.storage !== "integer") continue;
    const operator = producers.get(indexOf.get(layer.floatTensor) ?? -1);
    if (operator === undefined) continue;
    const inputs = subgraph.operators[operator].inputs.map((input) =>
      sqnrOf.get(input) ?? MAX_SQNR_DB
    );
    const cost = Math.min(MAX_SQNR_DB, ...inputs) - layer.sqnr;
    costs.set(operator, Math.max(costs.get(operator) ?? -Infinity, cost));
  }
  return [...costs.keys()].sort((a, b) => costs.get(b)! - costs.get(a)!);
}

/** A measure as the report prints it: top-1 in percent or dB. */
function describeMeasure(goal: FallbackGoal, value: number): string {
  return goal.goal === "accuracyBudget"
    ? `top-1 ${(100 * value).toFixed(2)}%`
    : `${value.toFixed(1)} dB at the lowest output`;
}

/** " in the X arithmetic" where the arithmetics measured differ on a trial's measure, else "". */
function inArithmetic<T>(goal: FallbackGoal, trial: Trial<T>): string {
  if (trial.measures.every((measure) => measure === trial.measure)) return "";
  return ` in the ${goal.arithmetics[trial.measures.indexOf(trial.measure)]} arithmetic`;
}

/**
 * Builds the quantized model with `build` (given the operators of `float` to keep float, with
 * the reason) and leaves layers float until `goal` holds. `floatable` lists every operator that
 * could be kept float (integer in the plain build). Returns the final build and the report's
 * `fallback` entry (operator indices of `float`).
 * @throws QuantizeError when the goal does not hold even with every one of them float
 */
export async function fallBackUntilMet<T>(
  float: Model,
  floatable: number[],
  build: (kept: ReadonlyMap<number, string>) => FallbackBuild<T>,
  goal: FallbackGoal,
): Promise<{ built: FallbackBuild<T>; summary: NonNullable<QuantizeReport["fallback"]> }> {
  const reason = `kept float by the automatic fallback (${goal.goal} ${goal.target})`;
  let floatTop1: number | null = null;
  const measureIn = async (model: Model, arithmetic: Arithmetic): Promise<Measurement> => {
    let comparison: ModelComparison;
    try {
      comparison = await compareModels(float, model, goal.data, {
        labels: goal.labels,
        inputShapes: goal.inputShapes,
        wasm: goal.wasm,
        arithmetic,
        histogramLayers: 0,
      });
    } catch (error) {
      if (!(error instanceof UnsupportedModelError)) throw error;
      throw new QuantizeError(
        `${goal.goal} measures the models in liteq's interpreter, which cannot run the ` +
          `${error.message}`,
        { cause: error },
      );
    }
    const outputs = comparison.outputs.map((output) => output.sqnr);
    const meanSqnr = outputs.reduce((sum, value) => sum + value, 0) / outputs.length;
    if (goal.goal === "accuracyBudget") {
      const { float: floatAccuracy, quantized } = comparison.top1!;
      floatTop1 = floatAccuracy;
      const met = (floatAccuracy - quantized) * 100 <= goal.target + 1e-9;
      return { measure: quantized, meanSqnr, met, comparison };
    }
    const lowest = Math.min(...outputs);
    return { measure: lowest, meanSqnr, met: lowest >= goal.target, comparison };
  };
  // The goal holds where it holds in every arithmetic; the furthest from it ranks the layers.
  const measureOf = async (kept: Map<number, string>): Promise<Trial<T>> => {
    const built = build(kept);
    const measured: Measurement[] = [];
    for (const arithmetic of goal.arithmetics) {
      measured.push(await measureIn(built.model, arithmetic));
    }
    const worst = measured.reduce((low, next) => next.measure < low.measure ? next : low);
    return {
      ...worst,
      kept,
      built,
      meanSqnr: Math.min(...measured.map((measurement) => measurement.meanSqnr)),
      met: measured.every((measurement) => measurement.met),
      measures: measured.map((measurement) => measurement.measure),
    };
  };
  const plain = await measureOf(new Map());
  let current = plain;
  const everything = new Map(floatable.map((index) => [index, reason]));
  if (!current.met) {
    const allFloat = await measureOf(everything);
    if (!allFloat.met) {
      throw new QuantizeError(
        `${goal.goal} ${goal.target} cannot be met: with every op float ` +
          `${describeMeasure(goal, allFloat.measure)}` + inArithmetic(goal, allFloat) +
          (floatTop1 === null
            ? ""
            : ` against the float model's ${(100 * floatTop1).toFixed(2)}%`) +
          ` on ${allFloat.comparison.samples} samples`,
      );
    }
  }
  while (!current.met) {
    const ranked = costliestLayers(float, current.comparison)
      .filter((operator) => !current.kept.has(operator));
    if (ranked.length === 0) {
      // Nothing measured is left to try: the rest float too (the goal holds then).
      current = await measureOf(everything);
      break;
    }
    let best: Trial<T> | null = null;
    for (const operator of ranked.slice(0, TRIES_PER_STEP)) {
      const trial = await measureOf(new Map([...current.kept, [operator, reason]]));
      if (!best || better(trial, best)) best = trial;
      if (better(trial, current)) break;
    }
    current = best!;
  }
  // Drop what the goal holds without; the last full pass measures what each kept layer buys.
  const bought = new Map<number, number>();
  for (let dropped = true; dropped;) {
    dropped = false;
    bought.clear();
    for (const operator of current.kept.keys()) {
      const without = new Map(current.kept);
      without.delete(operator);
      const trial = await measureOf(without);
      if (trial.met) {
        current = trial;
        dropped = true;
        break;
      }
      bought.set(operator, current.measure - trial.measure);
    }
  }
  const scale = goal.goal === "accuracyBudget" ? 100 : 1;
  const unit = goal.goal === "accuracyBudget" ? "top-1 points" : "dB";
  const kept = new Map(
    [...current.kept.keys()].map((operator) => [
      operator,
      `${reason}: it buys ${(scale * bought.get(operator)!).toFixed(2)} ${unit}`,
    ]),
  );
  const subgraph = float.subgraphs[0];
  return {
    built: kept.size > 0 ? build(kept) : current.built,
    summary: {
      goal: goal.goal,
      target: goal.target,
      samples: current.comparison.samples,
      floatTop1,
      before: plain.measure,
      after: current.measure,
      arithmetics: goal.arithmetics.map((arithmetic, position) => ({
        arithmetic,
        before: plain.measures[position],
        after: current.measures[position],
      })),
      layers: [...kept.keys()].sort((a, b) => a - b).map((operator) => ({
        operator,
        op: subgraph.operators[operator].op,
        tensor: subgraph.tensors[subgraph.operators[operator].outputs[0]].name,
        bought: scale * bought.get(operator)!,
      })),
    },
  };
}
