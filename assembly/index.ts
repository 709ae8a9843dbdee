// liteq's WebAssembly kernels. Pointers are byte offsets into this module's memory, which the
// TypeScript side lays out from `heap_base()` upward.

export { f16_to_f32_x8 } from "./fp16";

/** The first byte of memory free for the caller's buffers. */
export function heap_base(): usize {
  return __heap_base;
}
