/**
 * XNNPACK's quantized arithmetic (the `arithmetic: "xnnpack"` mode), computed exactly as its
 * operators set it up in float32: the conv/gemm requantization scales, the output clamps its
 * subgraph derives from a fused activation, its quantization of a real value (round half to
 * even), its fp32 requantization of a sum, its ADD and MUL constants, and its MEAN.
 */
import type { OpContext } from "../../op.ts";
import { params } from "../../quantization/parameters.ts";
import type { RuntimeTensor } from "../../tensor.ts";
import { floatActivationRange } from "./activation_range.ts";

/** Rounds to the nearest integer, ties to even (C's `lrintf` / `nearbyintf`). */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * XNNPACK's `xnn_qs8_quantize`: lrintf(clamp(value / scale + zeroPoint, -128, 127)), each step in
 * float32.
 */
export function xnnpackQuantize(value: number, scale: number, zeroPoint: number): number {
  const scaled = Math.fround(Math.fround(value / scale) + zeroPoint);
  return roundHalfEven(Math.min(127, Math.max(-128, scaled)));
}

/**
 * XNNPACK's fp32 requantization of an int32 sum by a float32 scale: float32(sum) x scale in
 * float32, rounded half to even; the caller adds the output zero point and clamps.
 */
export function xnnpackRequantize(sum: number, scale: number): number {
  return roundHalfEven(Math.fround(Math.fround(sum) * scale));
}

/**
 * The int8 clamp XNNPACK gives a layer with a fused activation: the activation's float bounds
 * quantized by `xnnpackQuantize` into the output's parameters.
 */
export function xnnpackActivationRange(
  context: OpContext,
  output: RuntimeTensor,
): [number, number] {
  const { scale, zeroPoint } = params(context, output);
  const [low, high] = floatActivationRange(context);
  return [xnnpackQuantize(low, scale, zeroPoint), xnnpackQuantize(high, scale, zeroPoint)];
}

/**
 * A layer's per-channel float32 requantization scales as XNNPACK computes them:
 * (input scale * filter scale) / output scale in float32, a per-tensor filter scale broadcast;
 * `padded` channels, the extra ones 0.
 */
export function xnnpackChannelScales(
  context: OpContext,
  input: RuntimeTensor,
  filterScales: ArrayLike<number>,
  output: RuntimeTensor,
  channels: number,
  padded: number,
): Float32Array {
  const inputScale = params(context, input).scale;
  const outputScale = params(context, output).scale;
  const scales = new Float32Array(padded);
  for (let channel = 0; channel < channels; channel++) {
    const filterScale = filterScales[filterScales.length === 1 ? 0 : channel];
    scales[channel] = Math.fround(inputScale * filterScale) / outputScale;
  }
  return scales;
}

/**
 * XNNPACK's int8 ADD constants (`xnn_init_qs8_add_minmax_scalar_params`): [multiplierA,
 * multiplierB, bias, shift] for out = (bias + a * multiplierA + b * multiplierB) >> shift + output
 * zero point. Each input's scale over the output's in float32; shift = 20 less the larger ratio's
 * binary exponent; multipliers = ratio * 2^shift rounded to even; bias = 2^(shift - 1) less both
 * zero points times their multipliers. Null when a ratio is outside [2^-10, 2^8), where XNNPACK's
 * delegate leaves the ADD to TensorFlow Lite's own kernel.
 */
export function xnnpackAddConstants(
  a: { scale: number; zeroPoint: number },
  b: { scale: number; zeroPoint: number },
  output: { scale: number; zeroPoint: number },
): Int32Array | null {
  const ratioA = Math.fround(a.scale / output.scale);
  const ratioB = Math.fround(b.scale / output.scale);
  const inRange = (ratio: number) => ratio >= 2 ** -10 && ratio < 2 ** 8;
  if (!inRange(ratioA) || !inRange(ratioB)) return null;
  const bits = new Uint32Array(Float32Array.of(Math.max(ratioA, ratioB)).buffer)[0];
  const shift = 20 - ((bits >>> 23) - 127);
  const multiplierA = roundHalfEven(ratioA * 2 ** shift);
  const multiplierB = roundHalfEven(ratioB * 2 ** shift);
  const bias = 2 ** (shift - 1) - multiplierA * a.zeroPoint - multiplierB * b.zeroPoint;
  return Int32Array.of(multiplierA, multiplierB, bias, shift);
}

/**
 * XNNPACK's int8 MUL scale (`xnn_init_qs8_mul_minmax_scalar_params`): (scaleA * scaleB) /
 * outputScale in float32, by which the product (a - zeroA)(b - zeroB) is requantized as a
 * convolution's sum is; null outside [2^-16, 2^8), where XNNPACK's delegate leaves the MUL to
 * TensorFlow Lite's own kernel.
 */
export function xnnpackMulScale(
  scaleA: number,
  scaleB: number,
  outputScale: number,
): Float32Array | null {
  const scale = Math.fround(Math.fround(scaleA * scaleB) / outputScale);
  return scale >= 2 ** -16 && scale < 2 ** 8 ? Float32Array.of(scale) : null;
}

/**
 * XNNPACK's int8 MEAN of `count` values from their int32 sum: rne(float32(sum) * s + z) with
 * s = float32(input scale / output scale) * float32(1 / count) and z = output zero point less
 * float32(count * input zero point) * s, each step in float32 (its int32 to int8 conversion after
 * the sum; the order matched on LiteRT.js). The caller clamps.
 */
export function xnnpackMean(
  input: { scale: number; zeroPoint: number },
  output: { scale: number; zeroPoint: number },
  count: number,
): (sum: number) => number {
  const f = Math.fround;
  const scale = f(f(input.scale / output.scale) * f(1 / count));
  const zero = f(output.zeroPoint - f(f(count * input.zeroPoint) * scale));
  return (sum) => roundHalfEven(f(f(f(sum) * scale) + zero));
}
