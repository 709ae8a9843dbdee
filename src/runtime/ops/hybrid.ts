/**
 * Hybrid (dynamic-range) kernels: float32 activations, int8 weights, as TensorFlow Lite's hybrid
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED compute them. Each batch row (a fully connected
 * row, or a whole image for convolutions) is quantized on the fly to int8 (`quantizeRow`), the
 * integer products are summed exactly, and the sum is scaled back to float by the row's scale
 * times the channel's weight scale, plus the float bias, then the activation clamp.
 */
import { elementCount } from "../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../op.ts";
import { roundHalfAway } from "../quantized/fixed_point.ts";
import { activationRange, slidingWindow } from "./common.ts";

const f = Math.fround;

/** A row quantized to int8: values, scale and zero point (0 when symmetric). */
interface QuantizedRow {
  values: Int8Array;
  scale: number;
  zeroPoint: number;
}

/**
 * TFLite's on-the-fly input quantization. Asymmetric (AsymmetricQuantizeFloats): the range
 * [min(0, min), max(0, max)] over 255 steps, the zero point from whichever end errs less,
 * nudged into [-128, 127]; q = round(zeroPoint + x * (1 / scale)) in float32, clamped.
 * Symmetric (SymmetricQuantizeFloats): scale = max|x| / 127, q = round(x * 127 / max|x|).
 */
export function quantizeRow(values: Float32Array, asymmetric: boolean): QuantizedRow {
  const quantized = new Int8Array(values.length);
  let low = 0;
  let high = 0;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  if (asymmetric) {
    if (low === high) return { values: quantized, scale: 1, zeroPoint: 0 };
    const scale = (high - low) / 255;
    const fromMin = -128 - low / scale;
    const fromMax = 127 - high / scale;
    const chosen = 128 + Math.abs(low / scale) < 127 + Math.abs(high / scale) ? fromMin : fromMax;
    const zeroPoint = chosen <= -128 ? -128 : chosen >= 127 ? 127 : roundHalfAway(chosen);
    const scale32 = Math.fround(scale);
    const inverse = Math.fround(1 / scale32);
    for (let index = 0; index < values.length; index++) {
      const scaled = Math.fround(zeroPoint + Math.fround(values[index] * inverse));
      quantized[index] = Math.min(127, Math.max(-128, roundHalfAway(scaled)));
    }
    return { values: quantized, scale: scale32, zeroPoint };
  }
  const range = Math.max(-low, high);
  if (range === 0) return { values: quantized, scale: 1, zeroPoint: 0 };
  const scale = Math.fround(range / 127);
  const factor = Math.fround(127 / range);
  for (let index = 0; index < values.length; index++) {
    const scaled = Math.fround(values[index] * factor);
    quantized[index] = Math.min(127, Math.max(-127, roundHalfAway(scaled)));
  }
  return { values: quantized, scale, zeroPoint: 0 };
}

/** Weights, their per-channel scales and the float bias of a hybrid layer. */
function hybridConstants(context: OpContext, channels: number) {
  const filter = context.input(1, "int8");
  const quantization = filter.quantization;
  if (!quantization || quantization.scale.length === 0) {
    context.unsupported(`weights "${filter.name}" have no quantization parameters`);
  }
  const weights = context.values(filter, "weights") as Int8Array;
  const scales = Float32Array.from(
    { length: channels },
    (_, channel) => quantization.scale[quantization.scale.length === 1 ? 0 : channel],
  );
  const bias = context.optionalInput(2, "float32");
  const biasValues = bias
    ? (context.values(bias, "bias") as Float32Array)
    : new Float32Array(channels);
  return { weights, scales, bias: biasValues };
}

/** Hybrid FULLY_CONNECTED: each input row quantized (asymmetrically when the options say so). */
export function hybridFullyConnected(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const output = context.output(0, "float32");
  const [n, k] = context.input(1).shape;
  const m = elementCount(input.shape) / k;
  if (!Number.isInteger(m)) {
    context.unsupported(`input [${input.shape}] does not split into rows of ${k}`);
  }
  output.shape = context.options.keepNumDims ? [...input.shape.slice(0, -1), n] : [m, n];
  const { weights, scales, bias } = hybridConstants(context, n);
  const rowSums = Int32Array.from({ length: n }, (_, row) => {
    let sum = 0;
    for (let index = 0; index < k; index++) sum += weights[row * k + index];
    return sum;
  });
  const asymmetric = Boolean(context.options.asymmetricQuantizeInputs);
  const [low, high] = activationRange(context);
  const memory = context.memory;
  return {
    consumedInputs: [1, 2],
    run() {
      const source = memory.f32(input.offset, m * k);
      const target = memory.f32(output.offset, m * n);
      for (let row = 0; row < m; row++) {
        const { values, scale, zeroPoint } = quantizeRow(
          source.subarray(row * k, (row + 1) * k),
          asymmetric,
        );
        for (let unit = 0; unit < n; unit++) {
          let dot = 0;
          for (let index = 0; index < k; index++) dot += weights[unit * k + index] * values[index];
          dot -= zeroPoint * rowSums[unit];
          // float32 as TFLite: bias += dot * (row scale x weight scale).
          const value = f(bias[unit] + f(dot * f(scale * scales[unit])));
          target[row * n + unit] = Math.min(high, Math.max(low, value));
        }
      }
    },
  };
}

/** Hybrid CONV_2D and DEPTHWISE_CONV_2D: each image quantized as one row. */
function hybridConvolution(context: OpContext, depthwise: boolean): PreparedOp {
  const input = context.input(0, "float32");
  const output = context.output(0, "float32");
  const [batches, inH, inW, channels] = input.shape;
  const filterShape = context.input(1).shape;
  const [kH, kW] = filterShape.slice(1, 3);
  const outC = depthwise ? filterShape[3] : filterShape[0];
  const multiplier = depthwise ? outC / channels : 1;
  if (!depthwise && filterShape[3] !== channels) {
    context.unsupported("grouped convolution is not supported");
  }
  const { strideH, strideW, dilationH, dilationW, rows, columns } = slidingWindow(
    context,
    inH,
    inW,
    kH,
    kW,
  );
  output.shape = [batches, rows.outSize, columns.outSize, outC];
  const { weights, scales, bias } = hybridConstants(context, outC);
  const [low, high] = activationRange(context);
  const imageSize = inH * inW * channels;
  const memory = context.memory;
  return {
    consumedInputs: [1, 2],
    run() {
      const source = memory.f32(input.offset, batches * imageSize);
      const target = memory.f32(output.offset, elementCount(output.shape));
      let out = 0;
      for (let image = 0; image < batches; image++) {
        // TFLite quantizes a convolution's input asymmetrically, per image; taps outside the
        // image contribute nothing (as if padded with the zero point).
        const { values, scale, zeroPoint } = quantizeRow(
          source.subarray(image * imageSize, (image + 1) * imageSize),
          true,
        );
        for (let oy = 0; oy < rows.outSize; oy++) {
          for (let ox = 0; ox < columns.outSize; ox++) {
            for (let oc = 0; oc < outC; oc++) {
              let acc = 0;
              for (let ky = 0; ky < kH; ky++) {
                const iy = oy * strideH - rows.padBefore + ky * dilationH;
                if (iy < 0 || iy >= inH) continue;
                for (let kx = 0; kx < kW; kx++) {
                  const ix = ox * strideW - columns.padBefore + kx * dilationW;
                  if (ix < 0 || ix >= inW) continue;
                  const pixel = (iy * inW + ix) * channels;
                  if (depthwise) {
                    acc += (values[pixel + Math.floor(oc / multiplier)] - zeroPoint) *
                      weights[(ky * kW + kx) * outC + oc];
                  } else {
                    const filterBase = ((oc * kH + ky) * kW + kx) * channels;
                    for (let ic = 0; ic < channels; ic++) {
                      acc += (values[pixel + ic] - zeroPoint) * weights[filterBase + ic];
                    }
                  }
                }
              }
              // float32 in TFLite's order: CONV_2D (acc x weight scale) x row scale,
              // DEPTHWISE_CONV_2D acc x (weight scale x row scale); then the bias.
              const scaled = depthwise
                ? f(acc * f(scales[oc] * scale))
                : f(f(acc * scales[oc]) * scale);
              const value = f(scaled + bias[oc]);
              target[out++] = Math.min(high, Math.max(low, value));
            }
          }
        }
      }
    },
  };
}

/** Hybrid CONV_2D. */
export const hybridConv2d = (context: OpContext): PreparedOp => hybridConvolution(context, false);

/** Hybrid DEPTHWISE_CONV_2D. */
export const hybridDepthwiseConv2d = (context: OpContext): PreparedOp =>
  hybridConvolution(context, true);
