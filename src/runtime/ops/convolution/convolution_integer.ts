/**
 * Integer CONV_2D and DEPTHWISE_CONV_2D (int8, legacy uint8 and int16x8), bit-exact with
 * TensorFlow Lite's reference kernels: int8 layers with symmetric weights, and uint8 layers whose
 * weights less their zero point fit int8, run on the wasm int8 kernels (`convolution_int8.ts`,
 * see `int8WasmLayer`), int16x8 CONV_2D and DEPTHWISE_CONV_2D on the wasm int16 paths where their
 * sums stay within int32 (`common/int16_gemm.ts`, `convolution_int16.ts`), the others here in
 * scalar TypeScript, the reference the SIMD kernels match. The fixed-point primitives are in
 * `quantization/fixed_point.ts`.
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { int16WasmWeights, int8WasmLayer, layerParameters } from "../common/integer_layer.ts";
import { slidingWindow } from "../common/window.ts";
import { qs8Conv2d, qs8DepthwiseConv2d } from "./convolution_int8.ts";
import { qs16Conv2d } from "../common/int16_gemm.ts";
import { qs16DepthwiseConv2d } from "./convolution_int16.ts";
import { integerInput } from "../../quantization/parameters.ts";

/**
 * CONV_2D on int8 (per-channel) or uint8: acc = sum (filter - filterZero) * (input - inputZero)
 * + bias, then acc * multiplier[c] rounded (multiplyByQuantizedMultiplier), plus the output zero
 * point, clamped to the activation range.
 */
export function integerConv2d(context: OpContext): PreparedOp {
  const input = integerInput(context, 0);
  const output = context.output(0, input.dtype);
  const [batches, inH, inW, channels] = input.shape;
  const [outC, kH, kW, filterChannels] = context.input(1).shape;
  const layer = layerParameters(context, input, output, outC);
  const { weights, bias, multipliers, shifts, filterZeroPoints, rescale } = layer;
  const { inputZero, outputZero, low, high } = layer;
  if (filterChannels !== channels) context.unsupported("grouped convolution is not supported");
  const window = slidingWindow(context, inH, inW, kH, kW);
  const { strideH, strideW, dilationH, dilationW, rows, columns } = window;
  output.shape = [batches, rows.outSize, columns.outSize, outC];
  const int8Layer = int8WasmLayer(layer);
  if (int8Layer) return qs8Conv2d(context, { ...int8Layer, window });
  const int16Weights = int16WasmWeights(layer);
  const int16Layer = int16Weights &&
    qs16Conv2d(context, { ...layer, weights: int16Weights, window });
  if (int16Layer) return int16Layer;
  const filterZero = (channel: number) =>
    filterZeroPoints[filterZeroPoints.length === 1 ? 0 : channel] ?? 0;
  const memory = context.memory;
  return {
    consumedInputs: [1, 2],
    run() {
      const source = memory.view(input.dtype, input.offset, elementCount(input.shape)) as Int8Array;
      const target = memory.view(output.dtype, output.offset, elementCount(output.shape));
      let out = 0;
      for (let batch = 0; batch < batches; batch++) {
        for (let oy = 0; oy < rows.outSize; oy++) {
          for (let ox = 0; ox < columns.outSize; ox++) {
            for (let oc = 0; oc < outC; oc++) {
              const zero = filterZero(oc);
              let acc = 0;
              for (let ky = 0; ky < kH; ky++) {
                const iy = oy * strideH - rows.padBefore + ky * dilationH;
                if (iy < 0 || iy >= inH) continue;
                for (let kx = 0; kx < kW; kx++) {
                  const ix = ox * strideW - columns.padBefore + kx * dilationW;
                  if (ix < 0 || ix >= inW) continue;
                  const inBase = ((batch * inH + iy) * inW + ix) * channels;
                  const filterBase = ((oc * kH + ky) * kW + kx) * channels;
                  for (let ic = 0; ic < channels; ic++) {
                    acc += (weights[filterBase + ic] - zero) * (source[inBase + ic] - inputZero);
                  }
                }
              }
              acc = rescale(acc + bias[oc], multipliers[oc], shifts[oc]);
              target[out++] = Math.min(high, Math.max(low, acc + outputZero));
            }
          }
        }
      }
    },
  };
}

/** DEPTHWISE_CONV_2D on int8 (per-channel) or uint8: CONV_2D's arithmetic per channel. */
export function integerDepthwiseConv2d(context: OpContext): PreparedOp {
  const input = integerInput(context, 0);
  const output = context.output(0, input.dtype);
  const [batches, inH, inW, channels] = input.shape;
  const [, kH, kW, outC] = context.input(1).shape;
  const layer = layerParameters(context, input, output, outC);
  const { weights, bias, multipliers, shifts, filterZeroPoints, rescale } = layer;
  const { inputZero, outputZero, low, high } = layer;
  if (outC % channels !== 0) context.unsupported("filter channels are not a multiple of input's");
  const multiplier = outC / channels;
  const window = slidingWindow(context, inH, inW, kH, kW);
  const { strideH, strideW, dilationH, dilationW, rows, columns } = window;
  output.shape = [batches, rows.outSize, columns.outSize, outC];
  const int8Layer = int8WasmLayer(layer);
  if (int8Layer) return qs8DepthwiseConv2d(context, { ...int8Layer, window });
  const int16Weights = int16WasmWeights(layer);
  const int16Layer = int16Weights &&
    qs16DepthwiseConv2d(context, { ...layer, weights: int16Weights, window });
  if (int16Layer) return int16Layer;
  const memory = context.memory;
  return {
    consumedInputs: [1, 2],
    run() {
      const source = memory.view(input.dtype, input.offset, elementCount(input.shape)) as Int8Array;
      const target = memory.view(output.dtype, output.offset, elementCount(output.shape));
      let out = 0;
      for (let batch = 0; batch < batches; batch++) {
        for (let oy = 0; oy < rows.outSize; oy++) {
          for (let ox = 0; ox < columns.outSize; ox++) {
            for (let oc = 0; oc < outC; oc++) {
              const zero = filterZeroPoints[filterZeroPoints.length === 1 ? 0 : oc] ?? 0;
              const ic = Math.floor(oc / multiplier);
              let acc = 0;
              for (let ky = 0; ky < kH; ky++) {
                const iy = oy * strideH - rows.padBefore + ky * dilationH;
                if (iy < 0 || iy >= inH) continue;
                for (let kx = 0; kx < kW; kx++) {
                  const ix = ox * strideW - columns.padBefore + kx * dilationW;
                  if (ix < 0 || ix >= inW) continue;
                  acc += (weights[(ky * kW + kx) * outC + oc] - zero) *
                    (source[((batch * inH + iy) * inW + ix) * channels + ic] - inputZero);
                }
              }
              acc = rescale(acc + bias[oc], multipliers[oc], shifts[oc]);
              target[out++] = Math.min(high, Math.max(low, acc + outputZero));
            }
          }
        }
      }
    },
  };
}
