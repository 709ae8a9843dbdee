/**
 * What a liteq worker thread runs: it instantiates the threads build of the kernels over the
 * interpreter's shared memory, then, for each op the calling thread publishes, takes chunks of
 * the recorded kernel calls until none is left, as the calling thread does (`runChunks`).
 * `workerMain` and `runChunks` are self-contained (they import and close over nothing), so that
 * their source text can start a worker anywhere: a `Blob` URL in browsers, `worker_threads` code
 * in Deno, Node and Bun, whatever bundles liteq.
 */

import { MAX_THREADS } from "./options.ts";

/** The words of the control block (an Int32Array at its start), shared with the pool. */
export const CONTROL = {
  /** Bumped by the calling thread to publish an op (or the stop). */
  generation: 0,
  /** The op's chunk count. */
  chunks: 2,
  /** Chunks of the op done, by any thread. */
  done: 3,
  /** Nonzero once the workers are to end. */
  stop: 4,
  /** 1 + the index of a worker whose kernel call threw (0: none). */
  failedWorker: 5,
  /** The index in `KERNEL_FUNCTIONS` of the call that threw. */
  failedCall: 6,
  /** The threads that take chunks: the calling thread (thread 0) and the workers (1 on). */
  threads: 7,
  /**
   * The first of `MAX_THREADS` words, one a thread: the range of chunks it starts with that no
   * thread has taken yet, `front << 9 | end`, tagged with the op's generation (its low 14 bits,
   * from bit 18). The thread takes chunks from its own range, then from the others', each from
   * the front by a compare-and-swap from the value it read: so none takes a chunk of an op other
   * than the one it woke for (the calling thread retags the ranges before it changes anything
   * else).
   */
  ranges: 16,
} as const;

/**
 * Most arguments a kernel takes: `runChunks` passes each call this many values from the call area
 * (a wasm function ignores those past its own), and the pool refuses kernels that take more.
 */
export const MAX_KERNEL_ARGUMENTS = 9;

/** Bytes of the control block's header (before the call area). */
export const CONTROL_HEADER_BYTES = (CONTROL.ranges + MAX_THREADS) * 4;

/**
 * What the pool posts to a worker to start it. The call area (float64 values after the header)
 * holds the op's chunk count C, then C + 1 indices into the area where each chunk's calls start
 * (the last: where they end), then the calls: for each, the function's index in
 * `KERNEL_FUNCTIONS`, the number of arguments, the arguments.
 */
export interface WorkerStart {
  /** The interpreter's shared wasm memory. */
  memory: WebAssembly.Memory;
  /** The threads build of the kernels, to compile. */
  module: Uint8Array;
  /** The kernel function names, in `KERNEL_FUNCTIONS` order. */
  functions: readonly string[];
  /** This worker's index, from 0. */
  index: number;
  /** Byte offset of the control block. */
  control: number;
  /** Bytes of the control block's header, before the call area. */
  headerBytes: number;
  /** Float64 values of the call area. */
  callsLength: number;
  /** Byte offset of this worker's 32-byte spill area. */
  spill: number;
  /** Loads of an unchanged generation before a worker sleeps on it. */
  spins: number;
}

/** What a worker posts back once: ready, or why it could not start. */
export type WorkerReply = { ready: true } | { error: string };

/**
 * Takes and runs chunks of the op of generation `generation` until none is left: the loop both
 * the workers and the calling thread run. Thread `thread` takes the chunks of its own range first
 * (the same part of each op's rows, so that it reads mostly what it wrote itself), then those left
 * in the other threads' ranges; each range from the front, where its chunks are largest (see
 * `rowRanges`). Returns the index of a call that threw, or -1.
 */
export function runChunks(
  control: Int32Array,
  calls: Float64Array,
  functions: ((...args: number[]) => unknown)[],
  generation: number,
  thread: number,
): number {
  // The words of CONTROL, written out: workerMain inlines this function's source.
  const CHUNKS = 2, DONE = 3, THREADS = 7, RANGES = 16;
  const tag = generation & 0x3fff;
  const threads = Atomics.load(control, THREADS);
  for (let owner = thread, left = threads; left > 0; owner = (owner + 1) % threads, left--) {
    for (;;) {
      const range = Atomics.load(control, RANGES + owner);
      if (range >>> 18 !== tag) return -1;
      const chunk = (range >>> 9) & 0x1ff;
      if (chunk >= (range & 0x1ff)) break;
      if (Atomics.compareExchange(control, RANGES + owner, range, range + 0x200) !== range) {
        continue;
      }
      let call = -1;
      let failed = -1;
      try {
        for (let at = calls[1 + chunk]; at < calls[2 + chunk]; at += 2 + calls[at + 1]) {
          call = calls[at];
          // MAX_KERNEL_ARGUMENTS values, written out: spreading a subarray cost 50 times the call.
          functions[call](
            calls[at + 2],
            calls[at + 3],
            calls[at + 4],
            calls[at + 5],
            calls[at + 6],
            calls[at + 7],
            calls[at + 8],
            calls[at + 9],
            calls[at + 10],
          );
        }
      } catch {
        failed = call;
      }
      if (Atomics.add(control, DONE, 1) + 1 === Atomics.load(control, CHUNKS)) {
        Atomics.notify(control, DONE);
      }
      // The other chunks are left to the other threads.
      if (failed >= 0) return failed;
    }
  }
  return -1;
}

/**
 * The worker: `receive` registers the handler of the one start message, `send` posts the reply.
 * After replying ready it never returns to its event loop: it waits on the control block, and
 * takes chunks of each op published. Its source is `runChunks` and `workerMain` (see `spawn`).
 */
export function workerMain(
  receive: (handler: (start: WorkerStart) => void) => void,
  send: (reply: WorkerReply) => void,
  take: typeof runChunks,
): void {
  receive(async (start) => {
    let functions: ((...args: number[]) => unknown)[];
    try {
      const imports = {
        env: {
          memory: start.memory,
          abort: (_message: number, _file: number, line: number, column: number) => {
            throw new Error(`liteq kernel aborted at ${line}:${column}`);
          },
        },
      };
      const module = await WebAssembly.compile(start.module as Uint8Array<ArrayBuffer>);
      const instance = await WebAssembly.instantiate(module, imports);
      const exports = instance.exports as Record<string, (...args: number[]) => unknown>;
      functions = start.functions.map((name) => exports[name]);
      exports.set_spill_area(start.spill);
    } catch (error) {
      send({ error: error instanceof Error ? error.message : String(error) });
      return;
    }
    // The words of CONTROL, written out: this function may use nothing from outside it.
    const GENERATION = 0, STOP = 4, FAILED_WORKER = 5, FAILED_CALL = 6;
    const { buffer } = start.memory;
    const control = new Int32Array(buffer, start.control, start.headerBytes / 4);
    const calls = new Float64Array(buffer, start.control + start.headerBytes, start.callsLength);
    // Read before replying: the first op may be published as soon as the pool has the reply.
    let seen = Atomics.load(control, GENERATION);
    send({ ready: true });
    for (;;) {
      let spins = 0;
      while (Atomics.load(control, GENERATION) === seen) {
        if (++spins > start.spins) {
          Atomics.wait(control, GENERATION, seen);
          spins = 0;
        }
      }
      seen = Atomics.load(control, GENERATION);
      if (Atomics.load(control, STOP) !== 0) return;
      const failed = take(control, calls, functions, seen, start.index + 1);
      if (failed >= 0) {
        Atomics.store(control, FAILED_CALL, failed);
        Atomics.store(control, FAILED_WORKER, start.index + 1);
      }
    }
  });
}
