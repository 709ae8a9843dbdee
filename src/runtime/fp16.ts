/** Widening float16 constants to float32, on the `f16_to_f32_x8` kernel. */
import { Arena } from "./arena.ts";
import type { KernelExports } from "./wasm.ts";

/** float16 values (raw IEEE half bits) widened exactly to float32. */
export function widenFloat16(kernels: KernelExports, halves: Uint16Array): Float32Array {
  const arena = new Arena(kernels);
  const source = arena.allocate(halves.byteLength);
  const destination = arena.allocate(halves.length * 4);
  new Uint16Array(kernels.memory.buffer, source, halves.length).set(halves);
  kernels.f16_to_f32_x8(source, destination, halves.length);
  return new Float32Array(kernels.memory.buffer, destination, halves.length).slice();
}
