/**
 * The work of `sample_threads_test.ts`, run by it as `deno run` (`deno test` type-checks each
 * worker's modules again, seconds per worker): calibrates (minmax, percentile, auto), evaluates
 * and fails on 1, 2 and 3 threads with workers started after the first sample, and prints what
 * it got as JSON.
 */
import { parseNpy, readModel, writeModel } from "../../mod.ts";
import type { NpyArray } from "../../src/io/npy.ts";
import { evaluateAccuracy, evaluateAccuracyInParallel } from "../../src/runtime/evaluate.ts";
import { Interpreter } from "../../src/runtime/interpreter.ts";
import { runSamples, runSamplesInParallel } from "../../src/runtime/samples.ts";
import { SamplePool, wholeSamplesUnavailable } from "../../src/runtime/threads/sample_pool.ts";
import { setWorkerStart } from "../../src/runtime/threads/sample_runner.ts";
import { quantize } from "../../src/quantize/quantize.ts";
import type { CalibrationMethod, Sample } from "../../src/quantize/options.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

const MODEL = `${FIXTURES}/models/mobile_mnist.float.tflite`;
const IMAGES = parseNpy(readBytesSync(`${FIXTURES}/data/mnist_calib_x.npy`));

/** The first `count` images, one sample each. */
function images(count: number): Float32Array[] {
  return Array.from(
    { length: count },
    (_, index) => (IMAGES.data as Float32Array).slice(index * 784, (index + 1) * 784),
  );
}

/** Hex SHA-256 of `bytes`. */
async function digest(bytes: ArrayBufferView): Promise<string> {
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice();
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", view));
  return Array.from(hash, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** What a promise ended with: a digest of its bytes, or the error's class and message. */
async function outcome(work: Promise<ArrayBufferView>): Promise<string> {
  try {
    return await digest(await work);
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

/** The int8 file quantized with `calibration` on `threads` threads from `dataset`. */
async function int8(
  calibration: CalibrationMethod,
  threads: number,
  dataset: Iterable<Sample> | AsyncIterable<Sample>,
): Promise<Uint8Array> {
  const float = readModel(readBytesSync(MODEL));
  return writeModel(
    await quantize(float, { mode: "int8", representativeDataset: dataset, calibration, threads }),
  );
}

const samples = images(12);
const generator = async function* () {
  for (const sample of samples) yield sample;
};
const nan = images(10).map((sample, index) =>
  index === 6 ? sample.map((v, at) => at === 100 ? NaN : v) : sample
);
const short: Sample[] = [...images(10)];
short[4] = new Float32Array(5);
const data: NpyArray = {
  dtype: "float32",
  shape: [30, 28, 28],
  data: IMAGES.data.slice(0, 30 * 784),
};
const labels: NpyArray = {
  dtype: "int32",
  shape: [30],
  data: Int32Array.from({ length: 30 }, (_, index) => (index * 7) % 10),
};

const report: Record<string, unknown> = { unavailable: wholeSamplesUnavailable() };
setWorkerStart({ afterMs: 0, payOffMs: 0, wait: true });
for (const calibration of ["minmax", "percentile", "auto"] as const) {
  const results: Record<string, string> = {};
  // auto runs a model per candidate: 2 threads against 1, from an array, is enough there.
  for (const threads of calibration === "auto" ? [1, 2] : [1, 2, 3]) {
    results[`${threads} array`] = await outcome(int8(calibration, threads, samples));
    if (calibration === "auto") continue;
    results[`${threads} generator`] = await outcome(int8(calibration, threads, generator()));
  }
  report[calibration] = results;
}
const errors: Record<string, string> = {};
for (const threads of [1, 2]) {
  errors[`nan ${threads}`] = await outcome(int8("minmax", threads, nan));
  errors[`short ${threads}`] = await outcome(int8("minmax", threads, short));
}
report.errors = errors;
const evaluation: Record<string, unknown> = {};
for (const threads of [1, 2, 3]) {
  using interpreter = await Interpreter.load(MODEL, { threads });
  evaluation[`${threads} accuracy`] = threads === 1
    ? evaluateAccuracy(interpreter, data, labels)
    : await evaluateAccuracyInParallel(interpreter, data, labels);
  const [scores] = threads === 1
    ? runSamples(interpreter, [data])
    : await runSamplesInParallel(interpreter, [data]);
  evaluation[`${threads} outputs`] = await digest(scores.data);
}
report.evaluation = evaluation;
const workerErrors: Record<string, string> = {};
workerErrors.load = await outcome(
  SamplePool.start(new Uint8Array([1, 2, 3]), {}, 2).then(() => new Uint8Array()),
);
const pool = await SamplePool.start(readBytesSync(MODEL), {}, 2);
workerErrors.run = await outcome(
  pool.run([[new Float32Array(784), new Float32Array(784)]][Symbol.iterator](), false, () => {})
    .then(() => new Uint8Array()),
);
pool.dispose();
report.workerErrors = workerErrors;
console.log(JSON.stringify(report));
