/**
 * An interpreter's wasm memory (its own, or shared among its threads): a bump allocator from the
 * kernels' `heap_base()` upward, within a budget, and typed views of what it holds. Views are
 * made when needed, never kept: growing the memory detaches every view made before. What is
 * prepared at invoke for tensors whose shapes are known only then (`dynamic_steps.ts`) lives in
 * dynamic ranges above the rest, given back when those shapes change.
 */
import { type DType, type TensorData, typedArrayOver } from "../format/dtype.ts";
import { UnsupportedModelError } from "./errors.ts";
import type { KernelExports } from "./wasm.ts";

const PAGE = 65536;

/** The default bound on an interpreter's wasm memory: 1 GiB. */
export const DEFAULT_MEMORY_BUDGET = 2 ** 30;

/**
 * A model needs more wasm memory than the budget allows (or than the engine gives). `where` is
 * `model` until the interpreter names the operator being prepared.
 */
export class MemoryBudgetError extends UnsupportedModelError {}

/**
 * A shared wasm memory for the threads build of the kernels (one for all of an interpreter's
 * threads), able to grow to `budget` bytes (at most 4 GiB, wasm32's bound).
 */
export function sharedWasmMemory(budget = DEFAULT_MEMORY_BUDGET): WebAssembly.Memory {
  const maximum = Math.min(65536, Math.max(1, Math.ceil(budget / PAGE)));
  return new WebAssembly.Memory({ initial: 1, maximum, shared: true });
}

/** Memory handed out from `start` up at invoke; `drop` forgets what was placed there. */
interface DynamicRange {
  start: number;
  drop(): void;
}

/** Hands out aligned byte ranges of one kernel instance's memory. */
export class KernelMemory {
  private next: number;
  /** The dynamic ranges in use, in the order they began (so by start). */
  private dynamicRanges: DynamicRange[] = [];

  /**
   * @param kernels the instance whose memory this manages (one per interpreter)
   * @param budget most bytes of memory it may hand out, from address 0
   */
  constructor(readonly kernels: KernelExports, readonly budget: number = DEFAULT_MEMORY_BUDGET) {
    this.next = kernels.heap_base();
  }

  /** Bytes handed out so far, from address 0 (the instance's whole footprint). */
  get used(): number {
    return this.next;
  }

  /** Reserves `bytes` bytes aligned to `align` (16 by default: a v128) and returns the offset. */
  allocate(bytes: number, align = 16): number {
    const offset = Math.ceil(this.next / align) * align;
    const end = offset + bytes;
    if (!(end <= this.budget)) {
      this.refuse(end, `more than the memory budget of ${this.budget} bytes (option memoryBudget)`);
    }
    const memory = this.kernels.memory;
    if (end > memory.buffer.byteLength) {
      try {
        memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
      } catch {
        this.refuse(end, "more than this engine lets WebAssembly memory grow to");
      }
    }
    this.next = end;
    return offset;
  }

  /**
   * Throws a `MemoryBudgetError` at `where` unless `bytes` more bytes fit in the budget beside
   * those in use; `what` names them in the message.
   */
  checkRoom(bytes: number, where: string, what: string): void {
    if (this.next + bytes <= this.budget) return;
    throw new MemoryBudgetError(
      where,
      `${what} takes ${bytes} bytes (${
        (bytes / 2 ** 20).toFixed(1)
      } MiB) beside the ${this.next} in use: more than the memory budget of ${this.budget} bytes (option memoryBudget)`,
    );
  }

  private refuse(end: number, limit: string): never {
    throw new MemoryBudgetError(
      "model",
      `needs ${end} bytes of wasm memory (${(end / 2 ** 20).toFixed(1)} MiB), ${limit}`,
    );
  }

  /** Runs `use` on a temporary `bytes`-byte range, given back afterwards. */
  withTemporary<T>(bytes: number, use: (offset: number) => T): T {
    const mark = this.next;
    try {
      return use(this.allocate(bytes));
    } finally {
      this.next = mark;
    }
  }

  /**
   * Begins a dynamic range at the next free byte: what is allocated from here on belongs to it
   * until the next range begins. `drop` is called when the range is given back (`release` at or
   * below its start, `settle`). Returns its start.
   */
  beginDynamic(drop: () => void): number {
    this.dynamicRanges.push({ start: this.next, drop });
    return this.next;
  }

  /** True while some dynamic range is in use: what is allocated now is given back later. */
  get holdsDynamic(): boolean {
    return this.dynamicRanges.length > 0;
  }

  /** Gives back every byte from `start` up, dropping each dynamic range that began there or above. */
  release(start: number): void {
    const dropped = this.dynamicRanges.filter((range) => range.start >= start);
    this.dynamicRanges = this.dynamicRanges.filter((range) => range.start < start);
    this.next = start;
    for (const range of dropped.reverse()) range.drop();
  }

  /**
   * Gives back every dynamic range, so that what is placed for good next (a signature's
   * subgraph prepared after an invoke) does not sit above memory that a range gives back later.
   */
  settle(): void {
    if (this.dynamicRanges.length > 0) this.release(this.dynamicRanges[0].start);
  }

  /** Copies `data` into newly allocated memory and returns its offset. */
  store(data: TensorData): number {
    const offset = this.allocate(data.byteLength);
    this.bytes(offset, data.byteLength).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
    return offset;
  }

  /** The bytes at `offset`. */
  bytes(offset: number, length: number): Uint8Array {
    return new Uint8Array(this.kernels.memory.buffer, offset, length);
  }

  /** `length` float32 values at `offset`. */
  f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.kernels.memory.buffer, offset, length);
  }

  /** `length` int32 values at `offset`. */
  i32(offset: number, length: number): Int32Array {
    return new Int32Array(this.kernels.memory.buffer, offset, length);
  }

  /** `length` elements of `dtype` at `offset`; throws for dtypes without a typed array. */
  view(dtype: DType, offset: number, length: number): TensorData {
    const view = typedArrayOver(dtype, this.kernels.memory.buffer, offset, length);
    if (!view) throw new Error(`no typed array holds ${dtype} values`);
    return view;
  }
}
