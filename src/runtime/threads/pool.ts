/**
 * The worker threads of one interpreter: started once at load over its shared wasm memory, each
 * with an instance of the threads build of the kernels, and ended by `dispose` (or left to end
 * with the process: they never keep it alive). A heavy op runs split into chunks of rows, a few
 * per thread: the calling thread records each chunk's kernel calls into a control block in the
 * shared memory, publishes them with one atomic generation bump, then it and the workers take
 * chunks until none is left (a late or descheduled worker takes fewer, or none), and it waits
 * until every chunk is done: no message per op, one barrier.
 */
import { KERNEL_FUNCTIONS } from "../kernel_exports.generated.ts";
import type { KernelMemory } from "../memory.ts";
import type { KernelCalls, PreparedOp, RowSplit } from "../op.ts";
import { type CallRecord, recordingKernels, rowRanges } from "./split.ts";
import {
  CONTROL,
  CONTROL_HEADER_BYTES,
  MAX_KERNEL_ARGUMENTS,
  runChunks,
  workerMain,
  type WorkerReply,
  type WorkerStart,
} from "./worker.ts";

/**
 * Least work (in GEMM multiply-adds, see `RowSplit.workPerRow`) of an op worth splitting: below
 * it the barrier costs more than the other threads save, and the op runs on the calling thread
 * alone. Measured on 2 cores, interleaved against one thread, over several runs: mobile_mnist took
 * 1.00-1.23x its one-thread time at 2^19 and 1.01-1.06x at 2^20 and 2^21, MobileNet V2 0.59-0.67x
 * at all three, and at 2^22 MobileNet V2 lost (0.69-0.75x).
 */
export const MIN_SPLIT_WORK = 1 << 20;

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

let lockstep = false;

/**
 * Makes interpreters loaded from now on run each split op's chunks on the calling thread in
 * lockstep, when `on`: every chunk's first kernel call, then every chunk's second, and so on, as if
 * each chunk had a thread of its own and all kept pace; the same schedule every run, so that the
 * tests see at once a chunk that writes where another reads. Returns the previous setting.
 */
export function setLockstepChunks(on: boolean): boolean {
  const previous = lockstep;
  lockstep = on;
  return previous;
}

/** Float64 values of the call area: an op's chunk table and recorded calls. */
const CALL_AREA_LENGTH = 8192;

/**
 * Chunks per thread an op is cut into, so that threads that start late take fewer. With
 * `MAX_THREADS`, at most 256 chunks an op: `CONTROL.ranges` gives a range's front and end 9 bits.
 */
const CHUNKS_PER_THREAD = 4;

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

/** Whether liteq runs on `worker_threads` here (Deno, Node, Bun) rather than on web workers. */
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
    // A specifier built at run time, so that bundlers for the browser neither follow nor keep it.
    const specifier = ["node", "worker_threads"].join(":");
    const { Worker } = await import(specifier);
    const worker = new Worker(
      `const { parentPort } = require("worker_threads");\n(${workerMain})(` +
        `(handler) => parentPort.once("message", handler), ` +
        `(reply) => parentPort.postMessage(reply), ${runChunks});`,
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
    `(reply) => self.postMessage(reply), ${runChunks});`;
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

/** Rounds up to a multiple of 16 (a v128). */
function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** The worker threads of one interpreter, and the split of heavy ops among them. */
export class ThreadPool {
  private readonly blocking = canBlock();
  private disposed = false;
  /** The least work of an op worth splitting, in GEMM multiply-adds. */
  readonly minWork = minSplitWork;
  /** Whether any op sized so far (`scratchBytes`: every step prepared) divides. */
  private dividing = false;
  private readonly lockstep = lockstep;

  /**
   * The control block's words and its call area. Views of a shared memory stay valid when it
   * grows (its old buffer keeps its length, over the same bytes), so they are made once.
   */
  private readonly controlWords: Int32Array;
  private readonly calls: Float64Array;
  /** The calling thread's kernel functions, in `KERNEL_FUNCTIONS` order. */
  private readonly functions: ((...args: number[]) => unknown)[];
  /** An op's calls, recorded straight into the call area. */
  private readonly record: CallRecord;
  private readonly recorder: KernelCalls;
  private generation = 0;

  private readonly workers: WorkerHandle[] = [];

  private constructor(
    private readonly memory: KernelMemory,
    /** The workers it is to start (`startWorkers`). */
    private readonly workerCount: number,
    private readonly control: number,
    private readonly spills: number,
  ) {
    const buffer = memory.kernels.memory.buffer;
    this.controlWords = new Int32Array(buffer, control, CONTROL_HEADER_BYTES / 4);
    this.calls = new Float64Array(buffer, control + CONTROL_HEADER_BYTES, CALL_AREA_LENGTH);
    this.controlWords[CONTROL.threads] = workerCount + 1;
    this.record = { values: this.calls, length: 0, overflowed: false };
    this.recorder = recordingKernels(this.record);
    const kernels = memory.kernels as unknown as Record<string, (...args: number[]) => unknown>;
    this.functions = KERNEL_FUNCTIONS.map((name) => kernels[name]);
    const wide = KERNEL_FUNCTIONS.find((name) => kernels[name].length > MAX_KERNEL_ARGUMENTS);
    if (wide) {
      throw new Error(`the kernel ${wide} takes over ${MAX_KERNEL_ARGUMENTS} arguments`);
    }
  }

  /**
   * The pool of `count` workers over `memory` (a shared memory), its control block placed, its
   * workers not started yet: the interpreter prepares its ops with it first, and starts them
   * (`startWorkers`) only when one of them divides.
   */
  static create(count: number, memory: KernelMemory): ThreadPool {
    const control = memory.allocate(CONTROL_HEADER_BYTES + CALL_AREA_LENGTH * 8);
    memory.bytes(control, CONTROL_HEADER_BYTES).fill(0);
    return new ThreadPool(memory, count, control, memory.allocate(count * 32));
  }

  /**
   * `create` and `startWorkers` at once.
   * @throws Error naming the worker and why, when one fails to start or takes too long
   */
  static async start(count: number, memory: KernelMemory, module: Uint8Array): Promise<ThreadPool> {
    const pool = ThreadPool.create(count, memory);
    await pool.startWorkers(module);
    return pool;
  }

  /**
   * Starts the workers, each compiling `module`, the threads build of the kernels the memory
   * runs. Resolves once every one is ready; on a failure the pool is disposed.
   * @throws Error naming the worker and why, when one fails to start or takes too long
   */
  async startWorkers(module: Uint8Array): Promise<void> {
    const { memory, control, spills, workers } = this;
    const started = Array.from({ length: this.workerCount }, async (_, index) => {
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
                headerBytes: CONTROL_HEADER_BYTES,
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
    if (failure) {
      this.dispose();
      throw (failure as PromiseRejectedResult).reason;
    }
  }

  /** Whether any op prepared so far has work enough to divide among the threads. */
  get dividesAny(): boolean {
    return this.dividing;
  }

  /** Threads that run a split op: the workers and the calling thread. */
  get threads(): number {
    return this.workerCount + 1;
  }

  /** Whether `split` has work enough to divide among the threads. */
  divides(split: RowSplit): boolean {
    return split.rows * split.workPerRow >= this.minWork && split.rows >= 2 * split.grain;
  }

  /** How many chunks `split` is cut into: a few per thread, at most one per grain of rows. */
  private chunkCount(split: RowSplit): number {
    return Math.min(this.threads * CHUNKS_PER_THREAD, Math.ceil(split.rows / split.grain));
  }

  /** Scratch bytes `op` needs when it may run split: one share for each chunk. */
  scratchBytes(op: PreparedOp): number {
    const whole = op.scratchBytes ?? 0;
    if (!op.split || !this.divides(op.split)) return whole;
    this.dividing = true;
    return Math.max(whole, this.chunkCount(op.split) * align16(op.split.scratchBytes));
  }

  /**
   * Runs `split` (which `divides`) over `scratchBytes(op)` bytes at `scratch`, in chunks taken
   * by the calling thread and the workers; or whole, with `kernels`, when its calls do not fit
   * the call area (a stack of many images).
   */
  run(split: RowSplit, scratch: number, kernels: KernelCalls): void {
    if (this.disposed) throw new Error("the interpreter's threads were disposed");
    const chunks = rowRanges(split, this.chunkCount(split), this.threads);
    const share = align16(split.scratchBytes);
    // The call area: the chunk count, where each chunk's calls start (the last: end), the calls.
    const { record } = this;
    const area = record.values;
    area[0] = chunks.length;
    record.length = chunks.length + 2;
    record.overflowed = false;
    chunks.forEach(([first, end], chunk) => {
      area[1 + chunk] = record.length;
      if (first < end) split.runRows(this.recorder, first, end, scratch + chunk * share);
    });
    area[1 + chunks.length] = record.length;
    if (record.overflowed) return split.runRows(kernels, 0, split.rows, scratch);
    if (this.lockstep) return this.runInLockstep(chunks.length);
    const control = this.controlWords;
    const generation = ++this.generation;
    // Thread t starts with chunks [start(t), start(t + 1)): its share of the rows.
    const threads = this.threads;
    const start = (thread: number) => Math.floor((thread * chunks.length) / threads);
    // The ranges first: a thread still in the last op's loop may have read one, and must fail
    // its compare-and-swap rather than take a chunk of this op counted against the old one.
    for (let thread = 0; thread < threads; thread++) {
      const range = ((generation & 0x3fff) << 18) | (start(thread) << 9) | start(thread + 1);
      Atomics.store(control, CONTROL.ranges + thread, range);
    }
    Atomics.store(control, CONTROL.chunks, chunks.length);
    Atomics.store(control, CONTROL.done, 0);
    Atomics.store(control, CONTROL.generation, generation);
    Atomics.notify(control, CONTROL.generation);
    const failedHere = runChunks(control, area, this.functions, generation, 0);
    this.await(control, chunks.length);
    const failedWorker = Atomics.exchange(control, CONTROL.failedWorker, 0);
    if (failedHere >= 0) {
      throw new Error(`liteq kernel ${KERNEL_FUNCTIONS[failedHere]} failed on the calling thread`);
    }
    if (failedWorker !== 0) {
      const call = KERNEL_FUNCTIONS[Atomics.load(control, CONTROL.failedCall)];
      throw new Error(`liteq worker thread ${failedWorker - 1} failed in the kernel ${call}`);
    }
  }

  /**
   * Runs the `chunks` chunks of calls recorded in the call area on the calling thread, in
   * lockstep (see `setLockstepChunks`).
   */
  private runInLockstep(chunks: number): void {
    const area = this.calls;
    const next = Array.from({ length: chunks }, (_, chunk) => area[1 + chunk]);
    for (let running = true; running;) {
      running = false;
      next.forEach((at, chunk) => {
        if (at >= area[2 + chunk]) return;
        this.functions[area[at]](...area.subarray(at + 2, at + 2 + area[at + 1]));
        next[chunk] = at + 2 + area[at + 1];
        running = true;
      });
    }
  }

  /** Waits until all `chunks` chunks of the published op are done. */
  private await(control: Int32Array, chunks: number): void {
    let spins = 0;
    let deadline = Infinity;
    for (let done; (done = Atomics.load(control, CONTROL.done)) !== chunks;) {
      if (++spins < SPINS) continue;
      if (this.blocking) Atomics.wait(control, CONTROL.done, done, 10);
      const now = performance.now();
      deadline = Math.min(deadline, now + OP_TIMEOUT_MS);
      if (now > deadline) {
        throw new Error(
          `liteq worker threads did not finish ${chunks - done} chunk(s) of an op in ${
            OP_TIMEOUT_MS / 1000
          } s`,
        );
      }
    }
  }

  /**
   * Wakes workers asleep between runs, so that they are spinning by the time the first op is
   * published (`Subgraph.wakeThreads`, when an input is set): a worker that wakes only then
   * leaves that op to the calling thread for the tenth of a millisecond it takes to wake.
   */
  wake(): void {
    Atomics.notify(this.controlWords, CONTROL.generation);
  }

  /** Ends the workers (their memory stays the interpreter's until it is collected). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const controlWords = this.controlWords;
    Atomics.store(controlWords, CONTROL.stop, 1);
    Atomics.store(controlWords, CONTROL.generation, ++this.generation);
    Atomics.notify(controlWords, CONTROL.generation);
    for (const worker of this.workers) worker?.terminate();
  }
}
