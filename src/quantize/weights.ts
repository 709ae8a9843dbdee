/**
 * Quantizing constants: weights symmetric int8 ([-127, 127], zero point 0) per tensor or per
 * channel, as the TFLite quantization spec asks; biases int32 (int64 for 16x8) at the scale
 * input scale x weight scale. Rounding is half away from zero, as TensorFlow's quantizer.
 */
import { elementCount } from "../format/dtype.ts";
import type { Tensor } from "../format/ir.ts";
import { roundHalfAway } from "../runtime/quantization/fixed_point.ts";
import { QuantizeError } from "./errors.ts";

/** A constant's float32 values; refuses NaN and infinities, naming the tensor. */
export function finiteValues(tensor: Tensor, where: string): Float32Array {
  const values = tensor.data as Float32Array;
  for (let index = 0; index < values.length; index++) {
    if (!Number.isFinite(values[index])) {
      throw new QuantizeError(
        `${where}: tensor "${tensor.name}" holds ${values[index]} at element ${index}; ` +
          "weights must be finite to quantize",
      );
    }
  }
  return values;
}

/**
 * A constant's float32 values where infinities may stand (a clip bound); refuses NaN, naming the
 * tensor.
 */
export function numericValues(tensor: Tensor, where: string): Float32Array {
  const values = tensor.data as Float32Array;
  const index = values.findIndex(Number.isNaN);
  if (index >= 0) {
    throw new QuantizeError(
      `${where}: tensor "${tensor.name}" holds NaN at element ${index}; constants must be ` +
        "numbers to quantize",
    );
  }
  return values;
}

/** Symmetric int8 weights with their scales (one per channel along `axis`, or one). */
export interface SymmetricWeights {
  data: Int8Array;
  scale: number[];
  quantizedDimension: number;
}

/**
 * Quantizes float weights symmetrically to int8 along `axis` (null: one scale for all). Unlike
 * activations (`quantizeValue`, which divides in float32 as TFLite's QUANTIZE does), TensorFlow's
 * converter divides weights by their scale in double precision and clamps to [-127, 127]; the
 * tests hold this to TensorFlow's bytes.
 */
export function quantizeWeights(
  values: Float32Array,
  shape: number[],
  axis: number | null,
): SymmetricWeights {
  const channels = axis === null ? 1 : shape[axis];
  const inner = axis === null ? values.length : elementCount(shape.slice(axis + 1));
  const channelOf = (index: number) => (axis === null ? 0 : Math.floor(index / inner) % channels);
  const largest = new Float64Array(channels);
  values.forEach((value, index) => {
    const channel = channelOf(index);
    largest[channel] = Math.max(largest[channel], Math.abs(value));
  });
  // An all-zero channel gets scale 1 (any scale represents it exactly).
  const scale = Array.from(largest, (value) => (value > 0 ? value / 127 : 1));
  const data = new Int8Array(values.length);
  values.forEach((value, index) => {
    const quantized = roundHalfAway(value / scale[channelOf(index)]);
    data[index] = Math.max(-127, Math.min(127, quantized));
  });
  return { data, scale: scale.map(Math.fround), quantizedDimension: axis ?? 0 };
}

/** Quantizes a bias at `scale[c]` per channel to int32 (or int64 as BigInt64Array). */
export function quantizeBias(
  values: Float32Array,
  scale: number[],
  wide: boolean,
): Int32Array | BigInt64Array {
  const limit = wide ? 2 ** 53 : 2 ** 31 - 1;
  const quantized = Array.from(values, (value, index) => {
    const step = scale[scale.length === 1 ? 0 : index];
    return Math.max(-limit, Math.min(limit, roundHalfAway(value / step)));
  });
  return wide ? BigInt64Array.from(quantized, BigInt) : Int32Array.from(quantized);
}
