/**
 * Loading liteq's WebAssembly kernels: from the file beside this module when it is imported from
 * disk (Deno, Bun, Node), by `fetch` when `mod.ts` is imported from an http(s) URL.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** The exports of `build/liteq_simd.wasm`. Pointers are byte offsets into `memory`. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  f16_to_f32_x8(source: number, destination: number, count: number): void;
}

const SIMD_MODULE = new URL("../../build/liteq_simd.wasm", import.meta.url);

/** The bytes of a wasm file: read from disk for `file:` URLs, fetched otherwise. */
export async function wasmBytes(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  if (url.protocol === "file:") return new Uint8Array(await readFile(fileURLToPath(url)));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

let loaded: Promise<KernelExports> | undefined;

/** The kernels, compiled and instantiated once per process. */
export function loadKernels(): Promise<KernelExports> {
  loaded ??= (async () => {
    const module = await WebAssembly.compile(await wasmBytes(SIMD_MODULE));
    const instance = await WebAssembly.instantiate(module, {
      env: {
        abort: (_message: number, _file: number, line: number, column: number) => {
          throw new Error(`liteq kernel aborted at ${line}:${column}`);
        },
      },
    });
    return instance.exports as unknown as KernelExports;
  })();
  return loaded;
}
