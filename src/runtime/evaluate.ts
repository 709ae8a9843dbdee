/**
 * Accuracy of a classifier over labelled samples (on one interpreter, or also on workers running
 * whole samples), and latency statistics of a model.
 */
import { elementCount } from "../format/dtype.ts";
import type { NpyArray } from "../io/npy.ts";
import type { Interpreter, InterpreterOptions, TensorDetails } from "./interpreter.ts";
import { checkLabels, runSamples, runSamplesInParallel, SampleError } from "./samples.ts";

/** Top-1 (and top-5 when there are more than 5 classes) accuracy over `samples` samples. */
export interface Accuracy {
  samples: number;
  classes: number;
  top1: number;
  top5: number | null;
}

/** Checks `labels` against `data` and the model output that scores the classes. */
function checkSamples(data: NpyArray, labels: NpyArray, scores: TensorDetails): number {
  const count = data.shape[0] ?? 0;
  if (elementCount(labels.shape) !== count) {
    throw new SampleError(`${elementCount(labels.shape)} labels for ${count} samples`);
  }
  checkLabels(labels, scores);
  return count;
}

/** The accuracy of stacked `scores` against `labels`, one integer class per sample. */
function accuracyOf(scores: NpyArray, labels: NpyArray, count: number): Accuracy {
  const classes = elementCount(scores.shape.slice(1));
  let top1 = 0;
  let top5 = 0;
  for (let sample = 0; sample < count; sample++) {
    const label = Number(labels.data[sample]);
    const row = Array.from(scores.data.subarray(sample * classes, (sample + 1) * classes), Number);
    const target = row[label];
    // Rank of the label: classes scoring strictly higher, ties broken by index as argmax does.
    let better = 0;
    row.forEach((score, index) => {
      if (score > target || (score === target && index < label)) better++;
    });
    if (better === 0) top1++;
    if (better < 5) top5++;
  }
  return { samples: count, classes, top1: top1 / count, top5: classes > 5 ? top5 / count : null };
}

/**
 * Runs every sample of `data` and compares the first output's largest scores with `labels`
 * (one integer class per sample, checked by `checkLabels` before any sample runs). Integer
 * outputs are ranked as they are (quantization keeps the order).
 */
export function evaluateAccuracy(
  interpreter: Interpreter,
  data: NpyArray,
  labels: NpyArray,
  onSample?: (done: number, total: number) => void,
): Accuracy {
  const count = checkSamples(data, labels, interpreter.outputDetails()[0]);
  const [scores] = runSamples(interpreter, [data], onSample);
  return accuracyOf(scores, labels, count);
}

/**
 * `evaluateAccuracy` on every thread `interpreter` was loaded with, whole samples on workers
 * when they take long enough (`runSamplesInParallel`, given the `options` it was loaded with):
 * the same figures.
 */
export async function evaluateAccuracyInParallel(
  interpreter: Interpreter,
  data: NpyArray,
  labels: NpyArray,
  options: InterpreterOptions = {},
  onSample?: (done: number, total: number) => void,
): Promise<Accuracy> {
  const count = checkSamples(data, labels, interpreter.outputDetails()[0]);
  const [scores] = await runSamplesInParallel(interpreter, [data], options, onSample);
  return accuracyOf(scores, labels, count);
}

/** Latency of repeated invokes, in milliseconds, and the wasm memory the interpreter holds. */
export interface Latency {
  runs: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  wasmBytes: number;
}

/** Invokes `warmup` times untimed, then `runs` times timed, on the inputs already set. */
export function measureLatency(interpreter: Interpreter, runs: number, warmup: number): Latency {
  for (let index = 0; index < warmup; index++) interpreter.invoke();
  const times: number[] = [];
  for (let index = 0; index < runs; index++) {
    const start = performance.now();
    interpreter.invoke();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (fraction: number) =>
    times[Math.min(times.length - 1, Math.floor(fraction * times.length))];
  return {
    runs,
    medianMs: times.length % 2
      ? at(0.5)
      : (times[times.length / 2 - 1] + times[times.length / 2]) / 2,
    p90Ms: at(0.9),
    minMs: times[0],
    wasmBytes: interpreter.memoryBytes,
  };
}
