/** Test helpers for calling the wasm kernels directly on arrays, and a seeded random source. */
import { KernelMemory } from "../../src/runtime/memory.ts";
import { type KernelVariant, loadKernels, relaxedSimdWorks } from "../../src/runtime/wasm.ts";

/** The kernel builds this engine runs: plain SIMD, and relaxed SIMD where it works. */
export const VARIANTS: KernelVariant[] = (await relaxedSimdWorks())
  ? ["simd", "relaxed"]
  : ["simd"];

/** A fresh kernel instance (of `variant`) with its memory allocator. */
export async function freshMemory(variant: KernelVariant = "simd"): Promise<KernelMemory> {
  return new KernelMemory(await loadKernels(variant));
}

/** Copies float32 values into kernel memory; returns the offset. */
export function putF32(memory: KernelMemory, values: ArrayLike<number>): number {
  const offset = memory.allocate(Math.max(16, values.length * 4));
  memory.f32(offset, values.length).set(values);
  return offset;
}

/** A deterministic generator of floats in [-1, 1) (xorshift32). */
export function randomFloats(seed: number): (count: number) => Float32Array {
  let state = seed >>> 0 || 1;
  return (count) =>
    Float32Array.from({ length: count }, () => {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state / 2 ** 31 - 1;
    });
}

/** Asserts |actual - expected| <= tolerance * max(1, |expected|) everywhere (NaN equals NaN). */
export function assertNear(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  tolerance = 1e-5,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  }
  for (let index = 0; index < expected.length; index++) {
    const want = expected[index];
    const got = actual[index];
    if (Number.isNaN(want) && Number.isNaN(got)) continue;
    if (want === got) continue;
    if (!(Math.abs(got - want) <= tolerance * Math.max(1, Math.abs(want)))) {
      throw new Error(`${what}: element ${index} is ${got}, expected ${want}`);
    }
  }
}
