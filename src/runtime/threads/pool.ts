/**
 * The worker threads of one interpreter: started once at load over its shared wasm memory, each
 * with an instance of the threads build of the kernels, and ended by `dispose` (or left to end
 * with the process: they never keep it alive). A heavy op runs split by rows: the calling thread
 * records each worker's kernel calls into the worker's area of a control block in the shared
 * memory, publishes them with one atomic generation bump, computes its own rows, and waits until
 * every worker has counted itself done: no message per op, one barrier.
 */
import { KERNEL_FUNCTIONS } from "../kernel_exports.generated.ts";
import type { KernelMemory } from "../memory.ts";
import type { KernelCalls, PreparedOp, RowSplit } from "../op.ts";
import { recordingKernels, rowRanges } from "./split.ts";
import {
  CONTROL,
  CONTROL_HEADER_BYTES,
  workerMain,
  type WorkerReply,
  type WorkerStart,
} from "./worker.ts";

/**
 * Least work (multiply-adds) of an op worth splitting: below it the barrier costs more than the
 * other threads save, and the op runs on the calling thread alone.
 */
export const MIN_SPLIT_WORK = 1 << 19;

let minSplitWork = MIN_SPLIT_WORK;

/**
 * Sets the least work of an op worth splitting for interpreters loaded from now on (the tests
 * split every op they can with 0) and returns the previous value.
 */
export function setMinSplitWork(work: number): number {
  const previous = minSplitWork;
  minSplitWork = work;
  return previous;
}

/** Float64 values of a worker's call area: its recorded calls for one op. */
const CALL_AREA_LENGTH = 2048;

/** Loads of an unchanged word before a waiting thread sleeps on it. */
const SPINS = 20000;

/** How long the workers may take over one op before the run fails (a worker ended). */
const OP_TIMEOUT_MS = 60000;

/** How long a worker may take to start before the load fails. */
const START_TIMEOUT_MS = 30000;

/** A started worker, whatever the runtime's kind of worker. */
interface WorkerHandle {
  post(start: WorkerStart): void;
  terminate(): void;
}

/** Whether this runtime runs liteq on `worker_threads` (Deno, Node, Bun) rather than web workers. */
function hasWorkerThreads(): boolean {
  const process = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return "Deno" in globalThis || typeof process?.versions?.node === "string";
}

/** Starts one worker running `workerMain`; `reply` gets its one reply, `fail` any error. */
async function spawn(
  reply: (message: WorkerReply) => void,
  fail: (reason: string) => void,
): Promise<WorkerHandle> {
  if (hasWorkerThreads()) {
    // A specifier in a variable, so that bundlers for the browser leave it alone.
    const specifier = "node:worker_threads";
    const { Worker } = await import(specifier);
    const worker = new Worker(
      `const { parentPort } = require("node:worker_threads");\n(${workerMain})(` +
        `(handler) => parentPort.once("message", handler), ` +
        `(reply) => parentPort.postMessage(reply));`,
      { eval: true },
    );
    worker.unref();
    worker.once("message", reply);
    worker.once("error", (error: Error) => fail(error.message));
    worker.once("exit", (code: number) => fail(`it exited with code ${code}`));
    return { post: (start) => worker.postMessage(start), terminate: () => worker.terminate() };
  }
  const source =
    `(${workerMain})((handler) => { self.onmessage = (event) => handler(event.data); }, ` +
    `(reply) => self.postMessage(reply));`;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  worker.onmessage = (event) => reply(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    fail(event.message || "the worker script failed");
  };
  return { post: (start) => worker.postMessage(start), terminate: () => worker.terminate() };
}

/** Whether this thread may block in `Atomics.wait` (a browser's main thread may not). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** The byte offset of worker `index`'s call area in the control block at `control`. */
function callArea(control: number, index: number): number {
  return control + CONTROL_HEADER_BYTES + index * CALL_AREA_LENGTH * 8;
}

/** Rounds up to a multiple of 16 (a v128). */
function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** The worker threads of one interpreter, and the split of heavy ops among them. */
export class ThreadPool {
  private readonly recorded: number[] = [];
  private readonly recorder = recordingKernels(this.recorded);
  private readonly blocking = canBlock();
  private disposed = false;
  private readonly minWork = minSplitWork;

  /**
   * The control block's words and each worker's call area. Views of a shared memory stay valid
   * when it grows (its old buffer keeps its length, over the same bytes), so they are made once.
   */
  private readonly controlWords: Int32Array;
  private readonly callAreas: Float64Array[];

  private constructor(
    memory: KernelMemory,
    private readonly workers: WorkerHandle[],
    control: number,
  ) {
    const buffer = memory.kernels.memory.buffer;
    this.controlWords = new Int32Array(buffer, control, CONTROL_HEADER_BYTES / 4);
    this.callAreas = workers.map((_, index) =>
      new Float64Array(buffer, callArea(control, index), CALL_AREA_LENGTH)
    );
  }

  /**
   * Starts `count` workers over `memory` (a shared memory), each compiling `module`, the threads
   * build of the kernels `memory` runs. Resolves once every one is ready.
   * @throws Error naming the worker and why, when one fails to start or takes too long
   */
  static async start(count: number, memory: KernelMemory, module: Uint8Array): Promise<ThreadPool> {
    const control = memory.allocate(CONTROL_HEADER_BYTES + count * CALL_AREA_LENGTH * 8);
    memory.bytes(control, CONTROL_HEADER_BYTES).fill(0);
    const spills = memory.allocate(count * 32);
    const workers: WorkerHandle[] = [];
    const started = Array.from({ length: count }, async (_, index) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          const fail = (reason: string) =>
            reject(new Error(`liteq worker thread ${index} failed to start: ${reason}`));
          timer = setTimeout(
            () => fail(`no answer in ${START_TIMEOUT_MS / 1000} s`),
            START_TIMEOUT_MS,
          );
          spawn((reply) => ("error" in reply ? fail(reply.error) : resolve()), fail)
            .then((worker) => {
              workers[index] = worker;
              worker.post({
                memory: memory.kernels.memory,
                module,
                functions: KERNEL_FUNCTIONS,
                index,
                control,
                calls: callArea(control, index),
                callsLength: CALL_AREA_LENGTH,
                spill: spills + index * 32,
                spins: SPINS,
              });
            }, (error) => fail(error instanceof Error ? error.message : String(error)));
        });
      } finally {
        clearTimeout(timer);
      }
    });
    const results = await Promise.allSettled(started);
    const failure = results.find((result) => result.status === "rejected");
    const pool = new ThreadPool(memory, workers, control);
    if (failure) {
      pool.dispose();
      throw (failure as PromiseRejectedResult).reason;
    }
    return pool;
  }

  /** Threads that run a split op: the workers and the calling thread. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Whether `split` has work enough to divide among the threads. */
  divides(split: RowSplit): boolean {
    return split.rows * split.workPerRow >= this.minWork && split.rows >= 2 * split.grain;
  }

  /** Scratch bytes `op` needs when it may run split: one share for each thread. */
  scratchBytes(op: PreparedOp): number {
    const whole = op.scratchBytes ?? 0;
    if (!op.split || !this.divides(op.split)) return whole;
    return Math.max(whole, this.threads * align16(op.split.scratchBytes));
  }

  /**
   * Runs `op` (whose split `divides`) over `scratchBytes(op)` bytes at `scratch`: the calling
   * thread takes the first rows with `kernels`, each worker the next share.
   */
  run(split: RowSplit, scratch: number, kernels: KernelCalls): void {
    if (this.disposed) throw new Error("the interpreter's threads were disposed");
    const ranges = rowRanges(split, this.threads);
    const share = align16(split.scratchBytes);
    const controlWords = this.controlWords;
    for (let worker = 0; worker < this.workers.length; worker++) {
      const [first, end] = ranges[worker + 1];
      this.recorded.length = 0;
      if (first < end) {
        split.runRows(this.recorder, first, end, scratch + (worker + 1) * share);
      }
      // Calls beyond a worker's area (a stack of many images): the op runs here alone.
      if (!this.store(worker)) return split.runRows(kernels, 0, split.rows, scratch);
    }
    Atomics.store(controlWords, CONTROL.pending, this.workers.length);
    Atomics.add(controlWords, CONTROL.generation, 1);
    Atomics.notify(controlWords, CONTROL.generation);
    const [first, end] = ranges[0];
    try {
      split.runRows(kernels, first, end, scratch);
    } finally {
      this.await(controlWords);
    }
    const failed = Atomics.load(controlWords, CONTROL.failedWorker);
    if (failed !== 0) {
      const call = KERNEL_FUNCTIONS[Atomics.load(controlWords, CONTROL.failedCall)];
      Atomics.store(controlWords, CONTROL.failedWorker, 0);
      throw new Error(`liteq worker thread ${failed - 1} failed in the kernel ${call}`);
    }
  }

  /** Writes the recorded calls into `worker`'s call area; false when they do not fit. */
  private store(worker: number): boolean {
    const calls = this.recorded;
    if (calls.length + 1 > CALL_AREA_LENGTH) return false;
    const area = this.callAreas[worker];
    area[0] = calls.length;
    area.set(calls, 1);
    return true;
  }

  /** Waits until every worker has finished the published op. */
  private await(controlWords: Int32Array): void {
    let spins = 0;
    let deadline = Infinity;
    for (let pending; (pending = Atomics.load(controlWords, CONTROL.pending)) !== 0;) {
      if (++spins < SPINS) continue;
      if (this.blocking) Atomics.wait(controlWords, CONTROL.pending, pending, 10);
      const now = performance.now();
      deadline = Math.min(deadline, now + OP_TIMEOUT_MS);
      if (now > deadline) {
        throw new Error(
          `${pending} liteq worker thread(s) did not finish an op in ${OP_TIMEOUT_MS / 1000} s`,
        );
      }
    }
  }

  /** Ends the workers (their memory stays the interpreter's until it is collected). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const controlWords = this.controlWords;
    Atomics.store(controlWords, CONTROL.stop, 1);
    Atomics.add(controlWords, CONTROL.generation, 1);
    Atomics.notify(controlWords, CONTROL.generation);
    for (const worker of this.workers) worker?.terminate();
  }
}
