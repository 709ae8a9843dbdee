/**
 * Loading liteq's WebAssembly kernels: by default the two builds embedded in
 * `kernels_embedded.generated.ts` (imported on first use, so that a caller who gives its own
 * kernels never parses them, and bundles need no file beside them); or a build the caller gives
 * as a URL, a path, bytes or a compiled module. The threads builds (the same kernels over an
 * imported shared memory) are embedded apart and loaded only for several threads.
 */
import { readSource } from "../io/read_source.ts";
import { KERNEL_FUNCTIONS, type KernelExports } from "./kernel_exports.generated.ts";

export type { KernelExports };

/**
 * Which build of the kernels runs: plain SIMD; relaxed SIMD for integers only, its float
 * arithmetic unfused and so exactly TFLite's (`relaxed-exact`: the int8 dot product); or relaxed
 * SIMD throughout (`relaxed`: fused multiply-adds in the float kernels too).
 */
export type KernelVariant = "simd" | "relaxed" | "relaxed-exact";

/**
 * One build of the kernels: the URL or path of its `.wasm` file (`build/liteq_simd.wasm`), its
 * bytes, or the compiled module.
 */
export type KernelSource = URL | string | Uint8Array | ArrayBuffer | WebAssembly.Module;

/**
 * The kernels a caller gives: one build, taken as the plain SIMD build, or the builds by variant
 * (`auto` then takes the relaxed-exact one when it is given and works here).
 */
export type KernelSources =
  | KernelSource
  | { simd: KernelSource; relaxed?: KernelSource; "relaxed-exact"?: KernelSource };

const IMPORTS = {
  env: {
    abort: (_message: number, _file: number, line: number, column: number) => {
      throw new Error(`liteq kernel aborted at ${line}:${column}`);
    },
  },
};

/** `Uint8Array.fromBase64`, where the engine has it (Deno, recent browsers). */
const fromBase64 = (Uint8Array as { fromBase64?: (text: string) => Uint8Array<ArrayBuffer> })
  .fromBase64;

/**
 * Base64 to bytes: by `Uint8Array.fromBase64` (microseconds), else by `atob` and a loop, which
 * every runtime liteq supports has (milliseconds before the loop is optimized).
 */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  if (fromBase64) return fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

const embeddedModules = new Map<KernelVariant, Promise<WebAssembly.Module>>();
const modulesByUrl = new Map<string, Promise<WebAssembly.Module>>();
const modulesByBytes = new WeakMap<object, Promise<WebAssembly.Module>>();

/** The embedded build of `variant`, compiled once per process. */
function compileEmbedded(variant: KernelVariant): Promise<WebAssembly.Module> {
  let module = embeddedModules.get(variant);
  if (!module) {
    module = import("./kernels_embedded.generated.ts").then((embedded) =>
      WebAssembly.compile(decodeBase64(embedded.KERNELS_BASE64[variant]))
    );
    embeddedModules.set(variant, module);
  }
  return module;
}

/** A build the caller gave, compiled once per URL, path or bytes object (once it succeeds). */
function compileSource(source: KernelSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    let module = modulesByBytes.get(source);
    if (!module) {
      module = WebAssembly.compile(source as Uint8Array<ArrayBuffer>);
      modulesByBytes.set(source, module);
    }
    return module;
  }
  const key = source instanceof URL ? source.href : source;
  let module = modulesByUrl.get(key);
  if (!module) {
    module = readSource(source).then((bytes) => WebAssembly.compile(bytes));
    modulesByUrl.set(key, module);
    module.catch(() => modulesByUrl.delete(key)); // a failed read is retried by the next load
  }
  return module;
}

function byVariant(
  sources: KernelSources,
): { simd: KernelSource; relaxed?: KernelSource; "relaxed-exact"?: KernelSource } {
  const single = typeof sources === "string" || sources instanceof URL ||
    sources instanceof Uint8Array || sources instanceof ArrayBuffer ||
    sources instanceof WebAssembly.Module;
  return single ? { simd: sources } : sources;
}

/** The module of `variant`: embedded, or from `sources` (which must hold that build). */
function compileVariant(
  variant: KernelVariant,
  sources?: KernelSources,
): Promise<WebAssembly.Module> {
  if (sources === undefined) return compileEmbedded(variant);
  const source = byVariant(sources)[variant];
  if (source === undefined) {
    return Promise.reject(new RangeError(`the kernels given have no ${variant} build`));
  }
  return compileSource(source);
}

/** Where a build came from, for messages. */
function describe(variant: KernelVariant, sources?: KernelSources): string {
  const source = sources === undefined ? undefined : byVariant(sources)[variant];
  if (source === undefined) return `the embedded ${variant} kernels`;
  if (typeof source === "string" || source instanceof URL) return String(source);
  return `the ${variant} kernels given`;
}

/**
 * The one place where a module's exports become `KernelExports`: throws unless they hold the
 * memory and every function the generated interface declares (a build older or newer than
 * `kernel_exports.generated.ts`).
 */
function assertKernelExports(
  exports: WebAssembly.Exports,
  source: string,
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

async function instantiate(module: WebAssembly.Module, source: string): Promise<KernelExports> {
  const instance = await WebAssembly.instantiate(module, IMPORTS);
  assertKernelExports(instance.exports, source);
  return instance.exports;
}

const relaxedWorks = new WeakMap<WebAssembly.Module, Promise<boolean>>();

/**
 * Whether the relaxed-exact build (embedded, or in `sources`) compiles here and its self-test
 * passes (engines without relaxed SIMD refuse the module; some compute the relaxed dot product
 * wrongly).
 */
export async function relaxedSimdWorks(sources?: KernelSources): Promise<boolean> {
  let module: WebAssembly.Module;
  try {
    module = await compileVariant("relaxed-exact", sources);
  } catch {
    return false;
  }
  let works = relaxedWorks.get(module);
  if (!works) {
    works = instantiate(module, describe("relaxed-exact", sources))
      .then((kernels) => kernels.relaxed_self_test() === 1)
      .catch(() => false);
    relaxedWorks.set(module, works);
  }
  return works;
}

/**
 * The variant `auto` stands for here: relaxed-exact (TFLite's float results, the int8 dot
 * product) when it works, plain SIMD otherwise.
 */
export async function resolveVariant(
  variant: KernelVariant | "auto",
  sources?: KernelSources,
): Promise<KernelVariant> {
  if (variant !== "auto") return variant;
  return (await relaxedSimdWorks(sources)) ? "relaxed-exact" : "simd";
}

/**
 * A fresh instance of the kernels, with its own memory (one per interpreter, so that each lays
 * out its memory alone): the embedded build of `variant`, or the one in `sources`. Each module
 * is read and compiled once per process.
 */
export async function loadKernels(
  variant: KernelVariant | "auto" = "auto",
  sources?: KernelSources,
): Promise<KernelExports> {
  const resolved = await resolveVariant(variant, sources);
  return instantiate(await compileVariant(resolved, sources), describe(resolved, sources));
}

const threadsBytes = new Map<KernelVariant, Promise<Uint8Array<ArrayBuffer>>>();

/**
 * The threads build of `variant` (the same kernels over an imported shared memory, embedded in
 * `kernels_threads_embedded.generated.ts`, imported on first use) instantiated over `memory`,
 * which every worker thread instantiates the same build over, and the build's bytes for the
 * workers to compile.
 */
export async function loadSharedKernels(
  variant: KernelVariant,
  memory: WebAssembly.Memory,
): Promise<{ kernels: KernelExports; module: Uint8Array }> {
  let bytes = threadsBytes.get(variant);
  if (!bytes) {
    bytes = import("./kernels_threads_embedded.generated.ts").then((embedded) =>
      decodeBase64(embedded.KERNELS_BASE64[variant])
    );
    threadsBytes.set(variant, bytes);
  }
  const module = await bytes;
  const imports = { env: { ...IMPORTS.env, memory } };
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(module), imports);
  assertKernelExports(instance.exports, `the embedded ${variant} threads build`);
  return { kernels: instance.exports, module };
}
