/**
 * Post-training quantization of a float model: the entry point. Checks the request, copies the
 * model (float16 constants widened to float32) and hands it to the mode's rewrite; the input
 * model is never changed.
 */
import type { Model } from "../format/ir.ts";
import { QuantizeError } from "./errors.ts";
import { quantizeDynamicRange } from "./dynamic_range.ts";
import { quantizeFloat16 } from "./float16.ts";
import { quantizeFullInteger } from "./full_integer.ts";
import { cloneModel, pruneModel } from "./graph.ts";
import {
  CALIBRATION_METHODS,
  FALLBACK_ARITHMETICS,
  type QuantizeOptions,
  type QuantizeReport,
} from "./options.ts";
import { widenFloat16Constants } from "./widen_float16.ts";

const MODES = ["float16", "dynamicRange", "int8", "int16x8"];
const QUANTIZED_TYPES = new Set(["int8", "uint8", "int16", "float16", "int4", "bfloat16"]);

/** Throws when the options contradict each other or the mode. */
function checkOptions(options: QuantizeOptions): void {
  if (!MODES.includes(options.mode)) {
    throw new QuantizeError(`mode "${options.mode}" is not one of ${MODES.join(", ")}`);
  }
  const fullInteger = options.mode === "int8" || options.mode === "int16x8";
  if (fullInteger && !options.representativeDataset) {
    throw new QuantizeError(`mode ${options.mode} needs a representativeDataset to calibrate`);
  }
  if (!fullInteger && options.representativeDataset) {
    throw new QuantizeError(`mode ${options.mode} takes no representativeDataset`);
  }
  for (const key of ["inputType", "outputType"] as const) {
    const type = options[key];
    if (type === undefined || type === "float32") continue;
    if (options.mode !== "int8") {
      throw new QuantizeError(`${key} ${type} needs mode int8 (this is ${options.mode})`);
    }
    if (type !== "int8" && type !== "uint8") {
      throw new QuantizeError(`${key} must be float32, int8 or uint8, not ${type}`);
    }
  }
  const minimum = options.minWeightElements;
  if (minimum !== undefined && !(Number.isInteger(minimum) && minimum >= 0)) {
    throw new QuantizeError(`minWeightElements must be a whole number >= 0, not ${minimum}`);
  }
  const method = options.calibration;
  if (method !== undefined) {
    if (!CALIBRATION_METHODS.includes(method)) {
      throw new QuantizeError(
        `calibration "${method}" is not one of ${CALIBRATION_METHODS.join(", ")}`,
      );
    }
    if (!fullInteger) {
      throw new QuantizeError(`calibration ${method} needs mode int8 or int16x8`);
    }
  }
  if (options.percentile !== undefined) {
    if (method !== "percentile" && method !== "auto") {
      throw new QuantizeError(`percentile needs calibration "percentile" or "auto"`);
    }
    if (!(options.percentile > 50 && options.percentile <= 100)) {
      throw new QuantizeError(
        `percentile must be above 50 and at most 100, not ${options.percentile}`,
      );
    }
  }
  if (options.inputShapes && !fullInteger) {
    throw new QuantizeError(`inputShapes is for calibration: it needs mode int8 or int16x8`);
  }
  if (options.int8Only && !fullInteger) {
    throw new QuantizeError(`int8Only needs a full integer mode (this is ${options.mode})`);
  }
  checkFallbackOptions(options, fullInteger);
}

/** Throws when the automatic fallback's options contradict each other or the mode. */
function checkFallbackOptions(options: QuantizeOptions, fullInteger: boolean): void {
  const { accuracyBudget, minSqnr, evaluation } = options;
  if (accuracyBudget !== undefined && minSqnr !== undefined) {
    throw new QuantizeError("give accuracyBudget or minSqnr, not both");
  }
  const goal = accuracyBudget !== undefined
    ? "accuracyBudget"
    : minSqnr !== undefined
    ? "minSqnr"
    : null;
  if (goal && !fullInteger) {
    throw new QuantizeError(`${goal} needs mode int8 or int16x8 (this is ${options.mode})`);
  }
  if (accuracyBudget !== undefined && !(accuracyBudget >= 0)) {
    throw new QuantizeError(
      `accuracyBudget must be a number of top-1 points >= 0, not ${accuracyBudget}`,
    );
  }
  if (minSqnr !== undefined && !Number.isFinite(minSqnr)) {
    throw new QuantizeError(`minSqnr must be a finite number of dB, not ${minSqnr}`);
  }
  if (accuracyBudget !== undefined && !evaluation?.labels) {
    throw new QuantizeError("accuracyBudget needs evaluation data with labels");
  }
  if (evaluation && !goal) {
    throw new QuantizeError("evaluation is for accuracyBudget or minSqnr; neither is given");
  }
  const arithmetic = options.fallbackArithmetic;
  if (arithmetic !== undefined && !FALLBACK_ARITHMETICS.includes(arithmetic)) {
    throw new QuantizeError(
      `fallbackArithmetic must be one of ${FALLBACK_ARITHMETICS.join(", ")}, not ${arithmetic}`,
    );
  }
  if (arithmetic !== undefined && !goal) {
    throw new QuantizeError(
      "fallbackArithmetic is for accuracyBudget or minSqnr; neither is given",
    );
  }
  if (options.reportRanges && !fullInteger) {
    throw new QuantizeError(`reportRanges needs mode int8 or int16x8 (this is ${options.mode})`);
  }
}

/** Throws when the model has no subgraph, or already holds quantized tensors or quantize ops. */
function checkFloatModel(model: Model): void {
  if (model.subgraphs.length === 0) throw new QuantizeError("the model has no subgraphs");
  model.subgraphs.forEach((subgraph, subgraphIndex) => {
    const where = model.subgraphs.length > 1 ? `subgraph ${subgraphIndex}, ` : "";
    for (const tensor of subgraph.tensors) {
      if (QUANTIZED_TYPES.has(tensor.dtype)) {
        throw new QuantizeError(
          `the model is already quantized: ${where}tensor "${tensor.name}" is ${tensor.dtype}`,
        );
      }
    }
    const op = subgraph.operators.find((operator) =>
      operator.op === "QUANTIZE" || operator.op === "DEQUANTIZE"
    );
    if (op) throw new QuantizeError(`the model is already quantized: ${where}it has ${op.op} ops`);
  });
}

/**
 * Quantizes a float model; returns the new model and a report of what was quantized and what
 * was left float, with reasons. Throws `QuantizeError` naming the op, tensor or option at fault.
 */
export async function quantizeWithReport(
  model: Model,
  options: QuantizeOptions,
): Promise<{ model: Model; report: QuantizeReport }> {
  checkOptions(options);
  const copy = cloneModel(model);
  const kept = widenFloat16Constants(copy);
  checkFloatModel(copy);
  const report: QuantizeReport = {
    mode: options.mode,
    quantized: [],
    float: [],
    samples: 0,
    notes: [],
  };
  if (options.mode === "float16") quantizeFloat16(copy, options, report);
  else if (options.mode === "dynamicRange") quantizeDynamicRange(copy, options, report);
  else {
    await quantizeFullInteger(copy, options, report);
    pruneModel(copy);
  }
  if (kept) {
    for (const entry of [...report.quantized, ...report.float]) {
      entry.operator = kept[entry.subgraph ?? 0][entry.operator];
    }
    for (const layer of report.fallback?.layers ?? []) layer.operator = kept[0][layer.operator];
    report.notes.unshift(
      "float16 constants widened to float32 (their DEQUANTIZE and DENSIFY ops removed)",
    );
  }
  return { model: copy, report };
}

/** Quantizes a float model and returns the new model (see `quantizeWithReport`). */
export async function quantize(model: Model, options: QuantizeOptions): Promise<Model> {
  return (await quantizeWithReport(model, options)).model;
}
