/**
 * Full integer quantization (int8, and 16x8: int16 activations with int8 weights), following the
 * TFLite quantization spec as TensorFlow's converter applies it:
 * - activations: int8 asymmetric per tensor, or int16 symmetric (`integer_scheme.ts`);
 * - weights: int8 symmetric in [-127, 127], per output channel (CONV_2D and FULLY_CONNECTED
 *   axis 0, DEPTHWISE_CONV_2D axis 3) unless `perChannel` is false;
 * - biases: int32 (int64 in 16x8) at input scale x weight scale, zero point 0;
 * - op constraints: SOFTMAX and LOGISTIC output 1/256 with zero point -128 (int16: 1/32768, 0),
 *   TANH 1/128 with 0 (int16: 1/32768, 0); pooling, reshapes, padding, slicing, transposes and
 *   the like keep their input's parameters (PADV2's padding value is stored at them too);
 *   CONCATENATION, PACK, MAXIMUM and MINIMUM share one range over inputs and output, an input
 *   with other parameters (a LOGISTIC's output, say) requantized to it (`integer_ops.ts`);
 * - QUANTIZE where float tensors enter integer ops (and at float model inputs), DEQUANTIZE where
 *   integer tensors reach float ops or float model outputs; int8 or uint8 model inputs and
 *   outputs on request (uint8 through a QUANTIZE that shifts the zero point by 128).
 * Ops without an integer form stay float32 between QUANTIZE/DEQUANTIZE pairs, or are refused
 * all together under `int8Only`.
 *
 * The phases: the fallback plan on the float graph (`fallback_plan.ts`), calibration
 * (`calibrate.ts`), TensorFlow's adjustments of the ranges (`in_place_ranges.ts`,
 * `shared_ranges.ts`), then the rewrite (`integer_rewrite.ts`, over `integer_tensors.ts` and
 * `integer_constants.ts`); with `accuracyBudget` or `minSqnr`, the rewrite is repeated with the
 * layers the automatic fallback keeps float (`accuracy_fallback.ts`), on the same calibration.
 */
import type { Model, Subgraph } from "../format/ir.ts";
import {
  FALLBACK_SAMPLES,
  type FallbackGoal,
  fallBackUntilMet,
  stackSamples,
} from "./accuracy_fallback.ts";
import { AUTO_SAMPLES, DEFAULT_PERCENTILE, rangeCandidates } from "./activation_ranges.ts";
import { bestCandidate } from "./auto_selection.ts";
import { calibrate, type Calibration, type Range } from "./calibrate.ts";
import { chooseRange, RANGE_METHODS } from "./calibration_methods.ts";
import type { ClipRange } from "./debug/histogram.ts";
import { type FallbackPlan, planFallback, refuseFloatOps } from "./fallback_plan.ts";
import { cloneModel, describeOperator, isFloatConstant, pruneModel } from "./graph.ts";
import { addLstmIntermediates } from "./integer_lstm.ts";
import { INTEGER_OPS } from "./integer_ops.ts";
import { widenInPlaceInputs } from "./in_place_ranges.ts";
import { rewriteToInteger } from "./integer_rewrite.ts";
import { type Scheme, schemeOf } from "./integer_scheme.ts";
import { IntegerTensors } from "./integer_tensors.ts";
import type { QuantizeOptions, QuantizeReport } from "./options.ts";
import { shareRanges } from "./shared_ranges.ts";
import { finiteValues, numericValues } from "./weights.ts";

/**
 * Refuses, before calibration, the constants of the ops that become integer that cannot be
 * quantized: weights and biases must be finite, other constants may be infinite (a clip bound)
 * but not NaN. The message then names the constant and its op rather than the NaN it would
 * spread through calibration.
 */
function checkIntegerConstants(subgraph: Subgraph, plan: FallbackPlan): void {
  subgraph.operators.forEach((operator, index) => {
    const spec = INTEGER_OPS[operator.op];
    if (!plan.touchesFloat[index] || plan.floatReasons[index] || !spec) return;
    const where = describeOperator(subgraph, index);
    operator.inputs.forEach((input, position) => {
      const tensor = subgraph.tensors[input];
      if (input < 0 || !isFloatConstant(tensor)) return;
      const weightsOrBias = position === spec.weights?.position || position === spec.bias;
      if (weightsOrBias) finiteValues(tensor, where);
      else numericValues(tensor, where);
    });
  });
}

/** The automatic fallback's goal from the options, or null when none is asked for. */
function fallbackGoal(
  options: QuantizeOptions,
  kept: ArrayLike<number>[][],
): FallbackGoal | null {
  const goal = options.accuracyBudget !== undefined
    ? "accuracyBudget"
    : options.minSqnr !== undefined
    ? "minSqnr"
    : null;
  if (!goal) return null;
  return {
    goal,
    target: options[goal]!,
    data: options.evaluation?.data ?? stackSamples(kept),
    labels: options.evaluation?.labels,
    inputShapes: options.inputShapes,
    wasm: options.wasm,
    arithmetics:
      options.fallbackArithmetic === "reference" || options.fallbackArithmetic === "xnnpack"
        ? [options.fallbackArithmetic]
        : ["reference", "xnnpack"],
  };
}

/** For `reportRanges`: each calibrated activation's range under every method, and the one used. */
function methodRanges(
  subgraph: Subgraph,
  calibration: Calibration,
  scheme: Scheme,
  percentile: number,
  used: Map<number, Range>,
): Record<string, ClipRange[]> {
  const ranges: Record<string, ClipRange[]> = {};
  for (const [index, histogram] of calibration.histograms) {
    const clip = (method: string, range: Range) => ({ method, low: range.min, high: range.max });
    ranges[subgraph.tensors[index].name] = [
      ...RANGE_METHODS.map((method) =>
        clip(method, chooseRange(histogram, method, scheme, percentile))
      ),
      clip("used", used.get(index) ?? calibration.ranges.get(index)!),
    ];
  }
  return ranges;
}

/** Rewrites `model` (a copy of a float model) for full integer inference; fills `report`. */
export async function quantizeFullInteger(
  model: Model,
  options: QuantizeOptions,
  report: QuantizeReport,
): Promise<void> {
  const scheme = schemeOf(options.mode);
  const float = cloneModel(model);
  const subgraph = float.subgraphs[0];
  const denied = new Set(options.denylist ?? []);
  // Decided on the float graph, before the rewrite turns tensors integer.
  const plan = planFallback(subgraph, scheme.dtype, denied);
  if (options.int8Only) refuseFloatOps(subgraph, plan);
  checkIntegerConstants(subgraph, plan);
  subgraph.operators.forEach((operator, index) => {
    if (plan.touchesFloat[index] && !plan.floatReasons[index]) {
      addLstmIntermediates(subgraph, operator);
    }
  });
  const method = options.calibration ?? "minmax";
  const wantsFallback = options.accuracyBudget !== undefined || options.minSqnr !== undefined;
  const calibration = await calibrate(float, options.representativeDataset!, {
    inputShapes: options.inputShapes,
    calibrated: plan.calibrated,
    onProgress: options.onProgress,
    histograms: method !== "minmax" || options.reportRanges === true,
    keepSamples: Math.max(
      method === "auto" ? AUTO_SAMPLES : 0,
      wantsFallback && !options.evaluation ? FALLBACK_SAMPLES : 0,
    ),
    wasm: options.wasm,
    threads: options.threads,
  });
  report.samples = calibration.samples;
  if (float.subgraphs.length > 1) {
    const others = float.subgraphs.map((_, index) => index).slice(1);
    report.notes.push(
      `subgraph${others.length === 1 ? "" : "s"} ${others.join(", ")} stay${
        others.length === 1 ? "s" : ""
      } float: ` +
        "liteq quantizes the main subgraph (0) only; the ops there that run other subgraphs " +
        "(control flow) stay float, with the ops that depend on them",
    );
  }
  const adjusted = (ranges: Map<number, Range>, floatReasons = plan.floatReasons) => {
    const copy = new Map(ranges);
    widenInPlaceInputs(subgraph, copy, calibration.shapes);
    shareRanges(subgraph, copy, floatReasons);
    return copy;
  };
  const run = { inputShapes: options.inputShapes, wasm: options.wasm, threads: options.threads };
  // auto measures on its own first samples, however many more the fallback kept.
  const autoSamples = calibration.kept.slice(0, AUTO_SAMPLES);
  const candidates = await rangeCandidates(float, { ...calibration, kept: autoSamples }, method, {
    scheme,
    plan,
    adjusted: (ranges) => adjusted(ranges),
    percentile: options.percentile ?? DEFAULT_PERCENTILE,
    run,
  });
  /** The quantized model for `ranges`, with the operators in `kept` float too. */
  const build = (ranges: Map<number, Range>, kept: ReadonlyMap<number, string> = new Map()) => {
    const keptPlan = kept.size > 0 ? planFallback(subgraph, scheme.dtype, denied, kept) : plan;
    const target = cloneModel(float);
    const into: QuantizeReport = { ...report, quantized: [], float: [], notes: [] };
    const tensors = new IntegerTensors(target, scheme, adjusted(ranges, keptPlan.floatReasons));
    rewriteToInteger(tensors, keptPlan, options, into);
    pruneModel(target);
    return { model: target, extra: into };
  };
  let chosen = candidates[0];
  let built = null;
  if (candidates.length > 1) {
    const best = await bestCandidate(float, candidates, build, autoSamples, run);
    ({ chosen, built } = best);
    report.notes.push(best.note);
  } else if (method !== "minmax") {
    report.notes.push(`calibration ${method}`);
  }
  const goal = fallbackGoal(options, calibration.kept);
  if (goal) {
    const floatable = plan.floatReasons.flatMap((reason, index) =>
      plan.touchesFloat[index] && !reason ? [index] : []
    );
    const fallback = await fallBackUntilMet(
      float,
      floatable,
      (kept) => build(chosen.ranges, kept),
      goal,
    );
    built = fallback.built;
    report.fallback = fallback.summary;
  }
  built ??= build(chosen.ranges);
  Object.assign(model, built.model);
  report.quantized.push(...built.extra.quantized);
  report.float.push(...built.extra.float);
  if (options.reportRanges) {
    report.ranges = methodRanges(
      subgraph,
      calibration,
      scheme,
      options.percentile ?? DEFAULT_PERCENTILE,
      chosen.ranges,
    );
  }
}
