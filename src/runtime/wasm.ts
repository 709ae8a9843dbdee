/**
 * Loading liteq's WebAssembly kernels: from the file beside this module when it is imported from
 * disk (Deno, Bun, Node), by `fetch` when `mod.ts` is imported from an http(s) URL.
 */
import { readUrl } from "../io/files.ts";

/** The exports of `build/liteq_simd.wasm`. Pointers are byte offsets into `memory`. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  f16_to_f32_x8(source: number, destination: number, count: number): void;
  f32_pack_rhs(
    source: number,
    n: number,
    k: number,
    strideN: number,
    strideK: number,
    packed: number,
  ): void;
  f32_gemm_4x8(
    a: number,
    lda: number,
    packed: number,
    bias: number,
    c: number,
    ldc: number,
    m: number,
    n: number,
    k: number,
    low: number,
    high: number,
  ): void;
  f32_im2col(
    input: number,
    inH: number,
    inW: number,
    channels: number,
    kH: number,
    kW: number,
    strideH: number,
    strideW: number,
    dilationH: number,
    dilationW: number,
    padTop: number,
    padLeft: number,
    outW: number,
    rowStart: number,
    rows: number,
    patches: number,
  ): void;
  f32_depthwise(
    input: number,
    inH: number,
    inW: number,
    channels: number,
    filter: number,
    bias: number,
    kH: number,
    kW: number,
    strideH: number,
    strideW: number,
    dilationH: number,
    dilationW: number,
    padTop: number,
    padLeft: number,
    outH: number,
    outW: number,
    output: number,
    low: number,
    high: number,
  ): void;
  f32_depthwise_multiplier(
    input: number,
    inH: number,
    inW: number,
    channels: number,
    multiplier: number,
    filter: number,
    bias: number,
    kH: number,
    kW: number,
    strideH: number,
    strideW: number,
    dilationH: number,
    dilationW: number,
    padTop: number,
    padLeft: number,
    outH: number,
    outW: number,
    output: number,
    low: number,
    high: number,
  ): void;
  f32_pool(
    average: number,
    input: number,
    inH: number,
    inW: number,
    channels: number,
    kH: number,
    kW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
    outH: number,
    outW: number,
    output: number,
    low: number,
    high: number,
  ): void;
  f32_binary(
    op: number,
    a: number,
    aStep: number,
    b: number,
    bStep: number,
    output: number,
    n: number,
    low: number,
    high: number,
  ): void;
  f32_unary(
    op: number,
    input: number,
    output: number,
    n: number,
    alpha: number,
    low: number,
    high: number,
  ): void;
  f32_softmax(input: number, output: number, rows: number, columns: number, beta: number): void;
}

const SIMD_MODULE = new URL("../../build/liteq_simd.wasm", import.meta.url);

let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * A fresh instance of the kernels, with its own memory (one per interpreter, so that each lays
 * out its memory alone). The module is fetched and compiled once per process.
 */
export async function loadKernels(): Promise<KernelExports> {
  compiled ??= readUrl(SIMD_MODULE).then((bytes) => WebAssembly.compile(bytes));
  const instance = await WebAssembly.instantiate(await compiled, {
    env: {
      abort: (_message: number, _file: number, line: number, column: number) => {
        throw new Error(`liteq kernel aborted at ${line}:${column}`);
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}
