/**
 * The int8 convolution and fully connected layers on the wasm kernels (`assembly/qs8.ts`):
 * weights packed as int16 panels at load, the input zero point folded into the bias
 * (bias - inputZero * sum of the channel's weights), per-channel multipliers in memory. The
 * arithmetic is exactly that of `integer.ts`, TFLite's reference.
 */
import { elementCount } from "../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../op.ts";
import type { KernelExports } from "../wasm.ts";
import type { RuntimeTensor } from "../tensor.ts";
import { type BroadcastWalk, type SlidingWindow, windowArguments } from "./common.ts";
import { roundUp } from "./conv.ts";

/** Bytes of im2col patches per band. */
const BAND_BYTES = 64 * 1024;

/** What the GEMM needs of a layer's constants, placed in wasm memory. */
interface PackedLayer {
  packed: number;
  bias: number;
  params: number;
  requantization: number;
  padded: number;
  depth: number;
}

/** The i32 arrays of one block of requantization constants (`qs8_channel_params`). */
export const CHANNEL_PARAM_ARRAYS = 7;

/**
 * The int8 kernels' requantization modes (`assembly/qs8.ts`): the general form, and the faster
 * one for layers without left shifts, with exponents of at least 2 and |sums| below 2^30.
 */
export const Requantization = { general: 1, fast: 2, fastSingleRounding: 3 } as const;

/**
 * Stores `bias` and the per-channel requantization constants (`qs8_channel_params`) for
 * `padded` channels (the extra ones neutral), returning their offsets and the requantization
 * mode the kernels may use when the layer's sums stay below `sumBound` in magnitude.
 * `singleRounding` selects ruy's rounding (FULLY_CONNECTED) over TFLite's double rounding.
 */
function channelConstants(
  context: OpContext,
  bias: Int32Array,
  multipliers: Int32Array,
  shifts: Int32Array,
  padded: number,
  sumBound: number,
  singleRounding = false,
): { bias: number; params: number; requantization: number } {
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
      context.unsupported("an output multiplier is below 2^-31 (a shift beyond 30 bits)");
    }
    return result === 2;
  });
  const fast = suited && sumBound < 2 ** 30;
  const requantization = !fast
    ? Requantization.general
    : singleRounding
    ? Requantization.fastSingleRounding
    : Requantization.fast;
  return { bias: biasOffset, params, requantization };
}

/** The largest |value| in `values`. */
function largestMagnitude(values: ArrayLike<number>): number {
  let largest = 0;
  for (let index = 0; index < values.length; index++) {
    largest = Math.max(largest, Math.abs(values[index]));
  }
  return largest;
}

/**
 * Packs a layer's weights [n][k] and folds the input zero point into the bias; FULLY_CONNECTED
 * requantizes with single rounding (TensorFlow runs it through ruy), convolutions with double.
 */
function packLayer(context: OpContext, layer: Int8Layer, n: number, k: number): PackedLayer {
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
  return { ...constants, packed, padded, depth };
}

/**
 * The sum of each channel's weights of a depthwise filter [1, kH, kW, channels], padded with
 * zeros to `padded` channels: what folds the input zero point into a 3x3 window's bias.
 */
export function depthwiseWeightSums(
  weights: Int8Array,
  channels: number,
  padded: number,
): Int32Array {
  const sums = new Int32Array(padded);
  for (let index = 0; index < weights.length; index++) sums[index % channels] += weights[index];
  return sums;
}

/** The quantities an int8 layer's preparation computed (see `integer.ts`). */
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

/** An int8 convolution: the layer and its window, as `integer.ts` computed them. */
export interface Int8Convolution extends Int8Layer {
  window: SlidingWindow;
}

/** Rows of A the GEMM takes per call: about BAND_BYTES of int16 operands, a multiple of 4. */
export function bandRows(depth: number, rows: number): number {
  return Math.min(rows, Math.max(4, roundUp(Math.floor(BAND_BYTES / (depth * 2)), 4)));
}

/**
 * Feeds `rows` rows of int8 A (row stride `stride` bytes, `k` values each) to `multiply` in
 * bands, each widened first to int16 rows of `depth` values at `widened` (the GEMM's operand).
 */
export function widenInBands(
  kernels: KernelExports,
  a: number,
  stride: number,
  k: number,
  rows: number,
  depth: number,
  widened: number,
  multiply: (start: number, count: number) => void,
): void {
  const band = bandRows(depth, rows);
  for (let start = 0; start < rows; start += band) {
    const count = Math.min(band, rows - start);
    kernels.qs8_widen(a + start * stride, count, k, stride, depth, widened);
    multiply(start, count);
  }
}

/** A convolution's geometry over one NHWC image, as `im2colBands` needs it. */
export interface ConvolutionGeometry {
  inH: number;
  inW: number;
  channels: number;
  kH: number;
  kW: number;
  window: SlidingWindow;
}

/**
 * Feeds a convolution's output positions to `multiply` in bands: the band's int8 patches of the
 * image at `image` (taps outside it hold `pad`) written to `patches`, then widened to int16 rows
 * of `depth` values at `widened`. The im2col scratch is `bandRows(depth, positions) * depth`
 * bytes, the widened one twice that.
 */
export function im2colBands(
  kernels: KernelExports,
  image: number,
  geometry: ConvolutionGeometry,
  depth: number,
  pad: number,
  patches: number,
  widened: number,
  multiply: (start: number, count: number) => void,
): void {
  const { inH, inW, channels, kH, kW, window } = geometry;
  const { rows, columns } = window;
  const positions = rows.outSize * columns.outSize;
  const band = bandRows(depth, positions);
  for (let start = 0; start < positions; start += band) {
    const count = Math.min(band, positions - start);
    kernels.qs8_im2col(
      image,
      inH,
      inW,
      channels,
      ...windowArguments(kH, kW, window),
      columns.outSize,
      start,
      count,
      depth,
      pad,
      patches,
    );
    kernels.qs8_widen(patches, count, depth, depth, depth, widened);
    multiply(start, count);
  }
}

/** Multiplies `count` widened rows at `widened` into int8 rows of n outputs from `c` on. */
function requantizedRows(
  context: OpContext,
  layer: Int8Layer,
  packed: PackedLayer,
  widened: number,
  n: number,
  c: number,
  count: number,
): void {
  context.kernels.qs8_gemm_4x8(
    widened,
    packed.depth,
    packed.depth,
    packed.packed,
    packed.bias,
    packed.params,
    packed.padded,
    c,
    n,
    count,
    n,
    layer.outputZero,
    layer.low,
    layer.high,
    packed.requantization,
  );
}

/**
 * CONV_2D on the int8 GEMM: 1x1 stride-1 convolutions straight over the input rows, others over
 * im2col patches (padding filled with the input zero point), in bands.
 */
export function qs8Conv2d(context: OpContext, layer: Int8Convolution): PreparedOp {
  const { input, output, inputZero, window } = layer;
  const [batches, inH, inW, channels] = input.shape;
  const [outC, kH, kW] = context.input(1).shape;
  const packed = packLayer(context, layer, outC, kH * kW * channels);
  const positions = window.rows.outSize * window.columns.outSize;
  const band = bandRows(packed.depth, positions);
  const widenedBytes = band * packed.depth * 2;
  const kernels = context.kernels;
  if (kH === 1 && kW === 1 && window.strideH === 1 && window.strideW === 1) {
    return {
      consumedInputs: [1, 2],
      scratchBytes: widenedBytes,
      run: (scratch) =>
        widenInBands(
          kernels,
          input.offset,
          channels,
          channels,
          batches * positions,
          packed.depth,
          scratch,
          (start, count) =>
            requantizedRows(
              context,
              layer,
              packed,
              scratch,
              outC,
              output.offset + start * outC,
              count,
            ),
        ),
    };
  }
  const geometry = { inH, inW, channels, kH, kW, window };
  return {
    consumedInputs: [1, 2],
    scratchBytes: band * packed.depth + widenedBytes,
    run(scratch) {
      const widened = scratch + band * packed.depth;
      for (let image = 0; image < batches; image++) {
        const imageOut = output.offset + image * positions * outC;
        im2colBands(
          kernels,
          input.offset + image * inH * inW * channels,
          geometry,
          packed.depth,
          inputZero,
          scratch,
          widened,
          (start, count) =>
            requantizedRows(
              context,
              layer,
              packed,
              widened,
              outC,
              imageOut + start * outC,
              count,
            ),
        );
      }
    },
  };
}

/** FULLY_CONNECTED on the int8 GEMM: each row of k inputs widened, then multiplied. */
export function qs8FullyConnected(context: OpContext, layer: Int8Layer): PreparedOp {
  const { input, output } = layer;
  const [n, k] = context.input(1).shape;
  const m = elementCount(input.shape) / k;
  const packed = packLayer(context, layer, n, k);
  return {
    consumedInputs: [1, 2],
    scratchBytes: bandRows(packed.depth, m) * packed.depth * 2,
    run: (scratch) =>
      widenInBands(
        context.kernels,
        input.offset,
        k,
        k,
        m,
        packed.depth,
        scratch,
        (start, count) =>
          requantizedRows(context, layer, packed, scratch, n, output.offset + start * n, count),
      ),
  };
}

/**
 * DEPTHWISE_CONV_2D on the int8 depthwise kernels: 8 channels at a time with vectorised
 * requantization for depth multiplier 1, the scalar kernel otherwise.
 */
export function qs8DepthwiseConv2d(context: OpContext, layer: Int8Convolution): PreparedOp {
  const { input, output, inputZero, outputZero, low, high } = layer;
  const [batches, inH, inW, channels] = input.shape;
  const [, kH, kW, outC] = context.input(1).shape;
  const { rows, columns } = layer.window;
  const memory = context.memory;
  const filter = memory.store(layer.weights);
  const kernels = context.kernels;
  const imageIn = inH * inW * channels;
  const imageOut = rows.outSize * columns.outSize * outC;
  const geometry = [
    ...windowArguments(kH, kW, layer.window),
    rows.outSize,
    columns.outSize,
    inputZero,
  ] as const;
  if (outC === channels) {
    const padded = roundUp(outC, 8);
    const sums = depthwiseWeightSums(layer.weights, outC, padded);
    const interior = Int32Array.from(
      sums,
      (sum, channel) => (layer.bias[channel] ?? 0) - inputZero * sum,
    );
    // A depthwise sum: kH * kW products of (x - inputZero) (at most 255) and weights (at most
    // 127), plus the bias or the interior bias.
    const sumBound = kH * kW * 255 * 127 +
      Math.max(largestMagnitude(layer.bias), largestMagnitude(interior));
    const constants = channelConstants(
      context,
      Int32Array.from(layer.bias),
      layer.multipliers,
      layer.shifts,
      padded,
      sumBound,
    );
    const interiorBias = memory.store(interior);
    return {
      consumedInputs: [1, 2],
      run() {
        for (let image = 0; image < batches; image++) {
          kernels.qs8_depthwise_x8(
            input.offset + image * imageIn,
            inH,
            inW,
            channels,
            filter,
            constants.bias,
            interiorBias,
            ...geometry,
            constants.params,
            padded,
            outputZero,
            low,
            high,
            output.offset + image * imageOut,
            constants.requantization,
          );
        }
      },
    };
  }
  const bias = memory.store(Int32Array.from(layer.bias));
  const multipliers = memory.store(layer.multipliers);
  const shifts = memory.store(layer.shifts);
  return {
    consumedInputs: [1, 2],
    run() {
      for (let image = 0; image < batches; image++) {
        kernels.qs8_depthwise(
          input.offset + image * imageIn,
          inH,
          inW,
          channels,
          outC / channels,
          filter,
          bias,
          ...geometry,
          multipliers,
          shifts,
          outputZero,
          low,
          high,
          output.offset + image * imageOut,
        );
      }
    },
  };
}

/** Requantization constants of one multiplier for the 4 lanes of `qs8_binary`. */
function uniformConstants(context: OpContext, multiplier: number, shift: number): number {
  return channelConstants(
    context,
    new Int32Array(4),
    new Int32Array(4).fill(multiplier),
    new Int32Array(4).fill(shift),
    4,
    Infinity,
  ).params;
}

/** What an int8 ADD, SUB or MUL prepared (see `integer.ts`). */
export interface Int8Binary {
  op: "ADD" | "SUB" | "MUL";
  a: RuntimeTensor;
  b: RuntimeTensor;
  output: RuntimeTensor;
  zeroPoints: [number, number, number];
  low: number;
  high: number;
  /** [multiplier, shift] pairs: input A, input B, output (only the output's for MUL). */
  multipliers: [number, number][];
  walk: BroadcastWalk;
}

/** ADD, SUB and MUL on int8 rows in wasm (`qs8_binary`). */
export function qs8Binary(context: OpContext, layer: Int8Binary): PreparedOp {
  const { a, b, output, zeroPoints, low, high, walk } = layer;
  const constants = layer.multipliers.map(([multiplier, shift]) =>
    uniformConstants(context, multiplier, shift)
  );
  const [paramsA, paramsB, paramsOut] = layer.op === "MUL"
    ? [constants[0], constants[0], constants[0]]
    : constants;
  const code = { ADD: 0, SUB: 1, MUL: 2 }[layer.op];
  const kernels = context.kernels;
  return {
    run() {
      let target = output.offset;
      for (let row = 0; row < walk.aRows.length; row++) {
        kernels.qs8_binary(
          code,
          a.offset + walk.aRows[row],
          walk.aStep,
          b.offset + walk.bRows[row],
          walk.bStep,
          target,
          walk.rowLength,
          ...zeroPoints,
          low,
          high,
          paramsA,
          paramsB,
          paramsOut,
        );
        target += walk.rowLength;
      }
    },
  };
}
