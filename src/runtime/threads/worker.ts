/**
 * What a liteq worker thread runs: it instantiates the threads build of the kernels over the
 * interpreter's shared memory, then, for each op the calling thread publishes, makes the kernel
 * calls recorded for it and counts itself done. `workerMain` is self-contained (it imports and
 * closes over nothing), so that its source text can start a worker anywhere: a `Blob` URL in
 * browsers, `worker_threads` code in Deno, Node and Bun, whatever bundles liteq.
 */

/** The words of the control block (an Int32Array at its start), shared with the pool. */
export const CONTROL = {
  /** Bumped by the calling thread to publish an op (or the stop). */
  generation: 0,
  /** Workers still running the published op. */
  pending: 1,
  /** Nonzero once the workers are to end. */
  stop: 2,
  /** 1 + the index of a worker whose kernel call threw (0: none). */
  failedWorker: 3,
  /** The index in `KERNEL_FUNCTIONS` of the call that threw. */
  failedCall: 4,
} as const;

/** Bytes of the control block's header (before the workers' call areas). */
export const CONTROL_HEADER_BYTES = 64;

/** What the pool posts to a worker to start it. */
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
  /** Byte offset and float64 count of this worker's call area. */
  calls: number;
  callsLength: number;
  /** Byte offset of this worker's 32-byte spill area. */
  spill: number;
  /** Loads of an unchanged generation before a worker sleeps on it. */
  spins: number;
}

/** What a worker posts back once: ready, or why it could not start. */
export type WorkerReply = { ready: true } | { error: string };

/**
 * The worker: `receive` registers the handler of the one start message, `send` posts the reply.
 * After replying ready it never returns to its event loop: it waits on the control block.
 */
export function workerMain(
  receive: (handler: (start: WorkerStart) => void) => void,
  send: (reply: WorkerReply) => void,
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
    const GENERATION = 0, PENDING = 1, STOP = 2, FAILED_WORKER = 3, FAILED_CALL = 4;
    const control = new Int32Array(start.memory.buffer, start.control, 16);
    const calls = new Float64Array(start.memory.buffer, start.calls, start.callsLength);
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
      const end = 1 + calls[0];
      let call = -1;
      try {
        for (let at = 1; at < end; at += 2 + calls[at + 1]) {
          call = calls[at];
          functions[call](...calls.subarray(at + 2, at + 2 + calls[at + 1]));
        }
      } catch {
        Atomics.store(control, FAILED_CALL, call);
        Atomics.store(control, FAILED_WORKER, start.index + 1);
      }
      if (Atomics.sub(control, PENDING, 1) === 1) Atomics.notify(control, PENDING);
    }
  });
}
