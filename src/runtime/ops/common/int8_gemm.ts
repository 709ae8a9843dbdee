/**
 * The int8 GEMM (`assembly/qs8_gemm.ts`) as the int8 layers drive it: weights packed as int16 panels
 * at load with the input zero point folded into the bias (bias - inputZero * sum of the
 * channel's weights), int8 rows widened to int16 in bands, sums requantized per channel.
 */
import { storeLayer } from "../../kernel_layout.ts";
import type { KernelCalls, OpContext } from "../../op.ts";
import { channelConstants, largestMagnitude, roundUp } from "./weight_packing.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** Bytes of im2col patches per band. */
const BAND_BYTES = 64 * 1024;

/** What the GEMM needs of a layer, placed in wasm memory. */
export interface PackedLayer {
  /** The weights packed by `qs8_pack_weights`. */
  packed: number;
  /** The GEMM's depth: k rounded up to a multiple of 8. */
  depth: number;
  /** The layer block (`src/runtime/kernel_layout.ts`) of `qs8_gemm_4x8`. */
  layer: number;
}

/**
 * Packs a layer's weights [n][k] and folds the input zero point into the bias; FULLY_CONNECTED
 * requantizes with single rounding (TensorFlow runs it through ruy), convolutions with double.
 * Outputs are rows of n int8 values.
 */
export function packLayer(context: OpContext, layer: Int8Layer, n: number, k: number): PackedLayer {
  const { weights, bias, inputZero, multipliers, shifts } = layer;
  const singleRounding = context.operator.op === "FULLY_CONNECTED";
  const memory = context.memory;
  const depth = roundUp(k, 8);
  const packed = memory.allocate(roundUp(n, 8) * depth * 2);
  const folded = Int32Array.from(bias, (value, channel) => {
    let sum = 0;
    for (let index = 0; index < k; index++) sum += weights[channel * k + index];
    return value - inputZero * sum;
  });
  const padded = roundUp(n, 8);
  // A GEMM sum: k products of int8 inputs (at most 128) and weights (at most 127), plus the bias.
  const sumBound = k * 128 * 127 + largestMagnitude(folded);
  const constants = channelConstants(
    context,
    folded,
    multipliers,
    shifts,
    padded,
    sumBound,
    singleRounding,
  );
  memory.withTemporary(weights.byteLength, (source) => {
    memory.bytes(source, weights.byteLength).set(
      new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
    );
    context.kernels.qs8_pack_weights(source, n, k, depth, packed);
  });
  const block = storeLayer(memory, {
    n,
    depth,
    lda: depth,
    ldc: n,
    bias: constants.bias,
    params: constants.params,
    padded,
    requantization: constants.requantization,
    zeroPoint: layer.outputZero,
    lowI: layer.low,
    highI: layer.high,
  });
  return { packed, depth, layer: block };
}

/** The quantities an int8 layer's preparation computed (see `integer_layer.ts`). */
export interface Int8Layer {
  input: RuntimeTensor;
  output: RuntimeTensor;
  weights: Int8Array;
  bias: ArrayLike<number>;
  multipliers: Int32Array;
  shifts: Int32Array;
  inputZero: number;
  outputZero: number;
  low: number;
  high: number;
}

/** Rows of A the GEMM takes per call: about BAND_BYTES of int16 operands, a multiple of 4. */
export function bandRows(depth: number, rows: number): number {
  return Math.min(rows, Math.max(4, roundUp(Math.floor(BAND_BYTES / (depth * 2)), 4)));
}

/**
 * Feeds `rows` rows of int8 A (row stride `stride` bytes, `k` values each) to `multiply` in
 * bands of `band` rows, each widened first to int16 rows of `depth` values at `widened` (the
 * GEMM's operand, `band * depth * 2` bytes: a band never outgrows it, whatever `rows`).
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
): void {
  for (let start = 0; start < rows; start += band) {
    const count = Math.min(band, rows - start);
    kernels.qs8_widen(a + start * stride, count, k, stride, depth, widened);
    multiply(start, count);
  }
}

/** Multiplies `count` widened rows at `widened` into int8 rows of the layer's outputs from `c` on. */
export function requantizedRows(
  kernels: KernelCalls,
  packed: PackedLayer,
  widened: number,
  c: number,
  count: number,
): void {
  kernels.qs8_gemm_4x8(widened, packed.packed, c, count, packed.layer);
}
