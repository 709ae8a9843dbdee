/**
 * What the hybrid (dynamic-range) kernels share: float32 activations quantized to int8 on the
 * fly, per row (`rowQuantization`, then `quantizeOnTheFly`), and a layer's int8 weights,
 * weight scales and float bias in wasm memory.
 */
import { storeLayer } from "../../kernel_layout.ts";
import type { KernelMemory } from "../../memory.ts";
import type { OpContext } from "../../op.ts";
import { roundHalfAway } from "../../quantization/fixed_point.ts";

const f = Math.fround;

/** How a row of floats is quantized: its scale, 1 / scale (float32) and zero point. */
export interface RowQuantization {
  scale: number;
  inverse: number;
  zeroPoint: number;
}

/**
 * TFLite's on-the-fly input quantization parameters from the row's range [low, high] (which
 * includes 0), in float32 as TensorFlow 2.21 computes them (measured: a double scale moves
 * rounding ties). Asymmetric (AsymmetricQuantizeFloats): scale = (high - low) / 255, the zero
 * point from whichever end errs less, nudged into [-128, 127]; an all-zero row gets scale 1.
 * Symmetric (SymmetricQuantizeFloats): scale = max(-low, high) / 127 and inverse 127 / that.
 * Values are then quantized by `quantizeOnTheFly`.
 */
export function rowQuantization(low: number, high: number, asymmetric: boolean): RowQuantization {
  if (asymmetric) {
    if (low === high) return { scale: 1, inverse: 1, zeroPoint: 0 };
    const scale = f(f(high - low) / 255);
    const fromMin = f(-128 - f(low / scale));
    const fromMax = f(127 - f(high / scale));
    const chosen = f(128 + Math.abs(f(low / scale))) < f(127 + Math.abs(f(high / scale)))
      ? fromMin
      : fromMax;
    const zeroPoint = chosen <= -128 ? -128 : chosen >= 127 ? 127 : roundHalfAway(chosen);
    return { scale, inverse: f(1 / scale), zeroPoint };
  }
  const range = Math.max(-low, high);
  if (range === 0) return { scale: 1, inverse: 1, zeroPoint: 0 };
  return { scale: f(range / 127), inverse: f(127 / range), zeroPoint: 0 };
}

/**
 * THE on-the-fly quantization of one value: p = x * inverse in float32, rounded half away from
 * zero as TensorFlow 2.21 rounds it, |p| + 0.5 in float32, floored (so 0.49999997 becomes 1),
 * then the zero point added (after rounding: -99.5 with zero point -28 gives -100, -12.5 gives
 * -12), clamped to [-128, 127] (asymmetric) or [-127, 127] (symmetric). Measured on TensorFlow's
 * hybrid convolutions, both forms.
 */
export function quantizeOnTheFly(value: number, row: RowQuantization, asymmetric: boolean): number {
  const scaled = f(value * row.inverse);
  const rounded = Math.sign(scaled) * Math.floor(f(Math.abs(scaled) + 0.5));
  return Math.min(127, Math.max(asymmetric ? -128 : -127, rounded + row.zeroPoint));
}

/**
 * Quantizes `count` floats at `input` into int8 at `output` (`quantizeOnTheFly`'s rule, on wasm);
 * returns the parameters used.
 */
export function quantizeInput(
  memory: KernelMemory,
  input: number,
  count: number,
  output: number,
  range: number,
  asymmetric: boolean,
): RowQuantization {
  memory.kernels.f32_range(input, count, range);
  const [low, high] = memory.f32(range, 2);
  const row = rowQuantization(low, high, asymmetric);
  memory.kernels.qs8_quantize_hybrid(
    input,
    output,
    count,
    row.inverse,
    row.zeroPoint,
    asymmetric ? -128 : -127,
  );
  return row;
}

/**
 * A hybrid layer's constants in wasm memory: int8 weights (packed for the GEMM, or as they are
 * for depthwise), the sum of each channel's weights, the weight scales and the float bias, the
 * per-channel arrays padded with zeros to `padded`.
 */
interface HybridLayer {
  weights: number;
  rowSums: Int32Array;
  scales: Float32Array;
  bias: number;
  padded: number;
}

/**
 * Places a hybrid layer's constants (see `HybridLayer`); `pack` is the packed depth, if packed:
 * for `qs8_gemm_dequantize_4x8`, or with `dot` for `qs8_gemm_dequantize_4x8c4`.
 */
export function hybridLayer(
  context: OpContext,
  channels: number,
  padded: number,
  pack?: number,
  dot = false,
) {
  const filter = context.input(1, "int8");
  const quantization = context.quantization(filter, "weights");
  const values = context.values(filter, "weights") as Int8Array;
  const depth = values.length / channels;
  const scales = new Float32Array(padded);
  for (let channel = 0; channel < channels; channel++) {
    scales[channel] = quantization.scale[quantization.scale.length === 1 ? 0 : channel];
  }
  const biasInput = context.optionalInput(2, "float32");
  const bias = new Float32Array(padded);
  if (biasInput) bias.set(context.values(biasInput, "bias") as Float32Array);
  const memory = context.memory;
  const rowSums = new Int32Array(padded);
  let weights: number;
  if (pack === undefined) {
    weights = memory.store(values);
  } else {
    for (let channel = 0; channel < channels; channel++) {
      for (let index = 0; index < depth; index++) {
        rowSums[channel] += values[channel * depth + index];
      }
    }
    weights = memory.allocate(dot ? padded * Math.ceil(depth / 4) * 4 : padded * pack * 2);
    memory.withTemporary(values.byteLength + channels * 4, (source) => {
      memory.bytes(source, values.byteLength).set(
        new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
      );
      const sums = source + Math.ceil(values.byteLength / 4) * 4;
      if (dot) context.kernels.qs8_pack_weights_c4(source, channels, depth, weights, sums);
      else context.kernels.qs8_pack_weights(source, channels, depth, pack, weights);
    });
  }
  return { weights, rowSums, scales, bias: memory.store(bias), padded } satisfies HybridLayer;
}

/**
 * What `qs8_gemm_dequantize_4x8` (or `qs8_gemm_dequantize_4x8c4`, with its `activationXor`) reads
 * for rows of `depth` values into rows of n floats: the
 * per-call arrays of `padded` channels (the zero point folded into an int32 bias, and scales),
 * rewritten before each call, and the layer block pointing at them, at `floatBias` and holding
 * the clamp [low, high].
 */
export function gemmOperands(
  memory: KernelMemory,
  padded: number,
  n: number,
  depth: number,
  floatBias: number,
  low: number,
  high: number,
  activationXor = 0,
): { bias: number; scales: number; layer: number } {
  const bias = memory.allocate(padded * 4);
  const scales = memory.allocate(padded * 4);
  const layer = storeLayer(memory, {
    n,
    depth,
    lda: depth,
    ldc: n,
    bias,
    scales,
    floatBias,
    lowF: low,
    highF: high,
    activationXor,
  });
  return { bias, scales, layer };
}
