/**
 * The layouts of the blocks the wasm kernels read from their memory, one source for both sides
 * (`deno task build` writes the same offsets into `assembly/kernel_layout.generated.ts`): the
 * layer block, what a kernel needs of a layer beyond the pointers and counts of one call
 * (window, constants' offsets, GEMM shape, output stage), written once at load and read by the
 * kernel at entry; and the arrays of per-channel requantization constants (`qs8_channel_params`).
 */
import type { KernelMemory } from "./memory.ts";

/**
 * The block's fields in order, each 4 bytes: an i32 (pointers are byte offsets, also i32) or an
 * f32.
 */
export const LAYER_FIELDS = {
  // The window over one NHWC image.
  inH: "i32",
  inW: "i32",
  channels: "i32",
  /** The depth multiplier of a depthwise convolution. */
  multiplier: "i32",
  kH: "i32",
  kW: "i32",
  strideH: "i32",
  strideW: "i32",
  dilationH: "i32",
  dilationW: "i32",
  padTop: "i32",
  padLeft: "i32",
  outH: "i32",
  outW: "i32",
  /** Values per im2col patch, the GEMM's depth (K). */
  depth: "i32",
  inputZero: "i32",
  // Constants placed at load.
  filter: "i32",
  bias: "i32",
  /** Depthwise bias with the input zero point folded in, for windows wholly inside the image. */
  interiorBias: "i32",
  /**
   * A 3x3 depthwise layer's weights for `qs8_depthwise_x8`'s relaxed dot path, 16 channels a
   * block (`depthwiseDotFilter`), or 0 where the engine's int8 dot product is not exact.
   */
  dotFilter: "i32",
  /**
   * The input columns one output row's windows span on that path (`depthwiseDotColumns`), each
   * transposed into `DOT_COLUMN_BYTES` of the kernel's scratch.
   */
  dotColumns: "i32",
  /** Requantization constants from `qs8_channel_params`. */
  params: "i32",
  /** Channels the constants hold (a multiple of 8). */
  padded: "i32",
  /** TFLite's per-channel output multipliers and shifts (the scalar depthwise kernel). */
  multipliers: "i32",
  shifts: "i32",
  /** A hybrid layer's per-channel float32 scales and bias. */
  scales: "i32",
  floatBias: "i32",
  // The GEMM: output channels and the row strides of A and C.
  n: "i32",
  lda: "i32",
  ldc: "i32",
  /**
   * The byte `qs8_gemm_4x8c4` XORs into every activation before its dot product: 0x80 where the
   * engine reads that operand as unsigned, 0 where it reads it as signed.
   */
  activationXor: "i32",
  /**
   * 0x80 where the layer's activations are uint8, 0 for int8: the depthwise kernels then read
   * every input byte XORed with it (a uint8 x as the int8 x - 128; zero points and clamp in that
   * form) and an int16 filter (the weights less their zero point).
   */
  activationFlip: "i32",
  // The output stage: int8 zero point and clamp, float32 clamp, requantization mode.
  zeroPoint: "i32",
  lowI: "i32",
  highI: "i32",
  lowF: "f32",
  highF: "f32",
  requantization: "i32",
  /**
   * The one-shift forms' constants (REQUANTIZE_ONE_SHIFT(_LINEAR) only, `oneShiftConstants`), a
   * group of 4 channels at a time (`ONE_SHIFT_GROUP_BYTES`), and their shift, E - 1.
   */
  oneShiftParams: "i32",
  oneShift: "i32",
  // Element-wise int8 operands: zero points and requantization constants of each.
  zeroA: "i32",
  zeroB: "i32",
  paramsA: "i32",
  paramsB: "i32",
} as const;

/** A field of the layer block. */
export type LayerField = keyof typeof LAYER_FIELDS;

/** Values of a layer block; fields left out are stored as 0. */
export type LayerFields = Partial<Record<LayerField, number>>;

const NAMES = Object.keys(LAYER_FIELDS) as LayerField[];

/** A field's byte offset in the block. */
export function layerFieldOffset(field: LayerField): number {
  return NAMES.indexOf(field) * 4;
}

/** Stores a layer block holding `fields` and returns its offset. */
export function storeLayer(memory: KernelMemory, fields: LayerFields): number {
  const offset = memory.allocate(NAMES.length * 4);
  const i32 = memory.i32(offset, NAMES.length);
  const f32 = memory.f32(offset, NAMES.length);
  NAMES.forEach((name, index) => {
    const value = fields[name] ?? 0;
    if (LAYER_FIELDS[name] === "f32") f32[index] = value;
    else i32[index] = value;
  });
  return offset;
}

/**
 * Rows `qs8_gemm_4x8c4` multiplies at a time: it first copies each such block of rows to its
 * scratch, flipped for the engine's int8 dot product (`activationXor`) and padded to whole groups
 * of 4 values (`dotGemmScratchBytes`), which every panel of weights then reads.
 */
export const DOT_GEMM_ROW_BLOCK = 64;

/**
 * Bytes of a one-shift form's constants for a group of 4 channels (`oneShiftConstants`): their
 * powers, multipliers and 64-bit nudges, 16, 16 and 32 bytes. The depthwise kernel reads them per
 * pixel: aligned 64-byte groups measured 0.96x the time of 80-byte ones.
 */
export const ONE_SHIFT_GROUP_BYTES = 64;

/** The linear one-shift form's group: `ONE_SHIFT_GROUP_BYTES`, then the negative-tie fixes. */
export const ONE_SHIFT_LINEAR_GROUP_BYTES = 80;

/**
 * The i32 arrays of a block of per-channel requantization constants, in order (see
 * `qs8_channel_params` in assembly/qs8_requantize.ts): the multiplier, 2^left, 2^(30 - exponent),
 * half, rounds, nudge, and 2^(32 - exponent) for the fast form.
 */
export const CHANNEL_PARAMS = [
  "multiplier",
  "left",
  "up",
  "half",
  "rounds",
  "nudge",
  "up4",
] as const;
