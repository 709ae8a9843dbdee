/**
 * The integer activation schemes of the full integer modes, as the TFLite quantization spec
 * has them: int8 asymmetric per tensor from the calibrated range widened to contain 0
 * (scale = (max - min) / 255, zero point = round(-128 - min / scale) clamped); int16 symmetric
 * (scale = max(|min|, |max|) / 32767, zero point 0); and the fixed output parameters of SOFTMAX,
 * LOGISTIC (1/256, -128; int16 1/32768, 0) and TANH (1/128, 0; int16 1/32768, 0); and the names
 * TensorFlow gives the tensors each scheme's rewrite adds.
 */
import type { Quantization } from "../format/ir.ts";
import { roundHalfAway } from "../runtime/quantization/fixed_point.ts";
import type { Range } from "./calibrate.ts";
import { quantization } from "./graph.ts";
import type { QuantizeMode } from "./options.ts";

/** The integer type of activations: int8, or int16 in 16x8. */
export type ActivationType = "int8" | "int16";

/**
 * What a tensor the rewrite adds beside activation `name` holds: its integer form for integer
 * readers (`quantized`), its integer form at other parameters (`requantized`), a model output's
 * integer form that the op writes (`integerOutput`), its float form for float readers
 * (`dequantized`), a model output's float form that a float op writes (`floatOutput`).
 */
export type TwinRole =
  | "quantized"
  | "requantized"
  | "integerOutput"
  | "dequantized"
  | "floatOutput";

/** The integer activation type of a mode. */
export interface Scheme {
  dtype: ActivationType;
  /** The smallest and largest integer an activation takes. */
  limits: [number, number];
  /** Biases int64 (16x8) rather than int32. */
  wideBias: boolean;
  /** The parameters of a tensor with calibrated range `range`. */
  params(range: Range): Quantization;
  /** The fixed output parameters of `op` (SOFTMAX, LOGISTIC, TANH). */
  fixed(op: string): Quantization;
  /**
   * The name TensorFlow's quantizer for this scheme gives a tensor in `role` beside activation
   * `name`, before it is made unique.
   */
  twinName(role: TwinRole, name: string): string;
}

const INT8: Scheme = {
  dtype: "int8",
  limits: [-128, 127],
  wideBias: false,
  params(range) {
    const min = Math.min(range.min, 0);
    const max = Math.max(range.max, 0);
    if (max === min) return quantization([1], [-128]);
    const scale = (max - min) / 255;
    const zeroPoint = Math.max(-128, Math.min(127, roundHalfAway(-128 - min / scale)));
    return quantization([Math.fround(scale)], [zeroPoint]);
  },
  fixed(op) {
    return op === "TANH" ? quantization([1 / 128], [0]) : quantization([1 / 256], [-128]);
  },
  // TensorFlow's MLIR quantizer: its new QUANTIZE and DEQUANTIZE ops' own names, otherwise the
  // activation's (`Sigmoid1` requantizes `Sigmoid`).
  twinName(role, name) {
    if (role === "quantized") return "tfl.quantize";
    return role === "dequantized" ? "tfl.dequantize" : name;
  },
};

const INT16: Scheme = {
  dtype: "int16",
  limits: [-32767, 32767],
  wideBias: true,
  params(range) {
    const largest = Math.max(Math.abs(range.min), Math.abs(range.max));
    return quantization([Math.fround(largest > 0 ? largest / 32767 : 1)], [0]);
  },
  fixed() {
    return quantization([1 / 32768], [0]);
  },
  // TensorFlow's 16x8 quantizer (the one before MLIR) suffixes the activation's name.
  twinName(role, name) {
    switch (role) {
      case "requantized":
        return `${name}_requantized`;
      case "dequantized":
        return `${name}_float`;
      case "floatOutput":
        return name;
      default:
        return `${name}_int16`;
    }
  },
};

/** The activation scheme of a full integer mode (int16 for 16x8, int8 otherwise). */
export function schemeOf(mode: QuantizeMode): Scheme {
  return mode === "int16x8" ? INT16 : INT8;
}

/** int8 parameters as uint8 ones for the same values (zero points shifted by 128). */
export function asUint8(params: Quantization): Quantization {
  return quantization(params.scale, params.zeroPoint.map((zero) => zero + 128));
}
