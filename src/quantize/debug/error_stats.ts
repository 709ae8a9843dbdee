/**
 * How far a quantized tensor is from the float tensor it replaces: the real values of stored
 * integers, and the error statistics accumulated over samples (SQNR, RMSE, largest error).
 */
import type { TensorData } from "../../format/dtype.ts";

/**
 * The SQNR reported when the quantized values equal the float ones exactly (no noise), and its
 * negative when the float tensor is all zeros but the quantized one is not: every SQNR lies in
 * [-MAX_SQNR_DB, MAX_SQNR_DB], so it stays a finite number in JSON. float32 rounding alone gives
 * about 140 dB, so the cap never hides a measured error.
 */
export const MAX_SQNR_DB = 200;

/** Per-tensor or per-channel linear quantization, as tensors and tensor details carry it. */
export interface LinearQuantization {
  /** One scale, or one per channel along `quantizedDimension`. */
  scale: number[];
  /** One zero point per scale. */
  zeroPoint: number[];
  /** The axis that per-channel scales run along. */
  quantizedDimension: number;
}

/**
 * The real values of a tensor: `scale * (q - zeroPoint)` for a quantized one (per channel along
 * its quantized dimension of `shape`), the values themselves otherwise.
 */
export function realValues(
  values: TensorData,
  quantization: LinearQuantization | null,
  shape: number[],
): Float64Array {
  const real = Float64Array.from(values as ArrayLike<number>, Number);
  if (!quantization || quantization.scale.length === 0) return real;
  const channels = quantization.scale.length;
  const inner = shape.slice(quantization.quantizedDimension + 1).reduce((a, b) => a * b, 1);
  for (let index = 0; index < real.length; index++) {
    const channel = channels === 1 ? 0 : Math.floor(index / inner) % channels;
    real[index] = quantization.scale[channel] * (real[index] - quantization.zeroPoint[channel]);
  }
  return real;
}

/**
 * SQNR in dB from the summed squares of signal and noise: 10·log10(signal / noise), Infinity
 * when there is no noise. The one SQNR formula of liteq.
 */
export function decibels(signalPower: number, noisePower: number): number {
  return noisePower === 0 ? Infinity : 10 * Math.log10(signalPower / noisePower);
}

/** An SQNR kept in ±`MAX_SQNR_DB`, so that it stays a finite number (an exact one is the top). */
export function boundedSqnr(decibelValue: number): number {
  return Math.max(-MAX_SQNR_DB, Math.min(MAX_SQNR_DB, decibelValue));
}

/** SQNR in dB from the summed squares of signal and noise, kept in ±`MAX_SQNR_DB`. */
export function sqnrDb(signalPower: number, noisePower: number): number {
  return boundedSqnr(decibels(signalPower, noisePower));
}

/** Error statistics of a quantized tensor against its float twin over every sample seen. */
export interface ErrorSummary {
  /** Signal-to-quantization-noise ratio in dB: 10·log10(Σ float² / Σ (float − quantized)²). */
  sqnr: number;
  /** Root of the mean squared difference. */
  rmse: number;
  /** Largest absolute difference. */
  maxAbs: number;
}

/** Sums of squares and the largest difference, added sample by sample. */
export class ErrorAccumulator {
  private signalPower = 0;
  private noisePower = 0;
  private count = 0;
  private largest = 0;
  /** Smallest float value seen. */
  floatMin = Infinity;
  /** Largest float value seen. */
  floatMax = -Infinity;

  /** Adds one sample's float values and the quantized model's real values for them. */
  add(float: ArrayLike<number>, quantized: ArrayLike<number>): void {
    if (float.length !== quantized.length) {
      throw new RangeError(`${float.length} float values against ${quantized.length} quantized`);
    }
    for (let index = 0; index < float.length; index++) {
      const value = float[index];
      const difference = value - quantized[index];
      this.signalPower += value * value;
      this.noisePower += difference * difference;
      this.largest = Math.max(this.largest, Math.abs(difference));
      this.floatMin = Math.min(this.floatMin, value);
      this.floatMax = Math.max(this.floatMax, value);
    }
    this.count += float.length;
  }

  /** SQNR, RMSE and largest error of everything added. */
  summary(): ErrorSummary {
    return {
      sqnr: sqnrDb(this.signalPower, this.noisePower),
      rmse: this.count === 0 ? 0 : Math.sqrt(this.noisePower / this.count),
      maxAbs: this.largest,
    };
  }
}
