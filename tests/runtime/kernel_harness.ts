/** Test helpers for calling the wasm kernels directly on arrays, and a seeded random source. */
import assert from "node:assert/strict";
import type { LayerFields } from "../../src/runtime/kernel_layout.ts";
import { KernelMemory } from "../../src/runtime/memory.ts";
import {
  CHANNEL_PARAM_ARRAYS,
  oneShiftConstants,
  type OutputStage,
  Requantization,
} from "../../src/runtime/ops/common/weight_packing.ts";
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

/** A convolution window over an NHWC image: shape, kernel, strides, dilations, padding. */
export interface Window {
  inH: number;
  inW: number;
  c: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

/** A window of a k[0] x k[1] kernel, "SAME" or "VALID" padded as TFLite pads. */
export function window(
  inH: number,
  inW: number,
  c: number,
  k: [number, number],
  stride: number,
  dilation: number,
  same: boolean,
): Window {
  const [kH, kW] = k;
  const effH = (kH - 1) * dilation + 1;
  const effW = (kW - 1) * dilation + 1;
  const outH = same ? Math.ceil(inH / stride) : Math.ceil((inH - effH + 1) / stride);
  const outW = same ? Math.ceil(inW / stride) : Math.ceil((inW - effW + 1) / stride);
  const padTop = same ? Math.floor(Math.max((outH - 1) * stride + effH - inH, 0) / 2) : 0;
  const padLeft = same ? Math.floor(Math.max((outW - 1) * stride + effW - inW, 0) / 2) : 0;
  return {
    inH,
    inW,
    c,
    kH,
    kW,
    strideH: stride,
    strideW: stride,
    dilationH: dilation,
    dilationW: dilation,
    padTop,
    padLeft,
    outH,
    outW,
  };
}

/** Odd windows: 1 to 33 channels, strides 1 and 2, dilation 2, SAME and VALID, 1x1 to 5x3. */
export const WINDOWS: Window[] = [
  window(7, 9, 1, [3, 3], 1, 1, true),
  window(9, 7, 3, [3, 3], 2, 1, true),
  window(8, 8, 4, [3, 3], 1, 1, false),
  window(11, 10, 7, [3, 3], 2, 2, true),
  window(6, 9, 17, [5, 3], 1, 1, true),
  window(5, 5, 33, [1, 1], 2, 1, false),
  window(3, 4, 5, [3, 3], 1, 1, true),
];

/**
 * The im2col patches of output positions [start, start + count) over `input` (NHWC, `w`): taps
 * outside the image hold `pad`, and each patch is followed by zeros up to `depth` values.
 */
export function expectedPatches(
  input: ArrayLike<number>,
  w: Window,
  start: number,
  count: number,
  pad: number,
  depth = w.kH * w.kW * w.c,
): number[] {
  const patches: number[] = [];
  for (let position = start; position < start + count; position++) {
    const oy = Math.floor(position / w.outW);
    const ox = position % w.outW;
    for (let ky = 0; ky < w.kH; ky++) {
      for (let kx = 0; kx < w.kW; kx++) {
        const y = oy * w.strideH - w.padTop + ky * w.dilationH;
        const x = ox * w.strideW - w.padLeft + kx * w.dilationW;
        const inside = y >= 0 && y < w.inH && x >= 0 && x < w.inW;
        for (let channel = 0; channel < w.c; channel++) {
          patches.push(inside ? input[(y * w.inW + x) * w.c + channel] : pad);
        }
      }
    }
    for (let filled = w.kH * w.kW * w.c; filled < depth; filled++) patches.push(0);
  }
  return patches;
}

/** `w` as the window fields of a layer block. */
export function windowLayerFields(w: Window): LayerFields {
  const { inH, inW, c, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = w;
  return {
    inH,
    inW,
    channels: c,
    kH,
    kW,
    strideH,
    strideW,
    dilationH,
    dilationW,
    padTop,
    padLeft,
    outH: w.outH,
    outW: w.outW,
  };
}

/**
 * Real multipliers the one-shift form takes where sums stay below 2^21: exponents 0 to 10 in one
 * layer, with exact ties at both roundings (0.5 and 0.25 have the multiplier 2^30).
 */
export const ONE_SHIFT_REALS = [0.999999, 0.5, 0.25, 0.0123, 0.73, 8.8e-4, 0.06, 0.3];

/** The requantization constants of a layer, and the int8 kernels' modes they allow. */
export interface RequantizationConstants {
  params: number;
  /** The general mode, then the fast one and the one-shift one where the constants suit them. */
  modes: number[];
  /** The one-shift form's constants and shift (the layer block's fields; 0 without that mode). */
  oneShiftParams: number;
  oneShift: number;
}

/**
 * The requantization constants of TFLite `pairs` (multiplier, shift) padded to `padded` channels
 * (neutral padding) as the runtime stores them: `qs8_channel_params`, and the one-shift forms'
 * when `output` is given and the layer's sums stay below `sumBound`.
 */
export function requantizationConstants(
  memory: KernelMemory,
  pairs: [number, number][],
  padded: number,
  singleRounding: boolean,
  output?: OutputStage & { sumBound: number },
): RequantizationConstants {
  const pad = (values: number[], filler: number) =>
    Int32Array.from({ length: padded }, (_, index) => values[index] ?? filler);
  const params = memory.allocate(CHANNEL_PARAM_ARRAYS * padded * 4);
  const result = memory.kernels.qs8_channel_params(
    memory.store(pad(pairs.map(([multiplier]) => multiplier), 2 ** 30)),
    memory.store(pad(pairs.map(([, shift]) => shift), -2)),
    padded,
    params,
    singleRounding ? 1 : 0,
  );
  assert.ok(result === 1 || result === 2);
  const modes: number[] = [Requantization.general];
  if (result === 2) {
    modes.push(singleRounding ? Requantization.fastSingleRounding : Requantization.fast);
  }
  const oneShift = output && oneShiftConstants(
    memory,
    Int32Array.from(pairs, ([multiplier]) => multiplier),
    Int32Array.from(pairs, ([, shift]) => shift),
    padded,
    output.sumBound,
    singleRounding,
    output,
  );
  if (oneShift) {
    modes.push(oneShift.linear ? Requantization.oneShiftLinear : Requantization.oneShift);
  }
  return { params, modes, oneShiftParams: oneShift?.params ?? 0, oneShift: oneShift?.shift ?? 0 };
}
