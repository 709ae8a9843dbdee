/**
 * Many samples on every core, for `eval` and the quantizer's calibration: the calling thread's
 * interpreter (its heavy ops divided among its threads) runs the first samples; once it has run
 * for `START_WORKERS_AFTER_MS` with samples left, workers each running whole samples
 * (`SamplePool`) are started meanwhile and take the rest as soon as they are ready. A few samples
 * (a single `run`) never pay for starting workers; many samples run without a barrier per op.
 * Results come in sample order, so what they are folded into is what one thread gives.
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
 * How long the calling thread runs samples before workers are started for the rest. Starting two
 * workers took 0.4-0.6 s for mobile_mnist and 0.7-1.0 s for MobileNet V2 on 2 busy cores (each
 * loads liteq and the model); a call shorter than about that gains nothing from them.
 */
export const START_WORKERS_AFTER_MS = 500;

/** When a call starts workers, and whether it waits for them. */
export interface WorkerStart {
  /** How long the calling thread runs samples first (ms). */
  afterMs: number;
  /** Whether the calling thread waits for the workers rather than run samples meanwhile. */
  wait: boolean;
}

let workerStart: WorkerStart = { afterMs: START_WORKERS_AFTER_MS, wait: false };

/**
 * Sets when calls from now on start workers (the tests start them after the first sample and
 * wait for them, `{ afterMs: 0, wait: true }`, so that the workers run the rest), and returns the
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
  /** The options `interpreter` was loaded with (a worker takes those it can; never `threads`). */
  options: Pick<InterpreterOptions, keyof SampleWorkerOptions>;
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
  const mayStart = workers > 1 && wholeSamplesUnavailable() === null;
  const { afterMs, wait } = workerStart;
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
        },
        sample++,
      );
      const elapsed = performance.now() - begun;
      const left = total === undefined ? Infinity : total - sample;
      if (
        !starting && mayStart && elapsed >= afterMs && left >= workers &&
        left * elapsed / sample >= afterMs
      ) {
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
