/** `deno bench` of the float32 kernels on typical shapes, in each kernel build this engine runs. */
import { type LayerFields, storeLayer } from "../src/runtime/kernel_layout.ts";
import { KernelMemory } from "../src/runtime/memory.ts";
import {
  CHANNEL_PARAM_ARRAYS,
  oneShiftConstants,
  Requantization,
} from "../src/runtime/ops/common/weight_packing.ts";
import { dotGemmScratchBytes } from "../src/runtime/ops/common/int8_gemm.ts";
import { loadKernels, relaxedSimdWorks } from "../src/runtime/wasm.ts";

const variants = (await relaxedSimdWorks()) ? ["simd", "relaxed"] as const : ["simd"] as const;

for (const variant of variants) {
  const memory = new KernelMemory(await loadKernels(variant));
  const kernels = memory.kernels;
  const filled = (count: number) => {
    const offset = memory.allocate(count * 4);
    memory.f32(offset, count).forEach((
      _,
      index,
      view,
    ) => (view[index] = ((index * 37) % 101) / 101));
    return offset;
  };
  const [m, n, k] = [256, 256, 256];
  const a = filled(m * k);
  const b = filled(n * k);
  const packed = memory.allocate(n * k * 4);
  kernels.f32_pack_rhs(b, n, k, k, 1, packed);
  const bias = filled(n);
  const c = memory.allocate(m * n * 4);
  const gemmLayer = storeLayer(memory, {
    n,
    depth: k,
    lda: k,
    ldc: n,
    bias,
    lowF: -Infinity,
    highF: Infinity,
  });
  Deno.bench(
    `f32_gemm_4x8 256x256x256 (${variant}; 16.8M multiply-adds)`,
    { group: "gemm" },
    () => {
      kernels.f32_gemm_4x8(a, packed, c, m, gemmLayer);
    },
  );

  const [h, w, channels] = [56, 56, 144];
  const input = filled(h * w * channels);
  const filter = filled(9 * channels);
  const depthwiseBias = filled(channels);
  const output = memory.allocate(h * w * channels * 4);
  // A 3x3 window over 56x56x144, stride 1, SAME padding.
  const window3x3 = {
    inH: h,
    inW: w,
    channels,
    kH: 3,
    kW: 3,
    strideH: 1,
    strideW: 1,
    dilationH: 1,
    dilationW: 1,
    padTop: 1,
    padLeft: 1,
    outH: h,
    outW: w,
  };
  const depthwiseLayer = storeLayer(memory, {
    ...window3x3,
    filter,
    bias: depthwiseBias,
    lowF: 0,
    highF: 6,
  });
  Deno.bench(`f32_depthwise 3x3 56x56x144 (${variant})`, { group: "depthwise" }, () => {
    kernels.f32_depthwise(input, output, depthwiseLayer);
  });

  const a8 = filled(m * k / 2); // int8 values widened to int16: any values will do
  const packed8 = memory.allocate(n * k * 2);
  kernels.qs8_pack_weights(a8, n, k, k, packed8);
  const params = memory.allocate(CHANNEL_PARAM_ARRAYS * n * 4);
  // Multipliers and sums the fast requantization takes (qs8_channel_params answers 2).
  const fast = kernels.qs8_channel_params(
      memory.store(new Int32Array(n).fill(1518500250)),
      memory.store(new Int32Array(n).fill(-9)),
      n,
      params,
      0,
    ) === 2
    ? Requantization.fast
    : Requantization.general;
  const bias8 = memory.store(new Int32Array(n));
  const c8 = memory.allocate(m * n);
  // An int8 GEMM layer of `outputs` channels over rows of `depth` values, finished in the fast
  // form unless `finish` says otherwise.
  const qs8GemmLayer = (outputs: number, depth: number, finish: LayerFields = {}) =>
    storeLayer(memory, {
      n: outputs,
      depth,
      lda: depth,
      ldc: outputs,
      bias: bias8,
      params,
      padded: n,
      requantization: fast,
      zeroPoint: 0,
      lowI: -128,
      highI: 127,
      ...finish,
    });
  const gemm8Layer = qs8GemmLayer(n, k);
  Deno.bench(`qs8_gemm_4x8 256x256x256 (${variant}; 16.8M multiply-adds)`, { group: "qs8" }, () => {
    kernels.qs8_gemm_4x8(a8, packed8, c8, m, gemm8Layer);
  });
  // MobileNet V2's first 1x1 expansion: many rows, little depth, so requantization dominates.
  const [rows, depth16, channels96] = [112 * 112, 16, 96];
  const aSmall = filled(rows * depth16 / 2);
  const packedSmall = memory.allocate(channels96 * depth16 * 2);
  kernels.qs8_pack_weights(aSmall, channels96, depth16, depth16, packedSmall);
  const cSmall = memory.allocate(rows * channels96);
  const smallLayer = qs8GemmLayer(channels96, depth16);
  Deno.bench(`qs8_gemm_4x8 12544x96x16 (${variant}; 1x1 conv 112x112, 16 to 96)`, {
    group: "qs8",
  }, () => {
    kernels.qs8_gemm_4x8(aSmall, packedSmall, cSmall, rows, smallLayer);
  });
  if (variant === "relaxed") {
    // The same layer on the relaxed dot GEMM, its sums finished by TFLite's double rounding
    // ("reference" arithmetic; in the fast form, and in the one-shift form its ReLU6 allows, with
    // exponents 7 to 10 as MobileNets have) or by XNNPACK's float32 scaling ("xnnpack"): the
    // difference is what exact TFLite requantization costs per output.
    const packedDot = memory.allocate(channels96 * depth16);
    const weightSums = memory.allocate(channels96 * 4);
    kernels.qs8_pack_weights_c4(aSmall, channels96, depth16, packedDot, weightSums);
    const oneShift = oneShiftConstants(
      memory,
      new Int32Array(channels96).fill(1518500250),
      Int32Array.from({ length: channels96 }, (_, channel) => -7 - channel % 4),
      channels96,
      depth16 * 255 * 128,
      false,
      { zeroPoint: -128, low: -128, linearOneShift: true },
    )!;
    const dotScratch = memory.allocate(dotGemmScratchBytes(depth16));
    const finishes = [
      ["TFLite's double rounding", qs8GemmLayer(channels96, depth16)],
      [
        "TFLite's double rounding, one shift",
        qs8GemmLayer(channels96, depth16, {
          requantization: Requantization.oneShift,
          oneShiftParams: oneShift.params,
          oneShift: oneShift.shift,
          zeroPoint: -128,
        }),
      ],
      [
        "XNNPACK's float32 scaling",
        qs8GemmLayer(channels96, depth16, {
          params: memory.store(new Float32Array(channels96).fill(1 / 4096)),
          requantization: Requantization.fp32,
        }),
      ],
    ] as const;
    for (const [finish, layer] of finishes) {
      Deno.bench(`qs8_gemm_4x8c4 12544x96x16 (relaxed; ${finish})`, {
        group: "requantization",
      }, () => {
        kernels.qs8_gemm_4x8c4(aSmall, packedDot, cSmall, rows, layer, dotScratch);
      });
    }
  }
  const depthwiseInput = filled(h * w * channels / 4);
  const depthwiseFilter = filled(9 * channels / 4);
  const depthwiseOutput = memory.allocate(h * w * channels);
  const depthwise8Layer = storeLayer(memory, {
    ...window3x3,
    inputZero: 0,
    filter: depthwiseFilter,
    bias: bias8,
    interiorBias: bias8,
    params,
    padded: n,
    requantization: fast,
    zeroPoint: 0,
    lowI: -128,
    highI: 127,
  });
  Deno.bench(`qs8_depthwise_x8 3x3 56x56x144 (${variant})`, { group: "qs8" }, () => {
    kernels.qs8_depthwise_x8(depthwiseInput, depthwiseOutput, depthwise8Layer, 0);
  });
  Deno.bench(`qs8_dot_peak (${variant}; the same 16.8M multiply-adds as bare dot_i16x8_s)`, {
    group: "qs8",
  }, () => {
    kernels.qs8_dot_peak((m * n * k) / 64);
  });
  if (variant === "relaxed") {
    Deno.bench(
      "relaxed_dot_peak (relaxed; the same 16.8M multiply-adds as bare relaxed_dot_i8x16_i7x16_add_s)",
      { group: "qs8" },
      () => {
        kernels.relaxed_dot_peak((m * n * k) / 128);
      },
    );
  }

  const half = memory.allocate(1 << 20);
  const widened = memory.allocate(1 << 21);
  Deno.bench(`f16_to_f32_x8 512k halves (${variant})`, { group: "fp16" }, () => {
    kernels.f16_to_f32_x8(half, widened, 1 << 19);
  });
}
