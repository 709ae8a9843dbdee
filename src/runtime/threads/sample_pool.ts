/**
 * Whole samples in parallel: workers each holding a one-thread interpreter of the same model
 * (`sample_worker.ts`), for the calls that run many samples (`eval`, the quantizer's calibration),
 * started by `sample_runner.ts` when they run long enough. No barrier per op: on 2 quiet cores
 * whole samples took 0.54x of one thread's time on MobileNet V2 float against 0.62x with each op
 * divided (`bench/threads_eval.ts`), at the cost of a model's memory per worker. A pool is started
 * for one call and ended by it; results come back in sample order whatever worker ran them, so a
 * caller that folds them in that order gets what one thread gets, bit for bit.
 */
import type { TensorData } from "../../format/dtype.ts";
import type { OutputValues } from "../tensor_io.ts";
import { InvokeError, UnsupportedModelError } from "../errors.ts";
import type { TensorDetails } from "../interpreter.ts";
import { type FloatRange, SampleError } from "../samples.ts";
import type {
  PostedError,
  SampleReply,
  SampleRequest,
  SampleWorkerOptions,
} from "./sample_worker.ts";

export type { SampleWorkerOptions };

/** What a worker returns for one sample: its outputs, or only their ranges when asked so. */
export interface SampleResult {
  outputs?: OutputValues[];
  /** The outputs' shapes (with `outputs`: a shape known only at invoke may vary by sample). */
  shapes?: number[][];
  ranges?: FloatRange[];
}

/** Samples a worker is given ahead, so that it never waits for the next one. */
const AHEAD_PER_WORKER = 2;

/**
 * Whether workers are Node's `worker_threads` here (Node) rather than web workers (Deno, Bun,
 * browsers): Deno's `worker_threads` take seconds to post a model of a few megabytes.
 */
function onlyWorkerThreads(): boolean {
  const process = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof process?.versions?.node === "string" && !("Deno" in globalThis) &&
    !("Bun" in globalThis);
}

/** `sample_worker` beside this module as published (`.ts` from source and JSR, `.js` from npm). */
function workerModule(): URL | null {
  const here = new URL(import.meta.url);
  const extension = /\/sample_pool\.(ts|js)$/.exec(here.pathname)?.[1];
  // Bundled (a page's bundle, a test bundle), this module has another name and no file beside it.
  return extension ? new URL(`sample_worker.${extension}`, here) : null;
}

/**
 * Why whole samples cannot run on workers here, or null when they can: liteq must run from its
 * module files (not bundled), Node's `worker_threads` start from files, and Deno needs leave to
 * read them.
 */
export function wholeSamplesUnavailable(): string | null {
  const url = workerModule();
  if (!url) return "liteq runs bundled, without its worker module beside it";
  if (onlyWorkerThreads()) {
    return url.protocol === "file:" ? null : `Node starts workers from files, not ${url.href}`;
  }
  if (typeof Worker !== "function") return "this runtime has no workers";
  const deno = (globalThis as {
    Deno?: { permissions: { querySync(query: { name: "read"; path: URL }): { state: string } } };
  }).Deno;
  if (
    url.protocol === "file:" && deno &&
    deno.permissions.querySync({ name: "read", path: url }).state !== "granted"
  ) {
    return "Deno may not read liteq's worker module (--allow-read)";
  }
  return null;
}

/** An error a worker posted, thrown again here as the class it had. */
function rebuilt(error: PostedError): Error {
  const { name, message, where, reason } = error;
  if (where !== undefined && reason !== undefined) {
    if (name === "InvokeError") return new InvokeError(where, reason);
    if (name === "UnsupportedModelError") return new UnsupportedModelError(where, reason);
  }
  if (name === "SampleError") return new SampleError(message);
  const Class = name === "RangeError" ? RangeError : name === "TypeError" ? TypeError : Error;
  const result = new Class(message);
  result.name = name;
  return result;
}

/** A started worker and what it owes. */
interface PoolWorker {
  post(request: SampleRequest, transfer: Transferable[]): void;
  terminate(): void;
  /** Replies awaited, oldest first (a worker answers in order). */
  waiting: { resolve(reply: SampleReply): void; reject(error: Error): void }[];
  /** Why the worker ended, once it has. */
  failure: Error | null;
}

/** Starts the worker module; `receive` gets its replies, `fail` why it ended. */
async function spawn(
  url: URL,
  receive: (reply: SampleReply) => void,
  fail: (reason: string) => void,
): Promise<Pick<PoolWorker, "post" | "terminate">> {
  if (onlyWorkerThreads()) {
    // A specifier built at run time, so that bundlers for the browser neither follow nor keep it.
    const specifier = ["node", "worker_threads"].join(":");
    const { Worker } = await import(specifier);
    const worker = new Worker(url);
    worker.on("message", receive);
    worker.once("error", (error: Error) => fail(error.message));
    worker.once("exit", (code: number) => fail(`it exited with code ${code}`));
    return {
      post: (request, transfer) => worker.postMessage(request, transfer),
      terminate: () => worker.terminate(),
    };
  }
  const worker = new Worker(url, { type: "module" });
  worker.onmessage = (event) => receive(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    fail(event.message || "its module failed to load");
  };
  return {
    post: (request, transfer) => worker.postMessage(request, transfer),
    terminate: () => worker.terminate(),
  };
}

/** Posts `request` to `worker`; resolves with its reply, rejects when the worker ends. */
function ask(
  worker: PoolWorker,
  request: SampleRequest,
  transfer: Transferable[] = [],
): Promise<SampleReply> {
  const reply = new Promise<SampleReply>((resolve, reject) => {
    if (worker.failure) return reject(worker.failure);
    worker.waiting.push({ resolve, reject });
    worker.post(request, transfer);
  });
  // Awaited later, or not at all once an earlier sample failed: never an unhandled rejection.
  reply.catch(() => {});
  return reply;
}

/** Starts worker `index`, which reports its replies and its end to `worker`. */
async function startWorker(url: URL, index: number): Promise<PoolWorker> {
  const worker: PoolWorker = { post: () => {}, terminate: () => {}, waiting: [], failure: null };
  const started = await spawn(
    url,
    (reply) => worker.waiting.shift()?.resolve(reply),
    (reason) => {
      worker.failure ??= new Error(`liteq sample worker ${index} failed: ${reason}`);
      for (const waiting of worker.waiting.splice(0)) waiting.reject(worker.failure);
    },
  );
  return Object.assign(worker, started);
}

/** Workers each running whole samples of one model on an interpreter of their own. */
export class SamplePool {
  private disposed = false;

  private constructor(
    private readonly workers: PoolWorker[],
    /** The model's inputs, as the workers' interpreters hold them. */
    readonly inputs: TensorDetails[],
    /** The model's outputs, as the workers' interpreters hold them. */
    readonly outputs: TensorDetails[],
  ) {}

  /**
   * Starts `count` workers, each loading `model` with `options` on one thread. Resolves once all
   * have loaded it.
   * @throws the load's error (an `UnsupportedModelError` as the interpreter throws it), or an
   * Error naming the worker and why, when one cannot start or ends
   */
  static async start(
    model: Uint8Array,
    options: SampleWorkerOptions,
    count: number,
  ): Promise<SamplePool> {
    const url = workerModule();
    const unavailable = wholeSamplesUnavailable();
    if (!url || unavailable) throw new Error(`whole-sample workers cannot start: ${unavailable}`);
    const started = await Promise.allSettled(
      Array.from({ length: count }, (_, index) => startWorker(url, index)),
    );
    const workers = started.flatMap((result) =>
      result.status === "fulfilled" ? [result.value] : []
    );
    const end = (error: unknown) => {
      for (const worker of workers) worker.terminate();
      throw error;
    };
    const notStarted = started.find((result) => result.status === "rejected");
    if (notStarted) end((notStarted as PromiseRejectedResult).reason);
    const replies = await Promise.allSettled(
      workers.map((worker) => ask(worker, { kind: "load", model, options })),
    );
    const failed = replies.find((reply) => reply.status === "rejected");
    if (failed) end((failed as PromiseRejectedResult).reason);
    const loaded = replies.map((reply) => (reply as PromiseFulfilledResult<SampleReply>).value);
    const refused = loaded.find((reply) => reply.kind === "error");
    if (refused?.kind === "error") end(rebuilt(refused.error));
    const [first] = loaded as Extract<SampleReply, { kind: "loaded" }>[];
    return new SamplePool(workers, first.inputs, first.outputs);
  }

  /** How many workers run samples. */
  get size(): number {
    return this.workers.length;
  }

  /** Posts sample `sample` to the worker with the fewest samples waiting. */
  private send(sample: number, inputs: TensorData[], ranges: boolean): Promise<SampleReply> {
    const worker = this.workers.reduce((least, other) =>
      other.waiting.length < least.waiting.length ? other : least
    );
    // Copies (a view would post its whole buffer), handed over rather than copied again.
    const copies = inputs.map((input) => input.slice());
    return ask(worker, { kind: "run", sample, inputs: copies, ranges }, [
      ...new Set(copies.map((copy) => copy.buffer as ArrayBuffer)),
    ]);
  }

  /**
   * Runs each sample `samples` yields (its inputs, in input order), numbered from `first`, on the
   * workers, a few ahead on each, and gives each result to `onResult` in sample order; returns
   * the number after the last sample. With `ranges`, a result holds the range of each (float32)
   * output instead of the outputs. An error of a sample, of `samples` or of `onResult` ends the
   * run once the results of the samples before it were given, as one thread running them in
   * order would end.
   */
  async run(
    samples: Iterator<TensorData[]> | AsyncIterator<TensorData[]>,
    ranges: boolean,
    onResult: (result: SampleResult, sample: number) => void,
    first = 0,
  ): Promise<number> {
    if (this.disposed) throw new Error("the sample workers were ended");
    const pending: Promise<SampleReply>[] = [];
    let sent = first;
    let exhausted = false;
    let iterationFailure: { error: unknown } | null = null;
    for (;;) {
      while (!exhausted && pending.length < this.workers.length * AHEAD_PER_WORKER) {
        try {
          const step = await samples.next();
          if (step.done) exhausted = true;
          else pending.push(this.send(sent++, step.value, ranges));
        } catch (error) {
          iterationFailure = { error };
          exhausted = true;
        }
      }
      const next = pending.shift();
      if (!next) break;
      const reply = await next;
      if (reply.kind === "error") throw rebuilt(reply.error);
      if (reply.kind === "result") onResult(reply, reply.sample);
    }
    if (iterationFailure) throw iterationFailure.error;
    return sent;
  }

  /** Ends the workers. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const worker of this.workers) {
      worker.failure ??= new Error("the sample workers were ended");
      worker.terminate();
    }
  }

  /** `dispose()`, for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
