/**
 * Loading liteq's WebAssembly kernels: from the file beside this module when it is imported from
 * disk (Deno, Bun, Node), by `fetch` when `mod.ts` is imported from an http(s) URL.
 */
import { readUrl } from "../io/files.ts";
import { KERNEL_FUNCTIONS, type KernelExports } from "./kernel_exports.generated.ts";

export type { KernelExports };

/**
 * Which build of the kernels runs: plain SIMD; with relaxed SIMD (fused multiply-add, int8 dot
 * product); or relaxed SIMD for integers only, its float arithmetic unfused and so exactly
 * TFLite's (`relaxed-exact`, for models with hybrid layers).
 */
export type KernelVariant = "simd" | "relaxed" | "relaxed-exact";

const MODULES: Record<KernelVariant, URL> = {
  simd: new URL("../../build/liteq_simd.wasm", import.meta.url),
  relaxed: new URL("../../build/liteq_relaxed.wasm", import.meta.url),
  "relaxed-exact": new URL("../../build/liteq_relaxed_exact.wasm", import.meta.url),
};

const IMPORTS = {
  env: {
    abort: (_message: number, _file: number, line: number, column: number) => {
      throw new Error(`liteq kernel aborted at ${line}:${column}`);
    },
  },
};

const compiled = new Map<KernelVariant, Promise<WebAssembly.Module>>();

function compileVariant(variant: KernelVariant): Promise<WebAssembly.Module> {
  let module = compiled.get(variant);
  if (!module) {
    module = readUrl(MODULES[variant]).then((bytes) => WebAssembly.compile(bytes));
    compiled.set(variant, module);
  }
  return module;
}

/**
 * The one place where a module's exports become `KernelExports`: throws unless they hold the
 * memory and every function the generated interface declares (a build older or newer than
 * `kernel_exports.generated.ts`).
 */
function assertKernelExports(
  exports: WebAssembly.Exports,
  source: URL,
): asserts exports is WebAssembly.Exports & KernelExports {
  const missing: string[] = KERNEL_FUNCTIONS.filter((name) => typeof exports[name] !== "function");
  if (!(exports.memory instanceof WebAssembly.Memory)) missing.unshift("memory");
  if (missing.length > 0) {
    throw new Error(
      `${source} lacks the kernel exports ${missing.join(", ")}: it does not match ` +
        "src/runtime/kernel_exports.generated.ts (run `deno task build`)",
    );
  }
}

async function instantiate(variant: KernelVariant): Promise<KernelExports> {
  const instance = await WebAssembly.instantiate(await compileVariant(variant), IMPORTS);
  assertKernelExports(instance.exports, MODULES[variant]);
  return instance.exports;
}

let relaxedWorks: Promise<boolean> | undefined;

/**
 * Whether the relaxed build compiles here and its self-test passes (engines without relaxed
 * SIMD refuse the module; some compute the relaxed dot product wrongly).
 */
export function relaxedSimdWorks(): Promise<boolean> {
  relaxedWorks ??= instantiate("relaxed")
    .then((kernels) => kernels.relaxed_self_test() === 1)
    .catch(() => false);
  return relaxedWorks;
}

/** The variant `auto` stands for here: relaxed when it works, plain SIMD otherwise. */
export async function resolveVariant(variant: KernelVariant | "auto"): Promise<KernelVariant> {
  if (variant !== "auto") return variant;
  return (await relaxedSimdWorks()) ? "relaxed" : "simd";
}

/**
 * A fresh instance of the kernels, with its own memory (one per interpreter, so that each lays
 * out its memory alone). Modules are fetched and compiled once per process.
 */
export async function loadKernels(
  variant: KernelVariant | "auto" = "auto",
): Promise<KernelExports> {
  return instantiate(await resolveVariant(variant));
}
