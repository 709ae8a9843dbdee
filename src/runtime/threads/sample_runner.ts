/**
 * Many samples on every core, for `eval` and the quantizer's calibration: the calling thread's
 * interpreter (its heavy ops divided among its threads) runs the first samples; once it has run
 * for `START_WORKERS_AFTER_MS` and the samples left would take it `WORKERS_PAY_OFF_MS` more,
 * workers each running whole samples (`SamplePool`) are started meanwhile and take the rest as
 * soon as they are ready. A few samples (a single `run`) never pay for starting workers; many
 * run without a barrier per op. Results come in sample order, so what they are folded into is
 * what one thread gives.
 */
import type { TensorData } from "../../format/dtype.ts";
import { writeModel } from "../../format/writer.ts";
import type { Interpreter, InterpreterOptions } from "../interpreter.ts";
import type { KernelSource, KernelSources } from "../wasm.ts";
import { floatRange } from "../samples.ts";
import {
  SamplePool,
  type SampleResult,
  type SampleWorkerOptions,
  wholeSamplesUnavailable,
} from "./sample_pool.ts";

/**
 * How long the calling thread runs samples before it judges whether workers would pay off (its
 * pace over that long estimates the time the rest would take it).
 */
export const START_WORKERS_AFTER_MS = 500;

/**
 * Least time the samples left would take the calling thread for workers to be started. Starting
 * two workers took 0.4-0.6 s for mobile_mnist and 0.7-1.0 s for MobileNet V2 on 2 busy cores
 * (each loads liteq and the model; the calling thread runs samples meanwhile); on 2 cores whole
 * samples took 0.54x (MobileNet V2 float) and 0.58x (int8) of one thread's time against 0.62x and
 * 0.65x with each op divided, about 12% less, and about half less for graphs whose ops are too
 * small to divide: 2 s of samples left recovers a start in the second case and about half of one
 * in the first.
 */
export const WORKERS_PAY_OFF_MS = 2000;

/** When a call starts workers, and whether it waits for them. */
export interface WorkerStart {
  /** How long the calling thread runs samples first (ms). */
  afterMs: number;
  /**
   * Least time (ms) the samples left would take the calling thread; with an unknown number left
   * (a dataset that is not an array), least time it has run.
   */
  payOffMs: number;
  /** Whether the calling thread waits for the workers rather than run samples meanwhile. */
  wait: boolean;
}

let workerStart: WorkerStart = {
  afterMs: START_WORKERS_AFTER_MS,
  payOffMs: WORKERS_PAY_OFF_MS,
  wait: false,
};

/**
 * Sets when calls from now on start workers (the tests start them after the first sample and
 * wait for them, `{ afterMs: 0, payOffMs: 0, wait: true }`, so that the workers run the rest), and returns the
 * previous setting.
 */
export function setWorkerStart(start: WorkerStart): WorkerStart {
  const previous = workerStart;
  workerStart = start;
  return previous;
}

/** What `runSamplesOnThreads` runs. */
export interface ThreadedSamples {
  /** The calling thread's interpreter; workers load its model with `options`. */
  interpreter: Interpreter;
  /**
   * The options `interpreter` was loaded with (a worker takes those it can; never `threads`).
   * With `customOps` (functions, which cannot be posted) every sample runs on `interpreter`.
   */
  options: InterpreterOptions;
  /** Workers to start (the threads asked for); 1 runs every sample on `interpreter`. */
  workers: number;
  /** The samples, each its inputs in input order. */
  samples: Iterable<TensorData[]> | AsyncIterable<TensorData[]>;
  /** How many samples there are, when known. */
  total?: number;
  /** Whether a result needs only each output's range (float32 outputs), not the outputs. */
  ranges: boolean;
  /** Takes each sample's result, in sample order. */
  onResult(result: SampleResult, sample: number): void;
}

/** A kernel source a worker can be posted: a URL as its text. */
function postable(source: KernelSource): KernelSource {
  return source instanceof URL ? source.href : source;
}

/** `wasm` as a worker can be posted. */
function postableWasm(wasm: KernelSources | undefined): KernelSources | undefined {
  if (
    wasm === undefined || typeof wasm === "string" || wasm instanceof URL ||
    wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm) || wasm instanceof WebAssembly.Module
  ) {
    return wasm === undefined ? undefined : postable(wasm);
  }
  return Object.fromEntries(
    Object.entries(wasm).map(([variant, source]) => [variant, postable(source)]),
  ) as KernelSources;
}

/** Lets the event loop take the messages that arrived (the workers' replies). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Runs every sample: on the interpreter first, then, when the samples take long enough, on
 * whole-sample workers (see the module comment). Returns how many samples ran.
 * @throws what running a sample throws, as the interpreter throws it, or an Error naming a worker
 * that could not start or ended, and why
 */
export async function runSamplesOnThreads(run: ThreadedSamples): Promise<number> {
  const { interpreter, workers, total, ranges, onResult } = run;
  const samples = Symbol.asyncIterator in run.samples
    ? run.samples[Symbol.asyncIterator]()
    : run.samples[Symbol.iterator]();
  const mayStart = workers > 1 && !run.options.customOps && wholeSamplesUnavailable() === null;
  const { afterMs, payOffMs, wait } = workerStart;
  let starting: Promise<SamplePool> | null = null;
  // Set once the workers are ready, or could not start.
  const workersState: { pool?: SamplePool; failure?: { error: unknown } } = {};
  const begun = performance.now();
  let sample = 0;
  try {
    while (!workersState.pool) {
      const step = await samples.next();
      if (step.done) return sample;
      const outputs = interpreter.run(step.value);
      onResult(
        ranges ? { ranges: outputs.map((output) => floatRange(output as Float32Array)) } : {
          outputs,
          shapes: interpreter.outputDetails().map((detail) => detail.shape),
        },
        sample++,
      );
      const elapsed = performance.now() - begun;
      const left = total === undefined ? undefined : total - sample;
      const paysOff = left === undefined
        ? elapsed >= payOffMs
        : left >= workers && left * elapsed / sample >= payOffMs;
      if (!starting && mayStart && elapsed >= afterMs && paysOff) {
        const { inputShapes, kernels, maxElements, memoryBudget, maxWhileIterations, arithmetic } =
          run.options;
        const options: SampleWorkerOptions = {
          inputShapes,
          kernels,
          maxElements,
          memoryBudget,
          maxWhileIterations,
          arithmetic,
          wasm: postableWasm(run.options.wasm),
        };
        starting = SamplePool.start(writeModel(interpreter.model), options, workers);
        starting.then(
          (pool) => workersState.pool = pool,
          (error) => workersState.failure = { error },
        );
      }
      if (starting) await (wait ? starting.catch(() => {}) : nextTask());
      if (workersState.failure) throw workersState.failure.error;
    }
    return await workersState.pool.run(samples, ranges, onResult, sample);
  } finally {
    await starting?.then((started) => started.dispose(), () => {});
  }
}
