/**
 * The `liteq` command line: `inspect`, `convert`, `run`, `eval`, `bench` and `compare`. Bad input
 * ends in one line on stderr naming the file and the problem, and exit code 1; never a stack trace.
 */
import process from "node:process";
import { ModelFormatError } from "../format/errors.ts";
import { FileError } from "../io/files.ts";
import { UnsupportedModelError } from "../runtime/op.ts";
import { inspectJson, inspectText } from "./inspect.ts";
import { parseArguments, UsageError } from "./arguments.ts";
import { compare } from "./compare.ts";
import { convert } from "./convert.ts";
import { bench, evaluate } from "./evaluate.ts";
import { loadModel } from "./load.ts";
import { run } from "./run.ts";

/** Each command's usage lines. */
const HELP: Record<string, string> = {
  inspect: `  liteq inspect MODEL [--json]           summarize a .tflite model`,
  convert: `  liteq convert IN OUT --mode float|f16|dynamic|int8|int16x8 [--calibration X.npy]
                [--calibration-method minmax|percentile|mse|entropy|auto] [--percentile 99.99]
                [--input-shape 1,1760] [--io float|int8|uint8] [--int8-only]
                [--accuracy-budget 0.5 --eval-data X.npy --eval-labels Y.npy | --min-sqnr 30]
                [--fallback-arithmetic both|reference|xnnpack]
                [--html report.html] [--json] [--threads N]
                                         quantize IN into OUT (int8 and int16x8 calibrate
                                         on the samples stacked in X; float copies IN; the
                                         accuracy goals leave the costliest layers float,
                                         measured in TFLite's reference arithmetic and
                                         XNNPACK's unless one is named)`,
  run: `  liteq run MODEL --input X.npy --output Y.npy [--input-shape 1,1760] [--threads N]
                                         run each sample stacked in X (several inputs:
                                         X1.npy,X2.npy); the first output goes to Y,
                                         the others to Y.1.npy, Y.2.npy, ...`,
  eval: `  liteq eval MODEL --data X.npy --labels Y.npy [--input-shape 1,28,28] [--json]
      [--threads N]                      top-1 (and top-5) accuracy of a classifier`,
  bench: `  liteq bench MODEL [--runs N] [--warmup N] [--input-shape 1,1760] [--json]
      [--threads N]                      median, p90 and min latency, wasm memory
                                         (--threads N|auto: run on N threads, default 1)`,
  compare: `  liteq compare FLOAT QUANTIZED --data X.npy [--labels Y.npy] [--input-shape 1,28,28]
                [--json] [--html report.html]
                                         each quantized layer's error (SQNR, RMSE, max)
                                         against the float tensor it replaces`,
};

const USAGE = `usage:\n${Object.values(HELP).join("\n")}`;

async function inspect(argv: string[]): Promise<void> {
  const { positional, flags } = parseArguments(argv, { json: "boolean" }, 1);
  const { model, bytes } = await loadModel(positional[0]);
  if (flags.json) {
    console.log(JSON.stringify(inspectJson(model)));
  } else {
    console.log(inspectText(model, positional[0], bytes));
  }
}

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  inspect,
  convert,
  run,
  eval: evaluate,
  bench,
  compare,
};

/** Runs the CLI on `argv` (without the program name) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    console.log(USAGE);
    return command === undefined ? 1 : 0;
  }
  const run = COMMANDS[command];
  if (command in HELP && (rest.includes("--help") || rest.includes("-h"))) {
    console.log(`usage:\n${HELP[command]}`);
    return 0;
  }
  if (!run) {
    console.error(`liteq: unknown command "${command}"\n${USAGE}`);
    return 1;
  }
  try {
    await run(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`liteq ${command}: ${error.message}\n${USAGE}`);
    } else if (
      error instanceof FileError || error instanceof ModelFormatError ||
      error instanceof UnsupportedModelError
    ) {
      console.error(`liteq ${command}: ${error.message}`);
    } else {
      console.error(`liteq ${command}: internal error: ${(error as Error).stack ?? error}`);
    }
    return 1;
  }
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
