/**
 * Constants packed into wasm memory at load for the GEMM and depthwise kernels: float32 weight
 * panels and padded biases, the int8 kernels' per-channel requantization constants
 * (`qs8_channel_params`) and depthwise weight sums.
 */
import {
  CHANNEL_PARAMS,
  ONE_SHIFT_GROUP_BYTES,
  ONE_SHIFT_LINEAR_GROUP_BYTES,
} from "../../kernel_layout.ts";
import type { KernelMemory } from "../../memory.ts";
import type { OpContext } from "../../op.ts";

/** Rounds `count` up to a multiple of `multiple`. */
export function roundUp(count: number, multiple: number): number {
  return Math.ceil(count / multiple) * multiple;
}

/** Packs a constant [n, k] row-major float32 matrix (n rows of k) for `f32_gemm_4x8`. */
export function packWeights(context: OpContext, position: number, n: number, k: number): number {
  const weights = context.input(position, "float32");
  if (!weights.constant) context.unsupported(`weights "${weights.name}" must be constant`);
  const packed = context.memory.allocate(roundUp(n, 8) * k * 4);
  context.withConstantInMemory(weights, "weights", (source) => {
    context.kernels.f32_pack_rhs(source, n, k, k, 1, packed);
  });
  return packed;
}

/** The bias input (position `position`, optional) stored padded with zeros to `multiple`. */
export function paddedBias(
  context: OpContext,
  position: number,
  count: number,
  multiple: number,
): number {
  const bias = context.optionalInput(position, "float32");
  if (bias && bias.shape.reduce((product, size) => product * size, 1) !== count) {
    context.unsupported(`bias "${bias.name}" has shape [${bias.shape}], expected [${count}]`);
  }
  return context.storePadded(
    bias ? (context.values(bias, "bias") as Float32Array) : [],
    count,
    multiple,
  );
}

/** The i32 arrays of one block of requantization constants (`qs8_channel_params`). */
export const CHANNEL_PARAM_ARRAYS = CHANNEL_PARAMS.length;

/**
 * The int8 kernels' requantization modes (`assembly/qs8_requantize.ts`): the general form, the faster
 * one for layers without left shifts, with exponents of at least 2 and |sums| below 2^30,
 * XNNPACK's float32 scaling, and the one-shift forms (`oneShiftConstants`): for clamps that cut
 * every negative result, and with negative ties fixed for the others.
 */
export const Requantization = {
  general: 1,
  fast: 2,
  fastSingleRounding: 3,
  fp32: 4,
  oneShift: 6,
  oneShiftLinear: 7,
} as const;

/** What `channelConstants` stores: offsets of the bias and constants, and the mode. */
export interface ChannelConstants {
  bias: number;
  params: number;
  requantization: number;
  /** The one-shift form's constants and shift (`oneShiftConstants`), 0 in other modes. */
  oneShiftParams: number;
  oneShift: number;
}

/**
 * A layer's int8 output zero point and the low bound of its clamp (in the kernels' int8 form), and
 * whether its kernel has REQUANTIZE_ONE_SHIFT_LINEAR (the GEMMs do, the depthwise kernel not).
 */
export interface OutputStage {
  zeroPoint: number;
  low: number;
  linearOneShift: boolean;
}

/**
 * Stores `bias` and the per-channel requantization constants (`qs8_channel_params`, and
 * `oneShiftConstants`' when `output` is given and the layer suits them) for `padded` channels
 * (the extra ones neutral), returning their offsets and the requantization mode the kernels may
 * use when the layer's sums stay below `sumBound` in magnitude. `singleRounding` selects ruy's
 * rounding (FULLY_CONNECTED) over TFLite's double rounding.
 */
export function channelConstants(
  context: OpContext,
  bias: Int32Array,
  multipliers: Int32Array,
  shifts: Int32Array,
  padded: number,
  sumBound: number,
  singleRounding = false,
  output?: OutputStage,
): ChannelConstants {
  const memory = context.memory;
  const pad = (values: Int32Array, filler: number) => {
    const result = new Int32Array(padded).fill(filler);
    result.set(values);
    return result;
  };
  const biasOffset = memory.store(pad(bias, 0));
  const params = memory.allocate(CHANNEL_PARAM_ARRAYS * padded * 4);
  // Neutral padding channels: multiplier 2^30 and shift -2 keep the fast form open to them.
  const suited = memory.withTemporary(padded * 8, (scratch) => {
    memory.i32(scratch, padded).set(pad(multipliers, 2 ** 30));
    memory.i32(scratch + padded * 4, padded).set(pad(shifts, -2));
    const scratchShifts = scratch + padded * 4;
    const rounding = singleRounding ? 1 : 0;
    const result = context.kernels.qs8_channel_params(
      scratch,
      scratchShifts,
      padded,
      params,
      rounding,
    );
    if (!result) {
      context.unsupported("an output multiplier's shift goes beyond 30 bits");
    }
    return result === 2;
  });
  const oneShift = output &&
    oneShiftConstants(memory, multipliers, shifts, padded, sumBound, singleRounding, output);
  if (oneShift) {
    return {
      bias: biasOffset,
      params,
      requantization: oneShift.linear ? Requantization.oneShiftLinear : Requantization.oneShift,
      oneShiftParams: oneShift.params,
      oneShift: oneShift.shift,
    };
  }
  const fast = suited && sumBound < 2 ** 30;
  const requantization = !fast
    ? Requantization.general
    : singleRounding
    ? Requantization.fastSingleRounding
    : Requantization.fast;
  return { bias: biasOffset, params, requantization, oneShiftParams: 0, oneShift: 0 };
}

/** The largest exponent `oneShiftConstants` takes: it keeps the 64-bit sums within range. */
const ONE_SHIFT_LARGEST_EXPONENT = 20;

/** Bytes of a one-shift form's group of 4 channels: the linear form's, or the other's. */
export function oneShiftGroupBytes(linear: boolean): number {
  return linear ? ONE_SHIFT_LINEAR_GROUP_BYTES : ONE_SHIFT_GROUP_BYTES;
}

/**
 * Stores the one-shift forms' constants (`requantize_x4_one_shift`) for TFLite's `multipliers`
 * and `shifts`, `padded` channels, and returns their offset, the forms' shift (E - 1) and
 * whether the layer needs negative ties fixed (REQUANTIZE_ONE_SHIFT_LINEAR), or undefined when
 * the layer does not suit them. With e = -shift a channel's exponent and E the largest (at least
 * 1, plus 1 where ties are fixed), a channel's `power` is 2^(E - e), its nudge the rounding terms
 * of TFLite's result floor((acc * multiplier + 2^30 + 2^(30 + e)) / 2^(31 + e)) (2^(30 + e) alone
 * for e = 0 or single rounding) times that power, plus the zero point times 2^(31 + E), and its
 * fix 2^(E - e - 1) (0 for e = 0 or single rounding): a negative sum's second rounding goes away
 * from zero, one unit of the first rounding lower. Each group of 4 channels takes
 * `oneShiftGroupBytes`, read at fixed offsets: powers, multipliers, nudges as int64, fixes. The
 * forms suit layers without left shifts whose sums times the largest power stay within int32;
 * under double rounding, a clamp that keeps negative results needs the fix, which only the
 * kernels with `output.linearOneShift` have.
 */
export function oneShiftConstants(
  memory: KernelMemory,
  multipliers: Int32Array,
  shifts: Int32Array,
  padded: number,
  sumBound: number,
  singleRounding: boolean,
  output: OutputStage,
): { params: number; shift: number; linear: boolean } | undefined {
  const linear = !singleRounding && output.low < output.zeroPoint;
  if (linear && !output.linearOneShift) return undefined;
  const exponents = Array.from(shifts, (shift) => -shift);
  if (exponents.length === 0 || exponents.some((exponent) => exponent < 0)) return undefined;
  const largest = Math.max(1, ...exponents) + (linear ? 1 : 0);
  const spread = largest - Math.min(...exponents);
  if (largest > ONE_SHIFT_LARGEST_EXPONENT || sumBound * 2 ** spread >= 2 ** 31) return undefined;
  const groupWords = oneShiftGroupBytes(linear) / 4;
  const params = memory.allocate(padded * groupWords);
  const words = memory.i32(params, (padded / 4) * groupWords).fill(0);
  const zeroTerm = output.zeroPoint * 2 ** (31 + largest);
  exponents.forEach((exponent, channel) => {
    const power = 2 ** (largest - exponent);
    const rounding = singleRounding || exponent === 0
      ? 2 ** (30 + exponent)
      : 2 ** 30 + 2 ** (30 + exponent);
    // Every term is a multiple of 2^30 below 2^60 in magnitude: exact as a float64.
    const nudge = rounding * power + zeroTerm;
    const high = Math.floor(nudge / 2 ** 32);
    const group = (channel >> 2) * groupWords;
    const lane = channel & 3;
    words[group + lane] = power;
    words[group + 4 + lane] = multipliers[channel];
    words[group + 8 + 2 * lane] = nudge - high * 2 ** 32;
    words[group + 8 + 2 * lane + 1] = high;
    if (linear) words[group + 16 + lane] = exponent > 0 ? power / 2 : 0;
  });
  // Padding channels: power 1, the rest 0 (their outputs are never stored).
  for (let channel = exponents.length; channel < padded; channel++) {
    words[(channel >> 2) * groupWords + (channel & 3)] = 1;
  }
  return { params, shift: largest - 1, linear };
}

/**
 * The requantization constants (`params`) of one multiplier and shift for 4 lanes, in the general
 * form (`requantize_x4` at a stride of 16 bytes): what the element-wise int8 kernels read.
 */
export function uniformConstants(context: OpContext, multiplier: number, shift: number): number {
  return channelConstants(
    context,
    new Int32Array(4),
    new Int32Array(4).fill(multiplier),
    new Int32Array(4).fill(shift),
    4,
    Infinity,
  ).params;
}

/**
 * Stores `bias` and per-channel float32 `scales` (both `padded` long) for XNNPACK's float32
 * requantization (`Requantization.fp32`), in the form `channelConstants` returns.
 */
export function fp32Constants(
  context: OpContext,
  bias: Int32Array,
  scales: Float32Array,
  padded: number,
): ChannelConstants {
  const padding = new Int32Array(padded);
  padding.set(bias);
  return {
    bias: context.memory.store(padding),
    params: context.memory.store(scales),
    requantization: Requantization.fp32,
    oneShiftParams: 0,
    oneShift: 0,
  };
}

/**
 * The largest weight magnitude the int8 kernels' sum bounds count: 127 for int8 weights, 255 for
 * a uint8 layer's weights less their zero point (int16, see `int8WasmLayer`).
 */
export function weightBound(weights: Int8Array | Int16Array): number {
  return weights instanceof Int16Array ? 255 : 127;
}

/** The largest |value| in `values`. */
export function largestMagnitude(values: ArrayLike<number>): number {
  let largest = 0;
  for (let index = 0; index < values.length; index++) {
    largest = Math.max(largest, Math.abs(values[index]));
  }
  return largest;
}

/**
 * The sum of each channel's weights of a depthwise filter [1, kH, kW, channels], padded with
 * zeros to `padded` channels: what folds the input zero point into a 3x3 window's bias.
 */
export function depthwiseWeightSums(
  weights: Int8Array | Int16Array,
  channels: number,
  padded: number,
): Int32Array {
  const sums = new Int32Array(padded);
  for (let index = 0; index < weights.length; index++) sums[index % channels] += weights[index];
  return sums;
}

/** Bytes of one input column as `qs8_depthwise_x8`'s relaxed dot path transposes it. */
export const DOT_COLUMN_BYTES = 64;

/**
 * The input columns one output row of `outW` pixels spans on `qs8_depthwise_x8`'s relaxed dot
 * path (its 3-wide windows, from the row's first): the layer block's `dotColumns`, and with
 * `DOT_COLUMN_BYTES` the size of the kernel's `columns` scratch.
 */
export function depthwiseDotColumns(outW: number, strideW: number, dilationW: number): number {
  return (outW - 1) * strideW + 2 * dilationW + 1;
}

/**
 * A 3x3 depthwise filter [1, 3, 3, channels] laid out for `qs8_depthwise_x8`'s relaxed dot path,
 * 256 bytes per block of 16 channels (the last channels mod 16 left out): the block's 16 int32
 * biases with the input zero point and `activationXor` folded in (bias - (inputZero +
 * activationXor) * the channel's weight sum), then the filter's columns 0, 1 and 2, each as four
 * vectors of four channels' taps (rows 0, 1, 2 and a zero); after the blocks, a pixel of
 * `channels` bytes holding inputZero, read for taps outside the image.
 */
export function depthwiseDotFilter(
  weights: Int8Array,
  channels: number,
  bias: ArrayLike<number>,
  sums: Int32Array,
  inputZero: number,
  activationXor: number,
): Uint8Array {
  const blocks = Math.floor(channels / 16);
  const packed = new Uint8Array(blocks * 256 + channels);
  new Int8Array(packed.buffer, blocks * 256).fill(inputZero);
  const view = new DataView(packed.buffer);
  for (let block = 0; block < blocks; block++) {
    const start = block * 256;
    for (let lane = 0; lane < 16; lane++) {
      const channel = block * 16 + lane;
      const folded = (bias[channel] ?? 0) - (inputZero + activationXor) * sums[channel];
      view.setInt32(start + lane * 4, folded, true);
      for (let row = 0; row < 3; row++) {
        for (let column = 0; column < 3; column++) {
          const byte = start + 64 + column * 64 + lane * 4 + row;
          packed[byte] = weights[(row * 3 + column) * channels + channel];
        }
      }
    }
  }
  return packed;
}
