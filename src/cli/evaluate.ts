/**
 * `liteq eval MODEL --data X.npy --labels Y.npy [--json] [--threads N]` (on N threads: when the
 * samples take long enough, whole samples on N workers of their own) and `liteq bench MODEL
 * [--runs N] [--warmup N] [--json] [--threads N]`; both take `--input-shape 1,1760`, once per
 * input in order, for inputs whose shapes are open.
 */
import { elementCount } from "../format/dtype.ts";
import { FileError, readBytes } from "../io/files.ts";
import { type NpyArray, NpyFormatError, parseNpy } from "../io/npy.ts";
import { evaluateAccuracyInParallel, measureLatency } from "../runtime/evaluate.ts";
import { checkLabels, SampleError } from "../runtime/samples.ts";
import { parseArguments, parseInputShapes, UsageError } from "./arguments.ts";
import { loadInterpreter, threadsFlag } from "./load.ts";
import { ProgressBar } from "./progress.ts";

/** A .npy file; format errors name the file. */
export async function loadNpy(path: string): Promise<NpyArray> {
  try {
    return parseNpy(await readBytes(path));
  } catch (error) {
    if (error instanceof NpyFormatError) throw new FileError(path, error.message);
    throw error;
  }
}

/** Runs the `eval` command. */
export async function evaluate(argv: string[]): Promise<void> {
  const { positional, flags } = parseArguments(
    argv,
    {
      data: "string",
      labels: "string",
      json: "boolean",
      "input-shape": "strings",
      threads: "string",
    },
    1,
  );
  if (!flags.data) throw new UsageError("eval needs --data X.npy");
  if (!flags.labels) throw new UsageError("eval needs --labels Y.npy");
  const inputShapes = parseInputShapes(flags["input-shape"] ?? []);
  const interpreter = await loadInterpreter(positional[0], {
    inputShapes,
    threads: threadsFlag(flags.threads),
  });
  const [data, labels] = await Promise.all([loadNpy(flags.data), loadNpy(flags.labels)]);
  try {
    checkLabels(labels, interpreter.outputDetails()[0]);
  } catch (error) {
    if (error instanceof SampleError) throw new FileError(flags.labels, error.message);
    throw error;
  }
  const progress = new ProgressBar("evaluating", data.shape[0] ?? 0);
  let accuracy;
  try {
    accuracy = await evaluateAccuracyInParallel(
      interpreter,
      data,
      labels,
      { inputShapes },
      (done) => progress.update(done),
    );
  } catch (error) {
    if (error instanceof SampleError) throw new FileError(flags.data, error.message);
    throw error;
  } finally {
    progress.finish();
  }
  if (flags.json) {
    console.log(JSON.stringify({ model: positional[0], ...accuracy }));
    return;
  }
  const top5 = accuracy.top5 === null ? "" : `, top-5 ${(accuracy.top5 * 100).toFixed(2)}%`;
  console.log(
    `${positional[0]}: top-1 ${
      (accuracy.top1 * 100).toFixed(2)
    }%${top5} on ${accuracy.samples} samples`,
  );
}

function count(value: string | undefined, name: string, fallback: number, least: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(parsed) || parsed < least) {
    throw new UsageError(`--${name} must be a whole number of at least ${least}, not ${value}`);
  }
  return parsed;
}

/** Runs the `bench` command: latency on deterministic inputs of each input's dtype. */
export async function bench(argv: string[]): Promise<void> {
  const { positional, flags } = parseArguments(
    argv,
    {
      runs: "string",
      warmup: "string",
      json: "boolean",
      "input-shape": "strings",
      threads: "string",
    },
    1,
  );
  const runs = count(flags.runs, "runs", 50, 1);
  const warmup = count(flags.warmup, "warmup", 5, 0);
  const inputShapes = parseInputShapes(flags["input-shape"] ?? []);
  const interpreter = await loadInterpreter(positional[0], {
    inputShapes,
    threads: threadsFlag(flags.threads),
  });
  interpreter.inputDetails().forEach((detail, position) => {
    const values = Array.from(
      { length: elementCount(detail.shape) },
      (_, index) =>
        detail.dtype === "float32" ? ((index * 7919) % 1000) / 1000 : (index * 31) % 100,
    );
    interpreter.setInput(position, detail.dtype === "string" ? values.map(String) : values);
  });
  const latency = measureLatency(interpreter, runs, warmup);
  if (flags.json) {
    console.log(JSON.stringify({ model: positional[0], warmup, ...latency }));
    return;
  }
  console.log(
    `${positional[0]}: median ${latency.medianMs.toFixed(2)} ms, p90 ${
      latency.p90Ms.toFixed(2)
    } ms, ` +
      `min ${
        latency.minMs.toFixed(2)
      } ms over ${runs} runs; wasm memory ${latency.wasmBytes} bytes`,
  );
}
