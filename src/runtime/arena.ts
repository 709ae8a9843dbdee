/** A bump allocator over a kernel module's memory, growing it on demand. */
import type { KernelExports } from "./wasm.ts";

const PAGE = 65536;

/** Hands out aligned byte ranges of wasm memory from `heap_base()` upward. */
export class Arena {
  private next: number;

  constructor(private readonly kernels: KernelExports) {
    this.next = kernels.heap_base();
  }

  /** Reserves `bytes` bytes aligned to `align` (16 by default: a v128) and returns the offset. */
  allocate(bytes: number, align = 16): number {
    const offset = Math.ceil(this.next / align) * align;
    const end = offset + bytes;
    const memory = this.kernels.memory;
    if (end > memory.buffer.byteLength) {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    }
    this.next = end;
    return offset;
  }
}
