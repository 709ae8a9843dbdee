/**
 * `liteq convert IN OUT --mode float|f16|dynamic|int8|int16x8 [--calibration X.npy]
 * [--calibration-method minmax|percentile|mse|entropy|auto] [--percentile 99.99]
 * [--input-shape 1,1760 ...] [--io float|int8|uint8] [--int8-only]
 * [--accuracy-budget 0.5 | --min-sqnr 30] [--eval-data X.npy --eval-labels Y.npy]
 * [--fallback-arithmetic both|reference|xnnpack] [--html report.html] [--json] [--threads N]`:
 * quantizes IN into OUT (written whole or not at all; calibration on N threads), with a progress
 * bar on stderr while calibrating, then sizes, what was quantized, what the automatic fallback
 * kept float (measured in the arithmetics `--fallback-arithmetic` names, both by default), and
 * notes; `--html` writes the conversion's report page.
 */
import { ModelFormatError } from "../format/errors.ts";
import { writeModel } from "../format/writer.ts";
import { FileError, readBytes, writeBytesAtomic } from "../io/files.ts";
import { NpyFormatError, parseNpy } from "../io/npy.ts";
import { QuantizeError } from "../quantize/errors.ts";
import {
  CALIBRATION_METHODS,
  type CalibrationMethod,
  FALLBACK_ARITHMETICS,
  type FallbackArithmetic,
  type QuantizeMode,
  type QuantizeReport,
  type Sample,
} from "../quantize/options.ts";
import { quantizeWithReport } from "../quantize/quantize.ts";
import { basename } from "node:path";
import type { NpyArray } from "../io/npy.ts";
import { compareModels } from "../quantize/debug/compare.ts";
import { comparisonReportHtml } from "../quantize/debug/report_html.ts";
import { SampleError } from "../runtime/samples.ts";
import { parseArguments, parseInputShapes, UsageError } from "./arguments.ts";
import { loadNpy } from "./evaluate.ts";
import { loadModel, refuseOverwritingInputs, threadsFlag } from "./load.ts";
import { ProgressBar } from "./progress.ts";

const MODES: Record<string, QuantizeMode | null> = {
  float: null,
  f16: "float16",
  dynamic: "dynamicRange",
  int8: "int8",
  int16x8: "int16x8",
};

/** Stacked samples from a .npy file, one per leading index. */
async function calibrationSamples(path: string): Promise<Sample[]> {
  let array;
  try {
    array = parseNpy(await readBytes(path));
  } catch (error) {
    if (error instanceof NpyFormatError) throw new FileError(path, error.message);
    throw error;
  }
  if (array.dtype !== "float32" && array.dtype !== "float64") {
    throw new FileError(path, `is ${array.dtype}; calibration data must be float32 or float64`);
  }
  if (array.shape.length < 2) {
    throw new FileError(path, `has shape [${array.shape}]; expected [samples, ...]`);
  }
  const count = array.shape[0];
  const size = array.data.length / Math.max(1, count);
  // numpy's default float64 is narrowed to the float32 the model takes.
  const data = array.dtype === "float32"
    ? array.data as Float32Array
    : Float32Array.from(array.data as Float64Array);
  return Array.from(
    { length: count },
    (_, index) => data.subarray(index * size, (index + 1) * size),
  );
}

/** Stacked samples from comma-separated .npy paths (one per model input), float64 narrowed. */
async function stackedSamples(paths: string): Promise<NpyArray[]> {
  return await Promise.all(
    paths.split(",").map(async (path) => {
      const array = await loadNpy(path);
      if (array.dtype !== "float64") return array;
      return { ...array, dtype: "float32", data: Float32Array.from(array.data as Float64Array) };
    }),
  );
}

/**
 * The fallback's summary lines: the goal, the measure before and after (the lowest over the
 * arithmetics measured), the layers kept; then the measures in each arithmetic.
 */
function describeFallback(fallback: NonNullable<QuantizeReport["fallback"]>): string {
  const accuracy = fallback.goal === "accuracyBudget";
  const measure = (value: number) =>
    accuracy ? `top-1 ${(100 * value).toFixed(2)}%` : `${value.toFixed(1)} dB`;
  const float = accuracy ? ` (float ${(100 * fallback.floatTop1!).toFixed(2)}%)` : "";
  const each = fallback.arithmetics.map((entry) =>
    `${entry.arithmetic} ${measure(entry.before)} -> ${measure(entry.after)}`
  );
  return `fallback (${fallback.goal} ${fallback.target}, ${fallback.samples} samples): ` +
    `${measure(fallback.before)} -> ${measure(fallback.after)}${float}, ` +
    `${fallback.layers.length} layer${fallback.layers.length === 1 ? "" : "s"} kept float\n` +
    `  measured in each arithmetic: ${each.join("; ")}`;
}

function describe(report: QuantizeReport): string[] {
  return [
    ...report.quantized.map((entry) =>
      `  quantized  operator ${entry.operator} ${entry.op}: ${entry.detail}`
    ),
    ...report.float.map((entry) =>
      `  float      operator ${entry.operator} ${entry.op}: ${entry.detail}`
    ),
  ];
}

/** The automatic fallback's flags, checked: `--accuracy-budget` or `--min-sqnr`, and their data. */
function fallbackFlags(
  flags: Record<string, string | boolean | string[] | undefined>,
  fullInteger: boolean,
): { accuracyBudget?: number; minSqnr?: number; fallbackArithmetic?: FallbackArithmetic } {
  const budget = flags["accuracy-budget"] as string | undefined;
  const sqnr = flags["min-sqnr"] as string | undefined;
  const arithmetic = flags["fallback-arithmetic"] as FallbackArithmetic | undefined;
  if (budget !== undefined && sqnr !== undefined) {
    throw new UsageError("give --accuracy-budget or --min-sqnr, not both");
  }
  const goal = budget !== undefined
    ? "--accuracy-budget"
    : sqnr !== undefined
    ? "--min-sqnr"
    : null;
  if (goal && !fullInteger) throw new UsageError(`${goal} needs --mode int8 or int16x8`);
  if (arithmetic !== undefined && !FALLBACK_ARITHMETICS.includes(arithmetic)) {
    throw new UsageError(
      `--fallback-arithmetic must be one of ${FALLBACK_ARITHMETICS.join(", ")}, not ${arithmetic}`,
    );
  }
  if (arithmetic !== undefined && !goal) {
    throw new UsageError("--fallback-arithmetic is for --accuracy-budget or --min-sqnr");
  }
  if (budget !== undefined && !(Number(budget) >= 0 && budget.trim() !== "")) {
    throw new UsageError(`--accuracy-budget takes top-1 points >= 0 (0.5), not ${budget}`);
  }
  if (sqnr !== undefined && !(Number.isFinite(Number(sqnr)) && sqnr.trim() !== "")) {
    throw new UsageError(`--min-sqnr takes a number of dB (30), not ${sqnr}`);
  }
  if (budget !== undefined && (!flags["eval-data"] || !flags["eval-labels"])) {
    throw new UsageError("--accuracy-budget needs --eval-data X.npy and --eval-labels Y.npy");
  }
  if (flags["eval-labels"] && !flags["eval-data"]) {
    throw new UsageError("--eval-labels needs --eval-data");
  }
  if (flags["eval-data"] && !goal && !flags.html) {
    throw new UsageError("--eval-data is for --accuracy-budget, --min-sqnr or --html");
  }
  if (flags.html && !flags.calibration && !flags["eval-data"]) {
    throw new UsageError("--html needs samples to compare on: --calibration or --eval-data");
  }
  return {
    accuracyBudget: budget === undefined ? undefined : Number(budget),
    minSqnr: sqnr === undefined ? undefined : Number(sqnr),
    fallbackArithmetic: arithmetic,
  };
}

/** Runs the `convert` command. */
export async function convert(argv: string[]): Promise<void> {
  const { positional, flags } = parseArguments(
    argv,
    {
      mode: "string",
      calibration: "string",
      "calibration-method": "string",
      percentile: "string",
      "input-shape": "strings",
      io: "string",
      "int8-only": "boolean",
      "accuracy-budget": "string",
      "min-sqnr": "string",
      "fallback-arithmetic": "string",
      "eval-data": "string",
      "eval-labels": "string",
      html: "string",
      json: "boolean",
      threads: "string",
    },
    2,
  );
  const [input, output] = positional;
  if (flags.mode === undefined) throw new UsageError("convert needs --mode");
  if (!(flags.mode in MODES)) {
    throw new UsageError(
      `--mode must be one of ${Object.keys(MODES).join(", ")}, not ${flags.mode}`,
    );
  }
  const mode = MODES[flags.mode];
  const io = flags.io ?? "float";
  if (!["float", "int8", "uint8"].includes(io)) {
    throw new UsageError(`--io must be float, int8 or uint8, not ${io}`);
  }
  const fullInteger = mode === "int8" || mode === "int16x8";
  if (fullInteger && !flags.calibration) {
    throw new UsageError(`--mode ${flags.mode} needs --calibration X.npy`);
  }
  if (!fullInteger && flags.calibration) {
    throw new UsageError(`--mode ${flags.mode} takes no --calibration`);
  }
  const method = flags["calibration-method"];
  if (method !== undefined && !CALIBRATION_METHODS.includes(method as CalibrationMethod)) {
    throw new UsageError(
      `--calibration-method must be one of ${CALIBRATION_METHODS.join(", ")}, not ${method}`,
    );
  }
  if (method !== undefined && !fullInteger) {
    throw new UsageError(`--calibration-method needs --mode int8 or int16x8`);
  }
  const percentile = flags.percentile === undefined ? undefined : Number(flags.percentile);
  if (percentile !== undefined) {
    if (method !== "percentile" && method !== "auto") {
      throw new UsageError("--percentile needs --calibration-method percentile or auto");
    }
    if (!(percentile > 50 && percentile <= 100)) {
      throw new UsageError(
        `--percentile must be above 50 and at most 100, not ${flags.percentile}`,
      );
    }
  }
  const inputShapes = flags["input-shape"] ? parseInputShapes(flags["input-shape"]) : undefined;
  if (!fullInteger && inputShapes) {
    throw new UsageError(`--mode ${flags.mode} takes no --input-shape (it is for calibration)`);
  }
  if (io !== "float" && mode !== "int8") throw new UsageError(`--io ${io} needs --mode int8`);
  const threads = threadsFlag(flags.threads);
  if (flags["int8-only"] && !fullInteger) {
    throw new UsageError("--int8-only needs --mode int8 or int16x8");
  }

  const goal = fallbackFlags(flags, fullInteger);
  const evalPaths = [flags["eval-data"], flags["eval-labels"]].flatMap((path) =>
    path ? path.split(",") : []
  );
  await refuseOverwritingInputs([output, ...(flags.html ? [flags.html] : [])], [
    input,
    ...(flags.calibration ? [flags.calibration] : []),
    ...evalPaths,
  ]);
  const { model, bytes: before } = await loadModel(input);
  const evaluation = flags["eval-data"]
    ? {
      data: await stackedSamples(flags["eval-data"]),
      labels: flags["eval-labels"] ? await loadNpy(flags["eval-labels"]) : undefined,
    }
    : undefined;
  let result = { model, report: null as QuantizeReport | null };
  if (mode) {
    const samples = flags.calibration ? await calibrationSamples(flags.calibration) : undefined;
    const progress = samples ? new ProgressBar("calibrating", samples.length) : null;
    try {
      result = await quantizeWithReport(model, {
        mode,
        representativeDataset: samples,
        calibration: method as CalibrationMethod | undefined,
        percentile,
        inputShapes,
        inputType: io === "float" ? "float32" : io as "int8" | "uint8",
        outputType: io === "float" ? "float32" : io as "int8" | "uint8",
        int8Only: flags["int8-only"],
        threads,
        ...goal,
        evaluation: goal.accuracyBudget !== undefined || goal.minSqnr !== undefined
          ? evaluation
          : undefined,
        reportRanges: fullInteger && flags.html !== undefined,
        onProgress: progress ? (done) => progress.update(done) : undefined,
      });
    } catch (error) {
      if (error instanceof SampleError) throw new FileError(flags["eval-data"]!, error.message);
      if (error instanceof QuantizeError) {
        // An error about a calibration sample is about the calibration file.
        const about = error.sample === undefined ? input : flags.calibration!;
        throw new FileError(about, error.message);
      }
      throw error;
    } finally {
      progress?.finish();
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = writeModel(result.model);
  } catch (error) {
    if (error instanceof ModelFormatError) throw new FileError(output, error.message);
    throw error;
  }
  await writeBytesAtomic(output, bytes);
  const report = result.report;
  if (flags.html) {
    const data = evaluation?.data ?? await stackedSamples(flags.calibration!);
    const comparison = await compareModels(model, result.model, data, {
      labels: evaluation?.labels,
      inputShapes,
      clipRanges: report?.ranges,
    });
    const html = comparisonReportHtml(
      comparison,
      [
        { name: basename(input), bytes: before, top1: comparison.top1?.float ?? null },
        {
          name: basename(output),
          bytes: bytes.byteLength,
          top1: comparison.top1?.quantized ?? null,
        },
      ],
      `${basename(input)} converted to ${flags.mode}`,
      report?.fallback,
    );
    await writeBytesAtomic(flags.html, new TextEncoder().encode(html));
  }
  if (flags.json) {
    console.log(JSON.stringify({
      input,
      output,
      mode: flags.mode,
      bytesBefore: before,
      bytesAfter: bytes.byteLength,
      ratio: bytes.byteLength / before,
      samples: report?.samples ?? 0,
      quantized: report?.quantized ?? [],
      float: report?.float ?? [],
      // Only when there are any (float16 constants widened, subgraphs left float, ...).
      ...(report?.notes.length ? { notes: report.notes } : {}),
      ...(report?.fallback ? { fallback: report.fallback } : {}),
    }));
    return;
  }
  const ratio = ((bytes.byteLength / before) * 100).toFixed(1);
  console.log(
    `${input} -> ${output} (${flags.mode}): ${before} -> ${bytes.byteLength} bytes (${ratio}%)`,
  );
  if (report) {
    if (report.samples > 0) console.log(`calibrated on ${report.samples} samples`);
    console.log(describe(report).join("\n"));
    if (report.fallback) console.log(describeFallback(report.fallback));
    for (const note of report.notes) console.log(`note: ${note}`);
  }
  if (flags.html) console.log(`report written to ${flags.html}`);
}
