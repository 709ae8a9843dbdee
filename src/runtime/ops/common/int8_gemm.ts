/**
 * The int8 GEMMs as the int8 layers drive them. Where the engine's relaxed int8 dot product is
 * exact (`qs8_dot_form`), `qs8_gemm_4x8c4` (`assembly/qs8_gemm_dot.ts`) takes the int8 rows as
 * they are (copying them to its scratch, flipped for the dot product, a block at a time);
 * elsewhere `qs8_gemm_4x8` (`assembly/qs8_gemm.ts`) takes them widened to int16 in bands.
 * Either way the weights are packed at load with the input zero point folded into the bias
 * (bias - inputZero * sum of the channel's weights, and for the unsigned dot form the + 128 its
 * flipped activations carry) and the sums are requantized per channel exactly as TFLite's
 * reference does, or, in the "xnnpack" arithmetic, as XNNPACK does (float32 scales). A uint8
 * layer (`activationFlip` 0x80, see `integer_layer.ts`) runs on `qs8_gemm_4x8` with int16
 * weights, its rows widened as int8 x - 128 (`qs8_widen_uint8`) and its outputs flipped back to
 * uint8.
 */
import { DOT_GEMM_ROW_BLOCK, storeLayer } from "../../kernel_layout.ts";
import type { KernelCalls, OpContext, PreparedOp } from "../../op.ts";
import { channelSplit, ROW_SPLIT_MIN_ROWS } from "./channel_split.ts";
import { GEMM_TILE_ROWS, rowSplitOp } from "./row_split.ts";
import {
  channelConstants,
  fp32Constants,
  largestMagnitude,
  roundUp,
  weightBound,
} from "./weight_packing.ts";
import { xnnpackActivationRange, xnnpackChannelScales } from "./xnnpack_arithmetic.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** Bytes of widened or im2col rows per band. */
const BAND_BYTES = 64 * 1024;

/** What `qs8_dot_form` answers: how the engine's relaxed dot reads its second operand. */
export const DotForm = { none: 0, signed: 1, unsigned: 2 } as const;

/** The byte `qs8_gemm_4x8c4` XORs into activations for the dot form `form`. */
export function dotActivationXor(form: number): number {
  return form === DotForm.unsigned ? 0x80 : 0;
}

/** What the GEMM needs of a layer, placed in wasm memory. */
export interface PackedLayer {
  /** Whether the layer runs on `qs8_gemm_4x8c4` (int8 rows as they are). */
  dot: boolean;
  /** Output channels and values per row. */
  n: number;
  k: number;
  /** The packed weights. */
  packed: number;
  /**
   * Values per row the GEMM reads, k padded with zeros: to a multiple of 8 for the widened
   * GEMM; for the dot GEMM, k for rows read in place and k rounded up to 4 for im2col patches.
   */
  depth: number;
  /** Bytes between the rows the layer takes: k for input rows, `depth` for patches. */
  rowStride: number;
  /** The layer block (`src/runtime/kernel_layout.ts`) of the GEMM. */
  layer: number;
  /** The layer's `activationFlip`: 0x80 for uint8 rows and outputs, 0 for int8. */
  activationFlip: number;
}

/**
 * Packs a layer's weights [n][k] and folds the input zero point into the bias; FULLY_CONNECTED
 * requantizes with single rounding (TensorFlow runs it through ruy), convolutions with double.
 * The rows will be input rows of k values, or im2col `patches` of `depth` values. Outputs are
 * rows of n int8 values.
 */
export function packLayer(
  context: OpContext,
  layer: Int8Layer,
  n: number,
  k: number,
  patches = false,
): PackedLayer {
  const { weights, bias, inputZero, multipliers, shifts, activationFlip } = layer;
  const kernels = context.kernels;
  const form = kernels.qs8_dot_form();
  const dot = form !== DotForm.none && activationFlip === 0;
  const activationXor = dot ? dotActivationXor(form) : 0;
  const singleRounding = context.operator.op === "FULLY_CONNECTED";
  const memory = context.memory;
  const depth = dot ? (patches ? roundUp(k, 4) : k) : roundUp(k, 8);
  const padded = roundUp(n, 8);
  const packed = memory.allocate(dot ? padded * roundUp(k, 4) : padded * depth * 2);
  const sums = memory.withTemporary(weights.byteLength + n * 4, (source) => {
    memory.bytes(source, weights.byteLength).set(
      new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
    );
    const sumsOffset = source + roundUp(weights.byteLength, 4);
    if (dot) kernels.qs8_pack_weights_c4(source, n, k, packed, sumsOffset);
    else if (weights instanceof Int16Array) {
      kernels.qs8_pack_weights_i16(source, n, k, depth, packed);
    } else kernels.qs8_pack_weights(source, n, k, depth, packed);
    return dot ? Int32Array.from(memory.i32(sumsOffset, n)) : undefined;
  });
  const weightSum = (channel: number) => {
    if (sums) return sums[channel];
    let sum = 0;
    for (let index = 0; index < k; index++) sum += weights[channel * k + index];
    return sum;
  };
  const folded = Int32Array.from(bias, (value, channel) => value - inputZero * weightSum(channel));
  // A GEMM sum: k products of int8 inputs (at most 128) and weights (at most 127, or 255 for a
  // uint8 layer's), plus the bias.
  const sumBound = k * 128 * weightBound(weights) + largestMagnitude(folded);
  const kernelBias = activationXor
    ? folded.map((value, channel) => value - activationXor * weightSum(channel))
    : folded;
  // uint8 layers keep TFLite's reference arithmetic in the "xnnpack" one, as they always have.
  const xnnpack = context.arithmetic === "xnnpack" && activationFlip === 0;
  const constants = xnnpack
    ? fp32Constants(
      context,
      kernelBias,
      xnnpackChannelScales(context, layer.input, filterScales(context), layer.output, n, padded),
      padded,
    )
    : channelConstants(
      context,
      kernelBias,
      multipliers,
      shifts,
      padded,
      sumBound,
      singleRounding,
      { zeroPoint: layer.outputZero, low: layer.low, linearOneShift: true },
    );
  const [low, high] = xnnpack
    ? xnnpackActivationRange(context, layer.output)
    : [layer.low, layer.high];
  const block = storeLayer(memory, {
    n,
    depth,
    lda: depth,
    ldc: n,
    bias: constants.bias,
    params: constants.params,
    padded,
    requantization: constants.requantization,
    oneShiftParams: constants.oneShiftParams,
    oneShift: constants.oneShift,
    activationXor,
    zeroPoint: layer.outputZero,
    lowI: low,
    highI: high,
  });
  return {
    dot,
    n,
    k,
    packed,
    depth,
    rowStride: patches ? depth : k,
    layer: block,
    activationFlip,
  };
}

/** The filter's (input 1's) quantization scales: one per channel, or one for the tensor. */
export function filterScales(context: OpContext): ArrayLike<number> {
  return context.input(1).quantization?.scale ?? [];
}

/** The quantities an int8 layer's preparation computed (see `integer_layer.ts`). */
export interface Int8Layer {
  /** 0x80 for a uint8 layer run as int8 (`int8WasmLayer`), 0 for an int8 one. */
  activationFlip: number;
  input: RuntimeTensor;
  output: RuntimeTensor;
  /** int8 weights, or a uint8 layer's weights less their zero point as int16. */
  weights: Int8Array | Int16Array;
  bias: ArrayLike<number>;
  multipliers: Int32Array;
  shifts: Int32Array;
  inputZero: number;
  outputZero: number;
  low: number;
  high: number;
}

/** Rows per band: about BAND_BYTES of int16 rows of `depth` values, a multiple of 4. */
export function bandRows(depth: number, rows: number): number {
  return Math.min(rows, Math.max(4, roundUp(Math.floor(BAND_BYTES / (depth * 2)), 4)));
}

/**
 * Feeds `rows` rows of int8 A (row stride `stride` bytes, `k` values each) to `multiply` in
 * bands of `band` rows, each widened first to int16 rows of `depth` values at `widened` (the
 * GEMM's operand, `band * depth * 2` bytes: a band never outgrows it, whatever `rows`); uint8
 * rows (`activationFlip` 0x80) as int8 x - 128.
 */
export function widenInBands(
  kernels: KernelCalls,
  a: number,
  stride: number,
  k: number,
  rows: number,
  depth: number,
  widened: number,
  band: number,
  multiply: (start: number, count: number) => void,
  activationFlip = 0,
): void {
  const widen = activationFlip ? kernels.qs8_widen_uint8 : kernels.qs8_widen;
  for (let start = 0; start < rows; start += band) {
    const count = Math.min(band, rows - start);
    widen(a + start * stride, count, k, stride, depth, widened);
    multiply(start, count);
  }
}

/**
 * Scratch bytes `qs8_gemm_4x8c4` needs over `rows` rows of `depth` values: the rows of a block
 * (at most DOT_GEMM_ROW_BLOCK) flipped, each padded to a multiple of 4 bytes.
 */
export function dotGemmScratchBytes(depth: number, rows = DOT_GEMM_ROW_BLOCK): number {
  return Math.min(rows, DOT_GEMM_ROW_BLOCK) * roundUp(depth, 4);
}

/** Scratch bytes `multiplyRows` needs for bands of up to `band` rows. */
export function rowsScratchBytes(packed: PackedLayer, band: number): number {
  return packed.dot ? dotGemmScratchBytes(packed.depth) : band * packed.depth * 2;
}

/**
 * Multiplies `rows` int8 rows of A at `a` (`packed.rowStride` bytes apart) into int8 rows of n
 * outputs at `c` (uint8 rows and outputs for a uint8 layer) with `scratch`, which holds
 * `rowsScratchBytes(packed, band)` bytes whatever `rows` is: the dot GEMM's, or the bands of
 * `band` rows the widened GEMM widens them in.
 */
export function multiplyRows(
  kernels: KernelCalls,
  packed: PackedLayer,
  a: number,
  rows: number,
  c: number,
  scratch: number,
  band: number,
): void {
  if (packed.dot) {
    kernels.qs8_gemm_4x8c4(a, packed.packed, c, rows, packed.layer, scratch);
  } else {
    widenInBands(
      kernels,
      a,
      packed.rowStride,
      packed.k,
      rows,
      packed.depth,
      scratch,
      band,
      (start, count) => {
        kernels.qs8_gemm_4x8(scratch, packed.packed, c + start * packed.n, count, packed.layer);
      },
      packed.activationFlip,
    );
  }
  if (packed.activationFlip) kernels.qs8_flip(c, rows * packed.n);
}

/**
 * The prepared op of an int8 GEMM over `m` rows of `packed.k` values at `input` into rows of
 * `packed.n` values at `output` (a FULLY_CONNECTED's input rows, a 1x1 convolution's pixels),
 * divided among threads by rows, or below two tiles of rows on the dot GEMM by panels of output
 * channels.
 */
export function int8GemmRowsOp(
  context: OpContext,
  packed: PackedLayer,
  m: number,
  input: RuntimeTensor,
  output: RuntimeTensor,
): PreparedOp {
  const kernels = context.kernels;
  if (packed.dot && m < ROW_SPLIT_MIN_ROWS) {
    return rowSplitOp(
      [1, 2],
      kernels,
      channelSplit(context.memory, {
        rows: m,
        n: packed.n,
        depth: packed.depth,
        layer: packed.layer,
        scratchBytes: dotGemmScratchBytes(packed.depth, m),
        // A packed channel takes the depth rounded up to 4 bytes.
        multiply: (calls, firstChannel, block, scratch) =>
          calls.qs8_gemm_4x8c4(
            input.offset,
            packed.packed + firstChannel * roundUp(packed.depth, 4),
            output.offset + firstChannel,
            m,
            block,
            scratch,
          ),
      }),
    );
  }
  const band = bandRows(packed.depth, m);
  return rowSplitOp([1, 2], kernels, {
    rows: m,
    grain: GEMM_TILE_ROWS,
    workPerRow: packed.n * packed.depth,
    scratchBytes: rowsScratchBytes(packed, band),
    runRows: (calls, first, end, scratch) =>
      multiplyRows(
        calls,
        packed,
        input.offset + first * packed.k,
        end - first,
        output.offset + first * packed.n,
        scratch,
        band,
      ),
  });
}
