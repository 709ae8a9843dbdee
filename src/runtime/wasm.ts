/**
 * Loading liteq's WebAssembly kernels: from the file beside this module when it is imported from
 * disk (Deno, Bun, Node), by `fetch` when `mod.ts` is imported from an http(s) URL.
 */
import { readUrl } from "../io/files.ts";

/** The exports of `build/liteq_simd.wasm`. Pointers are byte offsets into `memory`. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  relaxed_self_test(): number;
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
  qs8_pack_weights(source: number, n: number, k: number, depth: number, packed: number): void;
  qs8_im2col(
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
    depth: number,
    pad: number,
    patches: number,
  ): void;
  qs8_dot_peak(iterations: number): number;
  relaxed_dot_peak(iterations: number): number;
  f32_range(input: number, n: number, out: number): void;
  qs8_widen(
    source: number,
    rows: number,
    k: number,
    stride: number,
    depth: number,
    target: number,
  ): void;
  qs8_quantize_hybrid(
    input: number,
    output: number,
    n: number,
    inverse: number,
    zeroPoint: number,
    low: number,
  ): void;
  qs8_gemm_dequantize_4x8(
    a: number,
    lda: number,
    depth: number,
    packed: number,
    bias: number,
    scales: number,
    rowScale: number,
    floatBias: number,
    c: number,
    ldc: number,
    m: number,
    n: number,
    low: number,
    high: number,
  ): void;
  qs8_depthwise_dequantize_x8(
    input: number,
    inH: number,
    inW: number,
    c: number,
    filter: number,
    interiorBias: number,
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
    inputZero: number,
    scales: number,
    rowScale: number,
    floatBias: number,
    low: number,
    high: number,
    output: number,
  ): void;
  qs8_quantize(input: number, output: number, n: number, scale: number, zeroPoint: number): void;
  qs8_channel_params(
    multiplier: number,
    shift: number,
    count: number,
    params: number,
    singleRounding: number,
  ): number;
  qs8_binary(
    op: number,
    a: number,
    aStep: number,
    b: number,
    bStep: number,
    output: number,
    n: number,
    zeroA: number,
    zeroB: number,
    zeroOut: number,
    low: number,
    high: number,
    paramsA: number,
    paramsB: number,
    paramsOut: number,
  ): void;
  qs8_depthwise_x8(
    input: number,
    inH: number,
    inW: number,
    channels: number,
    filter: number,
    bias: number,
    interiorBias: number,
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
    inputZero: number,
    params: number,
    padded: number,
    zeroPoint: number,
    low: number,
    high: number,
    output: number,
    requantization: number,
  ): void;
  qs8_gemm_4x8(
    a: number,
    lda: number,
    depth: number,
    packed: number,
    bias: number,
    params: number,
    padded: number,
    c: number,
    ldc: number,
    m: number,
    n: number,
    zeroPoint: number,
    low: number,
    high: number,
    requantization: number,
  ): void;
  qs8_depthwise(
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
    inputZero: number,
    channelMultiplier: number,
    channelShift: number,
    zeroPoint: number,
    low: number,
    high: number,
    output: number,
  ): void;
}

/** Which build of the kernels runs: plain SIMD, or with relaxed SIMD (fused multiply-add, dot). */
export type KernelVariant = "simd" | "relaxed";

const MODULES: Record<KernelVariant, URL> = {
  simd: new URL("../../build/liteq_simd.wasm", import.meta.url),
  relaxed: new URL("../../build/liteq_relaxed.wasm", import.meta.url),
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

async function instantiate(variant: KernelVariant): Promise<KernelExports> {
  const instance = await WebAssembly.instantiate(await compileVariant(variant), IMPORTS);
  return instance.exports as unknown as KernelExports;
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
