/**
 * `liteq convert IN OUT --mode float|f16|dynamic|int8|int16x8 [--calibration X.npy]
 * [--calibration-method minmax|percentile|mse|entropy|auto] [--percentile 99.99]
 * [--input-shape 1,1760 ...] [--io float|int8|uint8] [--int8-only] [--json] [--threads N]`:
 * quantizes IN into OUT (written whole or not at all; calibration on N threads), with a progress
 * bar on stderr while calibrating, then sizes, what was quantized and notes.
 */
import { ModelFormatError } from "../format/errors.ts";
import { writeModel } from "../format/writer.ts";
import { FileError, readBytes, writeBytesAtomic } from "../io/files.ts";
import { NpyFormatError, parseNpy } from "../io/npy.ts";
import { QuantizeError } from "../quantize/errors.ts";
import {
  CALIBRATION_METHODS,
  type CalibrationMethod,
  type QuantizeMode,
  type QuantizeReport,
  type Sample,
} from "../quantize/options.ts";
import { quantizeWithReport } from "../quantize/quantize.ts";
import { parseArguments, parseInputShapes, UsageError } from "./arguments.ts";
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

  await refuseOverwritingInputs([output], [
    input,
    ...(flags.calibration ? [flags.calibration] : []),
  ]);
  const { model, bytes: before } = await loadModel(input);
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
        onProgress: progress ? (done) => progress.update(done) : undefined,
      });
    } catch (error) {
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
    for (const note of report.notes) console.log(`note: ${note}`);
  }
}
