/**
 * int16x8 CONV_2D and FULLY_CONNECTED on the wasm kernels: int16 im2col patches (`qs8_im2col`
 * moving two bytes per value; a fully connected layer's rows are the pixels of a 1 x m image),
 * the int16 GEMM's exact int32 sums (`qs8_gemm_sums_4x8`), then TFLite's int16x8 requantization
 * in 64 bits (`qs16_requantize_sums`): the 15-bit reduced multiplier for convolutions, ruy's
 * single rounding with the full multiplier for FULLY_CONNECTED. The arithmetic is exactly that of
 * `convolution_integer.ts` and `fully_connected_integer.ts`, TFLite's reference.
 */
import { storeLayer } from "../../kernel_layout.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { bandRows } from "./int8_gemm.ts";
import { roundUp } from "./weight_packing.ts";
import { type SlidingWindow, windowFields } from "./window.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** What an int16x8 layer's preparation computed (see `integer_layer.ts`). */
export interface Int16Layer {
  input: RuntimeTensor;
  output: RuntimeTensor;
  window: SlidingWindow;
  weights: Int8Array;
  bias: ArrayLike<number>;
  multipliers: Int32Array;
  shifts: Int32Array;
  low: number;
  high: number;
}

/** Largest |int16 activation|: the bound of the sums. */
const ACTIVATION_BOUND = 32768;

/**
 * The constants of `qs16_requantize_sums` for `channels` channels: the multiplier (15-bit
 * reduced, or whole with `singleRounding`) and the total right shift; null when the kernels do
 * not apply: a channel's sum could leave int32 (`weightMagnitude` of the channel, the sum of its
 * |weights|, times 2^15, plus |bias|, reaching 2^31), or a shift out of the kernel's range (the
 * product of a sum and a multiplier, both below 2^31, fits int64; the shift must round, so at
 * least 1, and stay within 62).
 */
export function int16Requantization(
  layer: { bias: ArrayLike<number>; multipliers: Int32Array; shifts: Int32Array },
  channels: number,
  weightMagnitude: (channel: number) => number,
  singleRounding: boolean,
): { reduced: Int32Array; totals: Int32Array } | null {
  const { bias, multipliers, shifts } = layer;
  const reduced = new Int32Array(channels);
  const totals = new Int32Array(channels);
  for (let channel = 0; channel < channels; channel++) {
    const magnitude = Math.abs(bias[channel]) + weightMagnitude(channel) * ACTIVATION_BOUND;
    const multiplier = multipliers[channel];
    if (singleRounding) {
      reduced[channel] = multiplier;
      totals[channel] = 31 - shifts[channel];
    } else {
      reduced[channel] = multiplier < 0x7fff0000
        ? Math.floor((multiplier + 2 ** 15) / 2 ** 16)
        : 0x7fff;
      totals[channel] = 15 - shifts[channel];
    }
    if (magnitude >= 2 ** 31 || totals[channel] < 1 || totals[channel] > 62) return null;
  }
  return { reduced, totals };
}

/** The window of a FULLY_CONNECTED layer's m rows as the pixels of a 1 x m image. */
function rowsWindow(m: number): SlidingWindow {
  const plan = (outSize: number) => ({ outSize, padBefore: 0 });
  return { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, rows: plan(1), columns: plan(m) };
}

/**
 * FULLY_CONNECTED on int16 rows of k values and int8 weights [n][k] (zero points 0) on wasm, or
 * null where the kernels do not apply (see `qs16Conv2d`).
 */
export function qs16FullyConnected(
  context: OpContext,
  layer: Omit<Int16Layer, "window">,
  m: number,
  n: number,
  k: number,
): PreparedOp | null {
  return qs16Layer(context, { ...layer, window: rowsWindow(m) }, [1, 1, m, k], [n, 1, 1], true);
}

/**
 * CONV_2D on int16 activations and int8 weights (zero points 0) on wasm, or null where the
 * kernels do not apply: a channel's sum could leave int32 (sum of |weights| x 2^15 plus |bias|
 * reaching 2^31), or a shift out of the requantization's range.
 */
export function qs16Conv2d(context: OpContext, layer: Int16Layer): PreparedOp | null {
  const [outC, kH, kW] = context.input(1).shape;
  return qs16Layer(context, layer, layer.input.shape, [outC, kH, kW], false);
}

/**
 * The int16x8 layer: `shape` the NHWC input, `filter` [outC, kH, kW]; `singleRounding` takes the
 * full multiplier with one rounding (FULLY_CONNECTED), else the 15-bit reduced one.
 */
function qs16Layer(
  context: OpContext,
  layer: Int16Layer,
  shape: number[],
  [outC, kH, kW]: number[],
  singleRounding: boolean,
): PreparedOp | null {
  const { output, window, weights, bias, low, high } = layer;
  const input = layer.input;
  const [batches, inH, inW, channels] = shape;
  const k = kH * kW * channels;
  const requantization = int16Requantization(
    layer,
    outC,
    (channel) => {
      let sum = 0;
      for (let index = 0; index < k; index++) sum += Math.abs(weights[channel * k + index]);
      return sum;
    },
    singleRounding,
  );
  if (!requantization) return null;
  const memory = context.memory;
  const kernels = context.kernels;
  const depth = roundUp(k, 8);
  const padded = roundUp(outC, 8);
  const packed = memory.allocate(padded * depth * 2);
  memory.withTemporary(weights.byteLength, (source) => {
    memory.bytes(source, weights.byteLength).set(
      new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
    );
    kernels.qs8_pack_weights(source, outC, k, depth, packed);
  });
  const paddedBias = new Int32Array(padded);
  paddedBias.set(bias);
  const gemm = storeLayer(memory, {
    n: outC,
    depth,
    lda: depth,
    ldc: outC,
    bias: memory.store(paddedBias),
  });
  // The im2col of int16 values as bytes: pixels of 2 x channels bytes, patches of 2 x depth.
  const im2col = storeLayer(memory, {
    ...windowFields(inH, inW, channels * 2, kH, kW, window),
    depth: depth * 2,
  });
  const { reduced, totals } = requantization;
  const reducedOffset = memory.store(reduced);
  const totalsOffset = memory.store(totals);
  const positions = window.rows.outSize * window.columns.outSize;
  const band = bandRows(depth, positions);
  const patchBytes = band * depth * 2;
  return {
    consumedInputs: [1, 2],
    scratchBytes: patchBytes + band * outC * 4,
    run(scratch) {
      const sums = scratch + patchBytes;
      for (let image = 0; image < batches; image++) {
        const imageIn = input.offset + image * inH * inW * channels * 2;
        const imageOut = output.offset + image * positions * outC * 2;
        for (let start = 0; start < positions; start += band) {
          const count = Math.min(band, positions - start);
          kernels.qs8_im2col(imageIn, im2col, start, count, 0, scratch);
          kernels.qs8_gemm_sums_4x8(scratch, packed, sums, count, gemm);
          kernels.qs16_requantize_sums(
            sums,
            count,
            outC,
            reducedOffset,
            totalsOffset,
            low,
            high,
            imageOut + start * outC * 2,
          );
        }
      }
    },
  };
}
