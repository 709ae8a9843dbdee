/**
 * Hybrid (dynamic-range) CONV_2D and DEPTHWISE_CONV_2D: float32 activations, int8 weights, as
 * TensorFlow Lite's hybrid kernels compute them. Each image is quantized on the fly to int8 as
 * one row (`hybrid_layer.ts`), the integer products are summed exactly on the int8 wasm
 * kernels, and each sum is scaled back to float by the row's scale and the channel's weight
 * scale, plus the float bias, then the activation clamp, in TFLite's float32 order.
 */
import { storeLayer } from "../../kernel_layout.ts";
import type { KernelMemory } from "../../memory.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { gemmOperands, hybridLayer, quantizeInput } from "../common/hybrid_layer.ts";
import {
  bandRows,
  dotActivationXor,
  DotForm,
  dotGemmScratchBytes,
  widenInBands,
} from "../common/int8_gemm.ts";
import { depthwiseWeightSums, roundUp } from "../common/weight_packing.ts";
import { windowFields } from "../common/window.ts";
import { convolutionShape, im2colBands, prepareIm2col } from "./convolution_common.ts";

const f = Math.fround;

/**
 * Hybrid CONV_2D: each image quantized as one row, multiplied on the int8 GEMM (1x1 stride-1
 * directly, others over im2col bands padded with the zero point, which the folded bias cancels).
 * Weights with distinct per-channel scales take TFLite's per-channel path: asymmetric rows, then
 * (sum x weight scale) x row scale + bias in float32. Weights with one scale (or all channels'
 * equal, which TFLite treats alike) take its per-tensor path: symmetric rows, then
 * sum x (row scale x weight scale) + bias.
 */
export function hybridConv2d(context: OpContext): PreparedOp {
  const shape = convolutionShape(context, false);
  const { input, output, batches, inH, inW, channels, kH, kW, outC, window, low, high } = shape;
  if (context.input(1).shape[3] !== channels) {
    context.unsupported("grouped convolution is not supported");
  }
  const memory = context.memory;
  const kernels = context.kernels;
  const form = kernels.qs8_dot_form();
  const dot = form !== DotForm.none;
  // The unsigned dot form's activations, x XOR 0x80, are x + 128: the bias takes 128 more sums.
  const activationXor = dotActivationXor(form);
  const direct = kH === 1 && kW === 1 && window.strideH === 1 && window.strideW === 1;
  const k = kH * kW * channels;
  // The dot GEMM reads input rows of k values in place and im2col patches of k rounded up to 4;
  // the int16 GEMM widens rows of k rounded up to 8.
  const depth = dot ? (direct ? k : roundUp(k, 4)) : roundUp(k, 8);
  const layer = hybridLayer(context, outC, roundUp(outC, 8), depth, dot);
  const operands = gemmOperands(
    memory,
    layer.padded,
    outC,
    depth,
    layer.bias,
    low,
    high,
    activationXor,
  );
  memory.f32(operands.scales, layer.padded).set(layer.scales);
  const perChannel = layer.scales.subarray(0, outC).some((scale) => scale !== layer.scales[0]);
  const range = memory.allocate(8);
  const imageIn = inH * inW * channels;
  const positions = window.rows.outSize * window.columns.outSize;
  const im2col = prepareIm2col(memory, { inH, inW, channels, kH, kW, window }, depth);
  const band = bandRows(depth, positions);
  const quantizedBytes = roundUp(imageIn, 16);
  const patchBytes = direct ? 0 : band * depth;
  return {
    consumedInputs: [1, 2],
    // The dot GEMM's scratch, or the widened GEMM's bands, at `widened`.
    scratchBytes: quantizedBytes + patchBytes +
      (dot ? dotGemmScratchBytes(depth) : band * depth * 2),
    run(scratch) {
      const quantized = scratch;
      const patches = scratch + quantizedBytes;
      const widened = patches + patchBytes;
      // The dot GEMM takes its scratch at `widened` too.
      const gemm = dot
        ? (...args: Parameters<typeof kernels.qs8_gemm_dequantize_4x8>) =>
          kernels.qs8_gemm_dequantize_4x8c4(...args, widened)
        : kernels.qs8_gemm_dequantize_4x8;
      const bias = memory.i32(operands.bias, layer.padded);
      for (let image = 0; image < batches; image++) {
        const { scale, zeroPoint } = quantizeInput(
          memory,
          input.offset + image * imageIn * 4,
          imageIn,
          quantized,
          range,
          perChannel,
        );
        for (let channel = 0; channel < outC; channel++) {
          bias[channel] = -(zeroPoint + activationXor) * layer.rowSums[channel];
        }
        if (!perChannel) {
          memory.f32(operands.scales, outC).fill(f(scale * layer.scales[0]));
        }
        const rowScale = perChannel ? scale : 1;
        const imageOut = output.offset + image * positions * outC * 4;
        const multiply = (rows: number) => (start: number, count: number) =>
          gemm(rows, layer.weights, imageOut + start * outC * 4, count, operands.layer, rowScale);
        if (dot && direct) {
          multiply(quantized)(0, positions);
        } else if (dot) {
          for (let start = 0; start < positions; start += band) {
            const count = Math.min(band, positions - start);
            kernels.qs8_im2col(quantized, im2col.layer, start, count, zeroPoint, patches);
            multiply(patches)(start, count);
          }
        } else if (direct) {
          widenInBands(
            kernels,
            quantized,
            channels,
            channels,
            positions,
            depth,
            widened,
            band,
            multiply(widened),
          );
        } else {
          im2colBands(kernels, quantized, im2col, zeroPoint, patches, widened, multiply(widened));
        }
      }
    },
  };
}

/**
 * Hybrid DEPTHWISE_CONV_2D: each image quantized asymmetrically, the taps inside the image
 * summed as (q - zero point) x w (on the int8 depthwise kernel for depth multiplier 1), then
 * sum x (weight scale x row scale) + bias in float32.
 */
export function hybridDepthwiseConv2d(context: OpContext): PreparedOp {
  const shape = convolutionShape(context, true);
  const { input, output, batches, inH, inW, channels, kH, kW, outC, window, low, high } = shape;
  if (outC % channels !== 0) context.unsupported("filter channels are not a multiple of input's");
  const { strideH, strideW, dilationH, dilationW, rows, columns } = window;
  const layer = hybridLayer(context, outC, roundUp(outC, 8));
  const memory = context.memory;
  const kernels = context.kernels;
  const scalesOffset = memory.allocate(layer.padded * 4);
  const weightSums = depthwiseWeightSums(
    memory.view("int8", layer.weights, kH * kW * outC) as Int8Array,
    outC,
    layer.padded,
  );
  const interiorBias = memory.allocate(layer.padded * 4);
  const vectorised = storeLayer(memory, {
    ...windowFields(inH, inW, channels, kH, kW, window),
    filter: layer.weights,
    interiorBias,
    scales: scalesOffset,
    floatBias: layer.bias,
    lowF: low,
    highF: high,
  });
  const range = memory.allocate(8);
  const imageIn = inH * inW * channels;
  const imageOut = rows.outSize * columns.outSize * outC;
  return {
    consumedInputs: [1, 2],
    scratchBytes: imageIn,
    run(scratch) {
      const scales = memory.f32(scalesOffset, layer.padded);
      for (let image = 0; image < batches; image++) {
        const { scale, zeroPoint } = quantizeInput(
          memory,
          input.offset + image * imageIn * 4,
          imageIn,
          scratch,
          range,
          true,
        );
        const folded = memory.i32(interiorBias, layer.padded);
        for (let channel = 0; channel < outC; channel++) {
          scales[channel] = f(layer.scales[channel] * scale);
          folded[channel] = -zeroPoint * weightSums[channel];
        }
        const target = output.offset + image * imageOut * 4;
        if (outC !== channels) {
          depthwiseWithMultiplier(memory, scratch, zeroPoint, target);
          continue;
        }
        kernels.qs8_depthwise_dequantize_x8(scratch, target, vectorised, zeroPoint, 1);
      }
    },
  };

  /** Depth multiplier above 1: the same arithmetic, scalar. */
  function depthwiseWithMultiplier(
    memory: KernelMemory,
    quantized: number,
    zeroPoint: number,
    target: number,
  ) {
    const values = memory.view("int8", quantized, imageIn) as Int8Array;
    const weights = memory.view("int8", layer.weights, kH * kW * outC) as Int8Array;
    const scales = memory.f32(scalesOffset, outC);
    const bias = memory.f32(layer.bias, outC);
    const out = memory.f32(target, imageOut);
    const multiplier = outC / channels;
    let index = 0;
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
              acc += (values[(iy * inW + ix) * channels + Math.floor(oc / multiplier)] -
                zeroPoint) * weights[(ky * kW + kx) * outC + oc];
            }
          }
          out[index++] = Math.min(high, Math.max(low, f(f(acc * scales[oc]) + bias[oc])));
        }
      }
    }
  }
}
