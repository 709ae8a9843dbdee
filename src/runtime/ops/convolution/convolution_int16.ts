/**
 * int16x8 CONV_2D on the wasm kernels: int16 im2col patches (`qs8_im2col` moving two bytes per
 * value), the int16 GEMM's exact int32 sums (`qs8_gemm_sums_4x8`), then TFLite's int16x8
 * requantization (`qs16_requantize_sums`: the 15-bit reduced multiplier on 64-bit sums). The
 * arithmetic is exactly that of `convolution_integer.ts`, TFLite's reference.
 */
import { storeLayer } from "../../kernel_layout.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { bandRows } from "../common/int8_gemm.ts";
import { roundUp } from "../common/weight_packing.ts";
import { type SlidingWindow, windowFields } from "../common/window.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** What an int16x8 convolution's preparation computed (see `integer_layer.ts`). */
export interface Int16Convolution {
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
 * CONV_2D on int16 activations and int8 weights (zero points 0) on wasm, or null where the
 * kernels do not apply: a channel's sum could leave int32 (sum of |weights| x 2^15 plus |bias|
 * reaching 2^31), or a shift needs no rounding (15 - shift below 1).
 */
export function qs16Conv2d(context: OpContext, layer: Int16Convolution): PreparedOp | null {
  const { input, output, window, weights, bias, multipliers, shifts, low, high } = layer;
  const [batches, inH, inW, channels] = input.shape;
  const [outC, kH, kW] = context.input(1).shape;
  const k = kH * kW * channels;
  const reduced = new Int32Array(outC);
  const totals = new Int32Array(outC);
  for (let channel = 0; channel < outC; channel++) {
    let magnitude = Math.abs(bias[channel]);
    for (let index = 0; index < k; index++) {
      magnitude += Math.abs(weights[channel * k + index]) * ACTIVATION_BOUND;
    }
    const multiplier = multipliers[channel];
    reduced[channel] = multiplier < 0x7fff0000
      ? Math.floor((multiplier + 2 ** 15) / 2 ** 16)
      : 0x7fff;
    totals[channel] = 15 - shifts[channel];
    if (magnitude >= 2 ** 31 || totals[channel] < 1 || totals[channel] > 62) return null;
  }
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
