/**
 * TFLite's lookup tables for quantized element-wise functions (LUTPopulate and LUTLookup):
 * 256 entries for int8/uint8, 513 interpolated entries for int16.
 */
import type { OpContext } from "../op.ts";
import { roundHalfAway } from "./fixed_point.ts";
import { params, RANGES } from "./parameters.ts";
import type { RuntimeTensor } from "../tensor.ts";

/** A float function, given the op's input and output tensors (some depend on their scales). */
export type TableFunction = (value: number) => number;

/**
 * A 256-entry table for an 8-bit element-wise function (TFLite's LUTPopulate for int8/uint8):
 * dequantize in float32, apply the function, round(value * (1 / output scale)) + zero point,
 * clamped.
 */
export function lookupTable8(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
  transform: TableFunction,
): Int32Array {
  const [low, high] = RANGES[input.dtype];
  const pin = params(context, input);
  const pout = params(context, output);
  const inverse = Math.fround(1 / pout.scale);
  const table = new Int32Array(256);
  for (let value = low; value <= high; value++) {
    const dequantized = Math.fround(pin.scale * (value - pin.zeroPoint));
    const transformed = Math.fround(transform(dequantized));
    const rescaled = roundHalfAway(Math.fround(transformed * inverse));
    table[value - low] = Math.min(high, Math.max(low, rescaled + pout.zeroPoint));
  }
  return table;
}

/**
 * TFLite's LUTPopulate for int16: 512 samples of `transform` over the input range plus the end
 * point, each sample lowered by half the error linear interpolation would make at the segment's
 * midpoint (in output units), clamped to int16; every step in `precision` (TFLite's SOFTMAX
 * tables are double, its other int16 tables float).
 */
export function populateTable16(
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
  transform: TableFunction,
  precision: "float32" | "float64",
): Int16Array {
  const r = precision === "float32" ? Math.fround : (value: number) => value;
  const apply = (value: number) => r(transform(r(value)));
  const inputMin = r(r(inputScale) * (-32768 - inputZeroPoint));
  const inputMax = r(r(inputScale) * (32767 - inputZeroPoint));
  const outputMin = r(r(outputScale) * (-32768 - outputZeroPoint));
  const outputMax = r(r(outputScale) * (32767 - outputZeroPoint));
  const steps = 512;
  const step = r(r(inputMax - inputMin) / steps);
  const halfStep = r(step / 2);
  const inverse = r(65536 / r(outputMax - outputMin));
  const clamp = (value: number) => Math.min(32767, Math.max(-32768, value));
  const table = new Int16Array(steps + 1);
  for (let index = 0; index < steps; index++) {
    const start = r(inputMin + r(index * step));
    const value = apply(start);
    const midpoint = apply(r(start + halfStep));
    const next = apply(r(inputMin + r((index + 1) * step)));
    const sample = roundHalfAway(r(value * inverse));
    const interpolated = roundHalfAway(r(r(r(next * inverse) + sample) / 2));
    const error = interpolated - roundHalfAway(r(midpoint * inverse));
    table[index] = clamp(sample - roundHalfAway(r(error / 2)));
  }
  table[steps] = clamp(roundHalfAway(r(apply(inputMax) * inverse)));
  return table;
}

/**
 * TFLite's LUTLookup for int16: index 256 + (x >> 7), the low 7 bits interpolating toward the
 * next entry with rounding.
 */
export function lookupTable16(table: Int16Array, value: number): number {
  const index = 256 + (value >> 7);
  const base = table[index];
  const slope = table[index + 1] - base;
  return (base + ((slope * (value & 0x7f) + 64) >> 7)) << 16 >> 16;
}
