/**
 * Hybrid (dynamic-range) kernels: float32 activations, int8 weights, as TensorFlow Lite's hybrid
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED compute them. Each batch row (a fully connected
 * row, or a whole image for convolutions) is quantized on the fly to int8 (`rowQuantization`,
 * then `qs8_quantize_hybrid`), the integer products are summed exactly on the int8 wasm kernels,
 * and each sum is scaled back to float by the row's scale and the channel's weight scale, plus
 * the float bias, then the activation clamp, in TFLite's float32 order.
 */
import { elementCount } from "../../format/dtype.ts";
import type { KernelMemory } from "../memory.ts";
import type { OpContext, PreparedOp } from "../op.ts";
import { roundHalfAway } from "../quantized/fixed_point.ts";
import { activationRange, type SlidingWindow, slidingWindow, windowArguments } from "./common.ts";
import { roundUp } from "./conv.ts";
import { batchMatmulShape } from "./matmul.ts";
import { bandRows, depthwiseWeightSums, im2colBands, widenInBands } from "./qs8.ts";

const f = Math.fround;

/** How a row of floats is quantized: its scale, 1 / scale (float32) and zero point. */
export interface RowQuantization {
  scale: number;
  inverse: number;
  zeroPoint: number;
}

/**
 * TFLite's on-the-fly input quantization parameters from the row's range [low, high] (which
 * includes 0). Asymmetric (AsymmetricQuantizeFloats): scale = (high - low) / 255 in double, the
 * zero point from whichever end errs less, nudged into [-128, 127]; an all-zero row gets scale 1.
 * Symmetric (SymmetricQuantizeFloats): scale = max(-low, high) / 127 and inverse 127 / that, in
 * float32. Quantizing is then q = round(zeroPoint + x * inverse) in float32, clamped: halves
 * rounded up in the asymmetric form (what TensorFlow 2.21's kernels do, measured on ties), away
 * from zero in the symmetric one (`qs8_quantize_hybrid`).
 */
export function rowQuantization(low: number, high: number, asymmetric: boolean): RowQuantization {
  if (asymmetric) {
    if (low === high) return { scale: 1, inverse: 1, zeroPoint: 0 };
    const scale = (high - low) / 255;
    const fromMin = -128 - low / scale;
    const fromMax = 127 - high / scale;
    const chosen = 128 + Math.abs(low / scale) < 127 + Math.abs(high / scale) ? fromMin : fromMax;
    const zeroPoint = chosen <= -128 ? -128 : chosen >= 127 ? 127 : roundHalfAway(chosen);
    const scale32 = f(scale);
    return { scale: scale32, inverse: f(1 / scale32), zeroPoint };
  }
  const range = Math.max(-low, high);
  if (range === 0) return { scale: 1, inverse: 1, zeroPoint: 0 };
  return { scale: f(range / 127), inverse: f(127 / range), zeroPoint: 0 };
}

/** Quantizes `count` floats at `input` into int8 at `output`; returns the parameters used. */
function quantizeInput(
  memory: KernelMemory,
  input: number,
  count: number,
  output: number,
  range: number,
  asymmetric: boolean,
): RowQuantization {
  const kernels = memory.kernels;
  kernels.f32_range(input, count, range);
  const [low, high] = memory.f32(range, 2);
  const row = rowQuantization(low, high, asymmetric);
  kernels.qs8_quantize_hybrid(
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

function hybridLayer(context: OpContext, channels: number, padded: number, pack?: number) {
  const filter = context.input(1, "int8");
  const quantization = filter.quantization;
  if (!quantization || quantization.scale.length === 0) {
    context.unsupported(`weights "${filter.name}" have no quantization parameters`);
  }
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
    weights = memory.allocate(padded * pack * 2);
    memory.withTemporary(values.byteLength, (source) => {
      memory.bytes(source, values.byteLength).set(
        new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
      );
      context.kernels.qs8_pack_weights(source, channels, depth, pack, weights);
    });
  }
  return { weights, rowSums, scales, bias: memory.store(bias), padded } satisfies HybridLayer;
}

/** Per-call arrays the GEMM reads: the zero point folded into an int32 bias, and scales. */
function gemmOperands(memory: KernelMemory, padded: number) {
  return { bias: memory.allocate(padded * 4), scales: memory.allocate(padded * 4) };
}

/**
 * Hybrid FULLY_CONNECTED: each input row quantized (asymmetrically when the options say so),
 * multiplied on the int8 GEMM, then bias + sum * (row scale x weight scale) in float32.
 */
export function hybridFullyConnected(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const output = context.output(0, "float32");
  const [n, k] = context.input(1).shape;
  const m = elementCount(input.shape) / k;
  if (!Number.isInteger(m)) {
    context.unsupported(`input [${input.shape}] does not split into rows of ${k}`);
  }
  output.shape = context.options.keepNumDims ? [...input.shape.slice(0, -1), n] : [m, n];
  const depth = roundUp(k, 8);
  const layer = hybridLayer(context, n, roundUp(n, 8), depth);
  const asymmetric = Boolean(context.options.asymmetricQuantizeInputs);
  const [low, high] = activationRange(context);
  const memory = context.memory;
  const kernels = context.kernels;
  const operands = gemmOperands(memory, layer.padded);
  const range = memory.allocate(8);
  return {
    consumedInputs: [1, 2],
    scratchBytes: depth * 3,
    run(scratch) {
      const quantized = scratch;
      const widened = scratch + depth;
      const bias = memory.i32(operands.bias, layer.padded);
      const scales = memory.f32(operands.scales, layer.padded);
      for (let row = 0; row < m; row++) {
        const quantization = quantizeInput(
          memory,
          input.offset + row * k * 4,
          k,
          quantized,
          range,
          asymmetric,
        );
        for (let channel = 0; channel < n; channel++) {
          bias[channel] = -quantization.zeroPoint * layer.rowSums[channel];
          scales[channel] = f(quantization.scale * layer.scales[channel]);
        }
        kernels.qs8_widen(quantized, 1, k, k, depth, widened);
        kernels.qs8_gemm_dequantize_4x8(
          widened,
          depth,
          depth,
          layer.weights,
          operands.bias,
          operands.scales,
          1,
          layer.bias,
          output.offset + row * n * 4,
          n,
          1,
          n,
          low,
          high,
        );
      }
    },
  };
}

/**
 * Hybrid BATCH_MATMUL (float32 left side, constant int8 right side with one scale): each left
 * row quantized (asymmetrically when the options say so), multiplied on the int8 GEMM against
 * the right side's batch (packed at load), then sum x (row scale x weight scale) in float32, as
 * TFLite's hybrid kernel. A transposed left side (adj_x) is not supported.
 */
export function hybridBatchMatmul(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const right = context.input(1, "int8");
  const output = context.output(0, "float32");
  const { m, k, n, adjX, adjY, batches, rightCount, leftIndex, rightIndex } = batchMatmulShape(
    context,
    input,
    right,
    output,
  );
  if (adjX) context.unsupported("hybrid BATCH_MATMUL with a transposed left side (adj_x)");
  const quantization = right.quantization;
  if (!quantization || quantization.scale.length !== 1) {
    context.unsupported(`right side "${right.name}" needs one scale`);
  }
  const values = context.values(right, "right side") as Int8Array;
  const depth = roundUp(k, 8);
  const padded = roundUp(n, 8);
  const memory = context.memory;
  const kernels = context.kernels;
  // Each right-side batch as rows [n][k], packed, with its rows' sums.
  const packedBytes = padded * depth * 2;
  const packed = memory.allocate(packedBytes * rightCount);
  const rowSums = new Int32Array(padded * rightCount);
  const upright = new Int8Array(n * k);
  for (let batch = 0; batch < rightCount; batch++) {
    for (let row = 0; row < n; row++) {
      for (let index = 0; index < k; index++) {
        const value = values[batch * k * n + (adjY ? row * k + index : index * n + row)];
        upright[row * k + index] = value;
        rowSums[batch * padded + row] += value;
      }
    }
    memory.withTemporary(upright.byteLength, (source) => {
      memory.bytes(source, upright.byteLength).set(new Uint8Array(upright.buffer));
      kernels.qs8_pack_weights(source, n, k, depth, packed + batch * packedBytes);
    });
  }
  const weightScale = quantization.scale[0];
  const asymmetric = Boolean(context.options.asymmetricQuantizeInputs);
  const operands = gemmOperands(memory, padded);
  const zeroBias = memory.store(new Float32Array(padded));
  const range = memory.allocate(8);
  return {
    consumedInputs: [1],
    scratchBytes: depth * 3,
    run(scratch) {
      const quantized = scratch;
      const widened = scratch + depth;
      const bias = memory.i32(operands.bias, padded);
      const scales = memory.f32(operands.scales, padded);
      for (let batch = 0; batch < batches; batch++) {
        const weights = rightIndex(batch);
        for (let row = 0; row < m; row++) {
          const { scale, zeroPoint } = quantizeInput(
            memory,
            input.offset + ((leftIndex(batch) * m + row) * k) * 4,
            k,
            quantized,
            range,
            asymmetric,
          );
          // TFLite folds the weight scale into the row's: one float32 factor for all columns.
          scales.fill(f(scale * weightScale));
          for (let column = 0; column < n; column++) {
            bias[column] = -zeroPoint * rowSums[weights * padded + column];
          }
          kernels.qs8_widen(quantized, 1, k, k, depth, widened);
          kernels.qs8_gemm_dequantize_4x8(
            widened,
            depth,
            depth,
            packed + weights * packedBytes,
            operands.bias,
            operands.scales,
            1,
            zeroBias,
            output.offset + ((batch * m + row) * n) * 4,
            n,
            1,
            n,
            -Infinity,
            Infinity,
          );
        }
      }
    },
  };
}

/** The geometry both hybrid convolutions share. */
function convolutionShape(context: OpContext, depthwise: boolean) {
  const input = context.input(0, "float32");
  const output = context.output(0, "float32");
  const [batches, inH, inW, channels] = input.shape;
  const filterShape = context.input(1).shape;
  const [kH, kW] = filterShape.slice(1, 3);
  const outC = depthwise ? filterShape[3] : filterShape[0];
  const window: SlidingWindow = slidingWindow(context, inH, inW, kH, kW);
  output.shape = [batches, window.rows.outSize, window.columns.outSize, outC];
  const [low, high] = activationRange(context);
  return { input, output, batches, inH, inW, channels, kH, kW, outC, window, low, high };
}

/**
 * Hybrid CONV_2D: each image quantized asymmetrically as one row, multiplied on the int8 GEMM
 * (1x1 stride-1 directly, others over im2col bands padded with the zero point, which the folded
 * bias cancels), then (sum x weight scale) x row scale + bias in float32.
 */
export function hybridConv2d(context: OpContext): PreparedOp {
  const shape = convolutionShape(context, false);
  const { input, output, batches, inH, inW, channels, kH, kW, outC, window, low, high } = shape;
  if (context.input(1).shape[3] !== channels) {
    context.unsupported("grouped convolution is not supported");
  }
  const depth = roundUp(kH * kW * channels, 8);
  const layer = hybridLayer(context, outC, roundUp(outC, 8), depth);
  const memory = context.memory;
  const kernels = context.kernels;
  const operands = gemmOperands(memory, layer.padded);
  memory.f32(operands.scales, layer.padded).set(layer.scales);
  const range = memory.allocate(8);
  const imageIn = inH * inW * channels;
  const positions = window.rows.outSize * window.columns.outSize;
  const direct = kH === 1 && kW === 1 && window.strideH === 1 && window.strideW === 1;
  const geometry = { inH, inW, channels, kH, kW, window };
  const band = bandRows(depth, positions);
  const quantizedBytes = roundUp(imageIn, 16);
  const patchBytes = direct ? 0 : band * depth;
  return {
    consumedInputs: [1, 2],
    scratchBytes: quantizedBytes + patchBytes + band * depth * 2,
    run(scratch) {
      const quantized = scratch;
      const patches = scratch + quantizedBytes;
      const widened = patches + patchBytes;
      const bias = memory.i32(operands.bias, layer.padded);
      for (let image = 0; image < batches; image++) {
        const { scale, zeroPoint } = quantizeInput(
          memory,
          input.offset + image * imageIn * 4,
          imageIn,
          quantized,
          range,
          true,
        );
        for (let channel = 0; channel < outC; channel++) {
          bias[channel] = -zeroPoint * layer.rowSums[channel];
        }
        const imageOut = output.offset + image * positions * outC * 4;
        const multiply = (start: number, count: number) =>
          kernels.qs8_gemm_dequantize_4x8(
            widened,
            depth,
            depth,
            layer.weights,
            operands.bias,
            operands.scales,
            scale,
            layer.bias,
            imageOut + start * outC * 4,
            outC,
            count,
            outC,
            low,
            high,
          );
        if (direct) {
          widenInBands(kernels, quantized, channels, channels, positions, depth, widened, multiply);
          continue;
        }
        im2colBands(kernels, quantized, geometry, depth, zeroPoint, patches, widened, multiply);
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
        kernels.qs8_depthwise_dequantize_x8(
          scratch,
          inH,
          inW,
          channels,
          layer.weights,
          interiorBias,
          ...windowArguments(kH, kW, window),
          rows.outSize,
          columns.outSize,
          zeroPoint,
          scalesOffset,
          1,
          layer.bias,
          low,
          high,
          target,
        );
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
