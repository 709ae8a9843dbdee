/**
 * Integer (int8, legacy uint8 and the int16 activations of int16x8 models) kernels, bit-exact
 * with TensorFlow Lite's reference kernels.
 * The arithmetic rules are TFLite's and are spelled out where they are used; the fixed-point
 * primitives are in `../quantized/fixed_point.ts`. These are scalar TypeScript for now: the
 * reference the SIMD kernels must match.
 */
import { elementCount } from "../../format/dtype.ts";
import type { OpContext, OpKernel, PreparedOp } from "../op.ts";
import type { RuntimeTensor } from "../tensor.ts";
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplier64,
  multiplyByQuantizedMultiplierSingleRounding,
  multiplyByQuantizedMultiplierSmallerThanOne,
  quantizeMultiplier,
  roundHalfAway,
} from "../quantized/fixed_point.ts";
import { planReduction } from "./reduce.ts";
import { batchMatmulShape } from "./matmul.ts";
import { qs8Binary, qs8Conv2d, qs8DepthwiseConv2d, qs8FullyConnected } from "./qs8.ts";
import {
  broadcastBinary,
  broadcastShapes,
  broadcastWalk,
  requireSharedParameters,
  slidingWindow,
} from "./common.ts";
import { activationRange, elementwiseRun, params, RANGES } from "./quantized_params.ts";
import { integerHardSwish } from "./hard_swish.ts";
import { int16Logistic, int16Softmax, int16Tanh } from "./int16_activations.ts";
import { tableKernel } from "./lookup_tables.ts";

/**
 * Whether a layer runs on the wasm int8 kernels: int8 activations and symmetric weights (zero
 * point 0, as the int8 spec requires). Legacy uint8 layers stay on the TypeScript reference.
 */
function usesWasm(input: RuntimeTensor, filterZeroPoints: number[]): boolean {
  return input.dtype === "int8" && filterZeroPoints.every((zero) => zero === 0);
}

/** Integer input `position`: int8, uint8 or int16. */
function integerInput(context: OpContext, position: number): RuntimeTensor {
  return context.input(position, "int8", "uint8", "int16");
}

/**
 * Per-channel (or per-tensor) output multipliers: input scale x filter scale / output scale, in
 * double precision; except where TFLite uses its single per-tensor multiplier (uint8 layers and
 * per-tensor FULLY_CONNECTED), whose product input scale x filter scale is a float32.
 */
export function channelMultipliers(
  context: OpContext,
  input: RuntimeTensor,
  filterScales: number[],
  output: RuntimeTensor,
  channels: number,
): { multipliers: Int32Array; shifts: Int32Array } {
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  const inputScale = input.quantization!.scale[0];
  const outputScale = output.quantization!.scale[0];
  const float32Product = input.dtype === "uint8" ||
    (filterScales.length === 1 && context.operator.op === "FULLY_CONNECTED");
  for (let channel = 0; channel < channels; channel++) {
    const filterScale = filterScales[filterScales.length === 1 ? 0 : channel];
    const product = float32Product
      ? Math.fround(inputScale * filterScale)
      : inputScale * filterScale;
    [multipliers[channel], shifts[channel]] = quantizeMultiplier(product / outputScale);
  }
  return { multipliers, shifts };
}

/**
 * What a convolution or fully connected layer needs, prepared once: its constant weights and
 * bias (zeros when absent), per-channel multipliers, activation range and zero points.
 */
function layerParameters(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
  channels: number,
) {
  const filter = context.input(1, "int8", "uint8");
  const filterQuantization = filter.quantization;
  if (!filterQuantization || filterQuantization.scale.length === 0) {
    context.unsupported(`filter "${filter.name}" has no quantization parameters`);
  }
  const weights = context.values(filter, "filter") as Int8Array | Uint8Array;
  // int16x8 layers have int64 biases (int32 in older files); their values stay well inside 2^53.
  const biasInput = context.optionalInput(
    2,
    ...(input.dtype === "int16" ? ["int64", "int32"] as const : ["int32"] as const),
  );
  const bias = biasInput
    ? Float64Array.from(context.values(biasInput, "bias") as ArrayLike<number | bigint>, Number)
    : new Float64Array(channels);
  if (bias.length !== channels) {
    context.unsupported(`bias has ${bias.length} values for ${channels} channels`);
  }
  const [low, high] = activationRange(context, output);
  return {
    input,
    output,
    weights,
    bias,
    // TensorFlow rounds FULLY_CONNECTED once (through ruy), int16x8 convolutions' 64-bit sums
    // with the 15-bit reduced multiplier, the other layers twice (gemmlowp); all three measured.
    rescale: context.operator.op === "FULLY_CONNECTED"
      ? multiplyByQuantizedMultiplierSingleRounding
      : input.dtype === "int16"
      ? multiplyByQuantizedMultiplier64
      : multiplyByQuantizedMultiplier,
    ...channelMultipliers(context, input, filterQuantization.scale, output, channels),
    filterZeroPoints: filterQuantization.zeroPoint,
    inputZero: params(context, input).zeroPoint,
    outputZero: params(context, output).zeroPoint,
    low,
    high,
  };
}

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
  if (usesWasm(input, filterZeroPoints)) {
    return qs8Conv2d(context, { ...layer, weights: weights as Int8Array, window });
  }
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
  if (usesWasm(input, filterZeroPoints)) {
    return qs8DepthwiseConv2d(context, { ...layer, weights: weights as Int8Array, window });
  }
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

/** FULLY_CONNECTED on int8 (per-tensor or per-channel) or uint8. */
export function integerFullyConnected(context: OpContext): PreparedOp {
  const input = integerInput(context, 0);
  const output = context.output(0, input.dtype);
  const [n, k] = context.input(1).shape;
  const layer = layerParameters(context, input, output, n);
  const { weights, bias, multipliers, shifts, filterZeroPoints, rescale } = layer;
  const { inputZero, outputZero, low, high } = layer;
  const m = elementCount(input.shape) / k;
  if (!Number.isInteger(m)) {
    context.unsupported(`input [${input.shape}] does not split into rows of ${k}`);
  }
  output.shape = context.options.keepNumDims ? [...input.shape.slice(0, -1), n] : [m, n];
  if (usesWasm(input, filterZeroPoints)) {
    return qs8FullyConnected(context, { ...layer, weights: weights as Int8Array });
  }
  const memory = context.memory;
  return {
    consumedInputs: [1, 2],
    run() {
      const source = memory.view(input.dtype, input.offset, m * k) as Int8Array;
      const target = memory.view(output.dtype, output.offset, m * n);
      for (let row = 0; row < m; row++) {
        for (let column = 0; column < n; column++) {
          const zero = filterZeroPoints[filterZeroPoints.length === 1 ? 0 : column] ?? 0;
          let acc = 0;
          for (let depth = 0; depth < k; depth++) {
            acc += (weights[column * k + depth] - zero) * (source[row * k + depth] - inputZero);
          }
          acc = rescale(acc + bias[column], multipliers[column], shifts[column]);
          target[row * n + column] = Math.min(high, Math.max(low, acc + outputZero));
        }
      }
    },
  };
}

/**
 * BATCH_MATMUL on int8 or int16 (TFLite's reference): sum (a - za)(b - zb) per output, rescaled
 * by input scale x filter scale (a float32 product) / output scale, as int32 accumulators with
 * multiplyByQuantizedMultiplier for int8 and int64 ones with the 15-bit form for int16, plus
 * the output zero point, clamped to the type. No fused activation.
 */
export function integerBatchMatmul(context: OpContext): PreparedOp {
  const left = context.input(0, "int8", "int16");
  const right = context.input(1, left.dtype);
  const output = context.output(0, left.dtype);
  const { m, k, n, adjX, adjY, batches, leftIndex, rightIndex } = batchMatmulShape(
    context,
    left,
    right,
    output,
  );
  const pl = params(context, left);
  const pr = params(context, right);
  const po = params(context, output);
  const [multiplier, shift] = quantizeMultiplier(Math.fround(pl.scale * pr.scale) / po.scale);
  const rescale = left.dtype === "int16"
    ? multiplyByQuantizedMultiplier64
    : multiplyByQuantizedMultiplier;
  const [low, high] = RANGES[output.dtype];
  // Element (row, depth) of the left batch and (depth, column) of the right, honouring adj_x/y.
  const [leftRowStride, leftDepthStride] = adjX ? [1, m] : [k, 1];
  const [rightDepthStride, rightColumnStride] = adjY ? [1, k] : [n, 1];
  const memory = context.memory;
  return {
    run() {
      const a = memory.view(left.dtype, left.offset, elementCount(left.shape)) as Int8Array;
      const b = memory.view(right.dtype, right.offset, elementCount(right.shape)) as Int8Array;
      const c = memory.view(output.dtype, output.offset, elementCount(output.shape)) as Int8Array;
      for (let batch = 0; batch < batches; batch++) {
        const aBase = leftIndex(batch) * m * k;
        const bBase = rightIndex(batch) * k * n;
        for (let row = 0; row < m; row++) {
          for (let column = 0; column < n; column++) {
            let acc = 0;
            for (let depth = 0; depth < k; depth++) {
              acc += (a[aBase + row * leftRowStride + depth * leftDepthStride] - pl.zeroPoint) *
                (b[bBase + depth * rightDepthStride + column * rightColumnStride] - pr.zeroPoint);
            }
            const value = rescale(acc, multiplier, shift) + po.zeroPoint;
            c[(batch * m + row) * n + column] = Math.min(high, Math.max(low, value));
          }
        }
      }
    },
  };
}

/**
 * ADD and SUB on int8/uint8/int16 (TFLite's reference): both inputs are shifted left by 20 bits
 * (15 for int16, whose general-scale form TensorFlow marks with `potScaleInt16: false`) and
 * brought to a common scale (twice the larger input scale) by multipliers below one, summed,
 * then rescaled to the output; every multiplication rounds as `multiplyByQuantizedMultiplier
 * SmallerThanOne`.
 */
function integerAddSub(subtract: boolean): OpKernel {
  return (context) => {
    const a = integerInput(context, 0);
    const b = context.input(1, a.dtype);
    const output = context.output(0, a.dtype);
    output.shape = broadcastShapes(context, a.shape, b.shape);
    const pa = params(context, a);
    const pb = params(context, b);
    const po = params(context, output);
    if (a.dtype === "int16" && context.options.potScaleInt16 !== false) {
      context.unsupported(
        "int16 ADD/SUB with power-of-two scales (pot_scale_int16) is not supported",
      );
    }
    const leftShift = a.dtype === "int16" ? 15 : 20;
    const twiceMax = 2 * Math.max(pa.scale, pb.scale);
    const [multiplierA, shiftA] = quantizeMultiplier(pa.scale / twiceMax);
    const [multiplierB, shiftB] = quantizeMultiplier(pb.scale / twiceMax);
    const [multiplierOut, shiftOut] = quantizeMultiplier(twiceMax / (2 ** leftShift * po.scale));
    const [low, high] = activationRange(context, output);
    const walk = broadcastWalk(a.shape, b.shape, output.shape);
    if (a.dtype === "int8") {
      return qs8Binary(context, {
        op: subtract ? "SUB" : "ADD",
        a,
        b,
        output,
        zeroPoints: [pa.zeroPoint, pb.zeroPoint, po.zeroPoint],
        low,
        high,
        multipliers: [[multiplierA, shiftA], [multiplierB, shiftB], [multiplierOut, shiftOut]],
        walk,
      });
    }
    return broadcastBinary(context, a, b, output, (x, y) => {
      const scaledA = multiplyByQuantizedMultiplierSmallerThanOne(
        (x - pa.zeroPoint) * 2 ** leftShift,
        multiplierA,
        shiftA,
      );
      const scaledB = multiplyByQuantizedMultiplierSmallerThanOne(
        (y - pb.zeroPoint) * 2 ** leftShift,
        multiplierB,
        shiftB,
      );
      const sum = subtract ? scaledA - scaledB : scaledA + scaledB;
      const value = multiplyByQuantizedMultiplierSmallerThanOne(sum, multiplierOut, shiftOut) +
        po.zeroPoint;
      return Math.min(high, Math.max(low, value));
    });
  };
}

/**
 * MUL on int8/uint8/int16: (a - za)(b - zb) times scale_a scale_b / scale_out (computed in
 * float32, as TFLite's Prepare does), rounded, plus the output zero point.
 */
export function integerMul(context: OpContext): PreparedOp {
  const a = integerInput(context, 0);
  const b = context.input(1, a.dtype);
  const output = context.output(0, a.dtype);
  output.shape = broadcastShapes(context, a.shape, b.shape);
  const pa = params(context, a);
  const pb = params(context, b);
  const po = params(context, output);
  const [multiplier, shift] = quantizeMultiplier(
    Math.fround(Math.fround(pa.scale * pb.scale) / po.scale),
  );
  const [low, high] = activationRange(context, output);
  const walk = broadcastWalk(a.shape, b.shape, output.shape);
  if (a.dtype === "int8") {
    return qs8Binary(context, {
      op: "MUL",
      a,
      b,
      output,
      zeroPoints: [pa.zeroPoint, pb.zeroPoint, po.zeroPoint],
      low,
      high,
      multipliers: [[multiplier, shift]],
      walk,
    });
  }
  return broadcastBinary(context, a, b, output, (x, y) => {
    const product = (x - pa.zeroPoint) * (y - pb.zeroPoint);
    const value = multiplyByQuantizedMultiplier(product, multiplier, shift) + po.zeroPoint;
    return Math.min(high, Math.max(low, value));
  });
}

/**
 * MAX_POOL_2D and AVERAGE_POOL_2D on int8/uint8 (input and output share parameters): the
 * average rounds half away from zero over the window's elements inside the image.
 */
function integerPool(average: boolean): OpKernel {
  return (context) => {
    const input = integerInput(context, 0);
    const output = context.output(0, input.dtype);
    const [batches, inH, inW, channels] = input.shape;
    const kH = Number(context.options.filterHeight ?? 1);
    const kW = Number(context.options.filterWidth ?? 1);
    const { strideH, strideW, rows, columns } = slidingWindow(context, inH, inW, kH, kW);
    output.shape = [batches, rows.outSize, columns.outSize, channels];
    const [low, high] = activationRange(context, output);
    const memory = context.memory;
    return {
      run() {
        const source = memory.view(
          input.dtype,
          input.offset,
          elementCount(input.shape),
        ) as Int8Array;
        const target = memory.view(output.dtype, output.offset, elementCount(output.shape));
        let out = 0;
        for (let batch = 0; batch < batches; batch++) {
          for (let oy = 0; oy < rows.outSize; oy++) {
            const y0 = oy * strideH - rows.padBefore;
            for (let ox = 0; ox < columns.outSize; ox++) {
              const x0 = ox * strideW - columns.padBefore;
              for (let channel = 0; channel < channels; channel++) {
                let acc = average ? 0 : -Infinity;
                let count = 0;
                for (let y = Math.max(0, y0); y < Math.min(inH, y0 + kH); y++) {
                  for (let x = Math.max(0, x0); x < Math.min(inW, x0 + kW); x++) {
                    const value = Number(
                      source[((batch * inH + y) * inW + x) * channels + channel],
                    );
                    acc = average ? acc + value : Math.max(acc, value);
                    count++;
                  }
                }
                if (average) {
                  const half = Math.floor(count / 2);
                  acc = Math.trunc(acc > 0 ? (acc + half) / count : (acc - half) / count);
                }
                target[out++] = Math.min(high, Math.max(low, acc));
              }
            }
          }
        }
      },
    };
  };
}

/**
 * SOFTMAX on int8/uint8, as TFLite's table-driven kernel: table[d] = expf(-input_scale * beta *
 * d) for d = max - x, sums and products in float32, output round(p / output_scale) + zero point.
 */
export function integerSoftmax(context: OpContext): PreparedOp {
  const input = integerInput(context, 0);
  const output = context.output(0, input.dtype);
  output.shape = [...input.shape];
  const pin = params(context, input);
  const pout = params(context, output);
  const beta = Number(context.options.beta ?? 1);
  const scale = Math.fround(-pin.scale * Math.fround(beta));
  const table = Float32Array.from(
    { length: 256 },
    (_, distance) => Math.exp(Math.fround(scale * distance)),
  );
  const columns = input.shape[input.shape.length - 1];
  const count = elementCount(input.shape);
  const [low, high] = RANGES[output.dtype];
  const memory = context.memory;
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, count);
      const target = memory.view(output.dtype, output.offset, count);
      for (let start = 0; start < count; start += columns) {
        let largest = -Infinity;
        for (let j = 0; j < columns; j++) largest = Math.max(largest, Number(source[start + j]));
        let sum = 0;
        for (let j = 0; j < columns; j++) {
          sum = Math.fround(sum + table[largest - Number(source[start + j])]);
        }
        const inverse = Math.fround(1 / Math.fround(sum * pout.scale));
        for (let j = 0; j < columns; j++) {
          const probability = Math.fround(table[largest - Number(source[start + j])] * inverse);
          target[start + j] = Math.min(
            high,
            Math.max(low, roundHalfAway(probability) + pout.zeroPoint),
          );
        }
      }
    },
  };
}

/**
 * MEAN and SUM on int8/uint8/int16 over constant axes, as TensorFlow 2.21 computes them (matched
 * bit for bit): the centred sum (sum - N * input zero point, N the reduced elements per output)
 * times the multiplier of input scale / output scale, plus the output zero point, clamped.
 * MEAN folds the division into the multiplier: with k = floor(log2 N) (at most 32 and
 * 31 + shift), multiplier' = floor(multiplier * 2^k / N), shift' = shift - k, and rounds twice
 * (multiplyByQuantizedMultiplier); SUM rounds once (TensorFlow's default kernel; its reference
 * SUM is broken for int8 in 2.21).
 */
function integerSumOrMean(mean: boolean): OpKernel {
  return (context) => {
    const input = integerInput(context, 0);
    const output = context.output(0, input.dtype);
    const { inputCount, outputCount, perOutput, targets } = planReduction(context, input, output);
    const pin = params(context, input);
    const pout = params(context, output);
    const [low, high] = RANGES[output.dtype];
    let [multiplier, shift] = quantizeMultiplier(pin.scale / pout.scale);
    if (mean) {
      const divisionBits = Math.min(Math.floor(Math.log2(perOutput)), 32, 31 + shift);
      multiplier = Math.floor(multiplier * 2 ** divisionBits / perOutput);
      shift -= divisionBits;
    }
    const rescale = mean
      ? multiplyByQuantizedMultiplier
      : multiplyByQuantizedMultiplierSingleRounding;
    const sums = new Float64Array(outputCount);
    const memory = context.memory;
    return {
      run() {
        const source = memory.view(input.dtype, input.offset, inputCount);
        const target = memory.view(output.dtype, output.offset, outputCount);
        sums.fill(0);
        for (let index = 0; index < inputCount; index++) {
          sums[targets[index]] += Number(source[index]);
        }
        for (let index = 0; index < outputCount; index++) {
          const centred = sums[index] - perOutput * pin.zeroPoint;
          const value = rescale(centred, multiplier, shift) + pout.zeroPoint;
          target[index] = Math.min(high, Math.max(low, value));
        }
      },
    };
  };
}

/**
 * QUANTIZE: float32 to int8/uint8 as round(x / scale) + zero point (the division in float32),
 * or between integer types by requantizing with multiplier input scale / output scale.
 */
export function quantize(context: OpContext): PreparedOp {
  const input = context.input(0, "float32", "int8", "uint8", "int16");
  const output = context.output(0, "int8", "uint8", "int16");
  output.shape = [...input.shape];
  const pout = params(context, output);
  const [low, high] = RANGES[output.dtype];
  const count = elementCount(input.shape);
  const memory = context.memory;
  if (input.dtype === "float32" && output.dtype === "int8") {
    const kernels = context.kernels;
    return {
      run: () =>
        kernels.qs8_quantize(input.offset, output.offset, count, pout.scale, pout.zeroPoint),
    };
  }
  if (input.dtype === "float32") {
    return {
      run() {
        const source = memory.f32(input.offset, count);
        const target = memory.view(output.dtype, output.offset, count);
        for (let index = 0; index < count; index++) {
          const value = roundHalfAway(Math.fround(source[index] / pout.scale)) + pout.zeroPoint;
          target[index] = Math.min(high, Math.max(low, value));
        }
      },
    };
  }
  const pin = params(context, input);
  const [multiplier, shift] = quantizeMultiplier(pin.scale / pout.scale);
  return elementwiseRun(context, input, output, (value) => {
    const result = multiplyByQuantizedMultiplier(value - pin.zeroPoint, multiplier, shift) +
      pout.zeroPoint;
    return Math.min(high, Math.max(low, result));
  });
}

/**
 * RELU, RELU6 and RELU_N1_TO_1 on int8/uint8 (TFLite's QuantizedReluX): the input rescaled to the
 * output, (x - zeroIn) * (scaleIn / scaleOut) by multiplyByQuantizedMultiplier, plus the output
 * zero point, clamped to the quantized activation range (round(limit / scaleOut) + zero point,
 * the division in float32; an infinite upper limit is the type's maximum).
 */
function integerRelu(lowLimit: number, highLimit: number): OpKernel {
  return (context) => {
    const input = integerInput(context, 0);
    const output = context.output(0, input.dtype);
    output.shape = [...input.shape];
    const pin = params(context, input);
    const pout = params(context, output);
    const [typeLow, typeHigh] = RANGES[output.dtype];
    const quantize = (limit: number) =>
      pout.zeroPoint + roundHalfAway(Math.fround(limit / pout.scale));
    const low = Math.max(typeLow, quantize(lowLimit));
    const high = highLimit === Infinity ? typeHigh : Math.min(typeHigh, quantize(highLimit));
    // TFLite divides the two float32 scales in float32.
    const [multiplier, shift] = quantizeMultiplier(Math.fround(pin.scale / pout.scale));
    return elementwiseRun(context, input, output, (value) => {
      const result = pout.zeroPoint +
        multiplyByQuantizedMultiplier(value - pin.zeroPoint, multiplier, shift);
      return Math.min(high, Math.max(low, result));
    });
  };
}

/**
 * LEAKY_RELU on int8/uint8 (TFLite's QuantizeLeakyRelu): x - zeroIn rescaled by scaleIn /
 * scaleOut when non-negative, by scaleIn * alpha / scaleOut otherwise, plus the output zero point,
 * clamped to the type.
 */
export function integerLeakyRelu(context: OpContext): PreparedOp {
  const input = integerInput(context, 0);
  const output = context.output(0, input.dtype);
  output.shape = [...input.shape];
  const pin = params(context, input);
  const pout = params(context, output);
  const alpha = Math.fround(Number(context.options.alpha ?? 0.2));
  // Both real multipliers are float32 expressions in TFLite's Prepare.
  const [identity, identityShift] = quantizeMultiplier(Math.fround(pin.scale / pout.scale));
  const [slope, slopeShift] = quantizeMultiplier(
    Math.fround(Math.fround(pin.scale * alpha) / pout.scale),
  );
  const [low, high] = RANGES[output.dtype];
  const count = elementCount(input.shape);
  const memory = context.memory;
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, count) as Int8Array;
      const target = memory.view(output.dtype, output.offset, count) as Int8Array;
      for (let index = 0; index < count; index++) {
        const x = source[index] - pin.zeroPoint;
        const value = pout.zeroPoint +
          (x >= 0
            ? multiplyByQuantizedMultiplier(x, identity, identityShift)
            : multiplyByQuantizedMultiplier(x, slope, slopeShift));
        target[index] = Math.min(high, Math.max(low, value));
      }
    },
  };
}

/**
 * MAXIMUM and MINIMUM on int8/uint8/int16: the larger (smaller) raw value, broadcast as TFLite does;
 * TFLite requires the inputs and the output to share their parameters.
 */
function integerExtremum(largest: boolean): OpKernel {
  return (context) => {
    const a = integerInput(context, 0);
    const b = context.input(1, a.dtype);
    const output = context.output(0, a.dtype);
    requireSharedParameters(context, [a, b], output);
    return broadcastBinary(context, a, b, output, largest ? Math.max : Math.min);
  };
}

/** `int16` for int16 inputs, `narrow` for int8 and uint8 ones. */
function byWidth(narrow: OpKernel, int16: OpKernel): OpKernel {
  return (context) => context.inputs[0]?.dtype === "int16" ? int16(context) : narrow(context);
}

/** The integer kernels by op name. */
export const INTEGER_KERNELS: Record<string, OpKernel> = {
  CONV_2D: integerConv2d,
  DEPTHWISE_CONV_2D: integerDepthwiseConv2d,
  FULLY_CONNECTED: integerFullyConnected,
  BATCH_MATMUL: integerBatchMatmul,
  ADD: integerAddSub(false),
  SUB: integerAddSub(true),
  MUL: integerMul,
  MAX_POOL_2D: integerPool(false),
  AVERAGE_POOL_2D: integerPool(true),
  SOFTMAX: byWidth(integerSoftmax, int16Softmax),
  LOGISTIC: byWidth(
    tableKernel(() => (value) => Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-value))))),
    int16Logistic,
  ),
  TANH: byWidth(tableKernel(() => Math.tanh), int16Tanh),
  MEAN: integerSumOrMean(true),
  SUM: integerSumOrMean(false),
  RELU: integerRelu(0, Infinity),
  RELU6: integerRelu(0, 6),
  RELU_N1_TO_1: integerRelu(-1, 1),
  LEAKY_RELU: integerLeakyRelu,
  HARD_SWISH: integerHardSwish,
  MAXIMUM: integerExtremum(true),
  MINIMUM: integerExtremum(false),
};
