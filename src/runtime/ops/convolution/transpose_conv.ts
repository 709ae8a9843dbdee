/**
 * TRANSPOSE_CONV (inputs: output shape, filter [outC, kH, kW, inC], NHWC input, optional bias):
 * every input pixel adds filter x value into the output window it spreads over, at stride
 * steps, less the padding a forward convolution from the output to the input would use; then
 * the bias and the fused activation. float32 through the wasm GEMM (see floatTransposeConv);
 * int8/uint8 sums (input - zero point) x filter in int32 and requantizes per output channel as
 * CONV_2D does; int16 (int8 filter, int64 bias) sums in 64 bits and rescales with the 15-bit
 * reduced multiplier, as int16 CONV_2D.
 */
import { elementCount } from "../../../format/dtype.ts";
import { storeLayer } from "../../kernel_layout.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { floatActivationRange, quantizedActivationRange } from "../common/activation_range.ts";
import { checkFilterChannels } from "../common/layer_operands.ts";
import { roundUp } from "../common/weight_packing.ts";
import { spatialPlan } from "../common/window.ts";
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplier64,
} from "../../quantization/fixed_point.ts";
import { channelMultipliers, params } from "../../quantization/parameters.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** The geometry shared by both forms: shapes, strides and the padding before each axis. */
function geometry(context: OpContext, input: RuntimeTensor, filter: RuntimeTensor) {
  const outputShape = context.integers(context.input(0), "output shape");
  if (input.shape.length !== 4 || filter.shape.length !== 4 || outputShape.length !== 4) {
    context.unsupported("input, filter and output shape must be four-dimensional");
  }
  const [batches, inH, inW, inC] = input.shape;
  const [outC, kH, kW, filterC] = filter.shape;
  const [outBatches, outH, outW, shapeC] = outputShape;
  if (filterC !== inC || shapeC !== outC || outBatches !== batches) {
    context.unsupported(
      `filter [${filter.shape}] does not take input [${input.shape}] to [${outputShape}]`,
    );
  }
  const strideH = Number(context.options.strideH ?? 1);
  const strideW = Number(context.options.strideW ?? 1);
  // TFLite pads as the forward convolution from the output back to the input would.
  const padTop = spatialPlan(context, outH, kH, strideH, 1).padBefore;
  const padLeft = spatialPlan(context, outW, kW, strideW, 1).padBefore;
  return { batches, inH, inW, inC, outC, kH, kW, outH, outW, strideH, strideW, padTop, padLeft };
}

type Geometry = ReturnType<typeof geometry>;

/**
 * Calls `visit(pixel, tap, target)` for every input pixel, filter tap (ky * kW + kx) and the
 * output pixel the tap carries it to (flat pixel indices), skipping taps that land outside.
 */
function forEachLanding(
  g: Geometry,
  visit: (pixel: number, tap: number, target: number) => void,
): void {
  for (let b = 0; b < g.batches; b++) {
    for (let inY = 0; inY < g.inH; inY++) {
      for (let inX = 0; inX < g.inW; inX++) {
        const pixel = (b * g.inH + inY) * g.inW + inX;
        for (let ky = 0; ky < g.kH; ky++) {
          const outY = inY * g.strideH - g.padTop + ky;
          if (outY < 0 || outY >= g.outH) continue;
          for (let kx = 0; kx < g.kW; kx++) {
            const outX = inX * g.strideW - g.padLeft + kx;
            if (outX < 0 || outX >= g.outW) continue;
            visit(pixel, ky * g.kW + kx, (b * g.outH + outY) * g.outW + outX);
          }
        }
      }
    }
  }
}

/** Adds every input pixel's contribution to `sums` ([batch, outH, outW, outC]). */
function scatter(
  g: Geometry,
  input: ArrayLike<number>,
  inputOffset: number,
  filter: ArrayLike<number>,
  sums: Int32Array | Float64Array,
): void {
  sums.fill(0);
  const taps = g.kH * g.kW;
  forEachLanding(g, (pixel, tap, target) => {
    for (let oc = 0; oc < g.outC; oc++) {
      const weights = (oc * taps + tap) * g.inC;
      let sum = 0;
      for (let ic = 0; ic < g.inC; ic++) {
        sum += (input[pixel * g.inC + ic] + inputOffset) * filter[weights + ic];
      }
      sums[target * g.outC + oc] += sum;
    }
  });
}

/**
 * The float32 form: one GEMM of the input pixels against the filter rearranged as
 * [kH * kW * outC, inC] gives every pixel's contribution to its window; those are added into the
 * output (col2im), then the bias and the activation.
 */
function floatTransposeConv(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
  g: Geometry,
  filterValues: ArrayLike<number>,
  biasValues: number[],
): PreparedOp {
  const taps = g.kH * g.kW * g.outC;
  const rearranged = new Float32Array(taps * g.inC);
  for (let oc = 0; oc < g.outC; oc++) {
    for (let tap = 0; tap < g.kH * g.kW; tap++) {
      const from = (oc * g.kH * g.kW + tap) * g.inC;
      rearranged.set(
        (filterValues as Float32Array).subarray(from, from + g.inC),
        (tap * g.outC + oc) * g.inC,
      );
    }
  }
  const kernels = context.kernels;
  const memory = context.memory;
  const packed = memory.allocate(roundUp(taps, 8) * g.inC * 4);
  memory.withTemporary(rearranged.byteLength, (weights) => {
    memory.f32(weights, rearranged.length).set(rearranged);
    kernels.f32_pack_rhs(weights, taps, g.inC, g.inC, 1, packed);
  });
  const zeros = context.storePadded([], taps, 8);
  const layer = storeLayer(memory, {
    n: taps,
    depth: g.inC,
    lda: g.inC,
    ldc: taps,
    bias: zeros,
    lowF: -Infinity,
    highF: Infinity,
  });
  const pixels = g.batches * g.inH * g.inW;
  const [low, high] = floatActivationRange(context);
  const outputCount = g.batches * g.outH * g.outW * g.outC;
  return {
    consumedInputs: [1, 3],
    scratchBytes: pixels * taps * 4,
    run(scratch) {
      kernels.f32_gemm_4x8(input.offset, packed, scratch, pixels, layer);
      const columns = memory.f32(scratch, pixels * taps);
      const target = memory.f32(output.offset, outputCount);
      target.fill(0);
      forEachLanding(g, (pixel, tap, landing) => {
        const from = pixel * taps + tap * g.outC;
        const into = landing * g.outC;
        for (let oc = 0; oc < g.outC; oc++) target[into + oc] += columns[from + oc];
      });
      for (let index = 0; index < outputCount; index++) {
        const value = Math.fround(target[index] + biasValues[index % g.outC]);
        target[index] = Math.min(high, Math.max(low, value));
      }
    },
  };
}

/** TRANSPOSE_CONV on float32, int8/uint8 or int16 (see the module comment). */
export function transposeConv(context: OpContext): PreparedOp {
  const input = context.input(2, "float32", "int8", "uint8", "int16");
  const wide = input.dtype === "int16";
  const filter = context.input(1, wide ? "int8" : input.dtype);
  const bias = context.optionalInput(
    3,
    input.dtype === "float32" ? "float32" : wide ? "int64" : "int32",
  );
  const output = context.output(0, input.dtype);
  const g = geometry(context, input, filter);
  checkFilterChannels(context, g.outC, 0, 3);
  output.shape = [g.batches, g.outH, g.outW, g.outC];
  const outputCount = elementCount(output.shape);
  const memory = context.memory;
  const filterValues = context.values(filter, "filter") as ArrayLike<number>;
  const biasValues = bias
    ? Array.from(context.values(bias, "bias") as ArrayLike<number | bigint>, Number)
    : new Array<number>(g.outC).fill(0);
  if (input.dtype === "float32") {
    return floatTransposeConv(context, input, output, g, filterValues, biasValues);
  }
  const inputZero = params(context, input).zeroPoint;
  const filterQuantization = context.quantization(filter, "filter");
  const filterZero = filterQuantization.zeroPoint[0] ?? 0;
  // Legacy uint8 filters carry a zero point: subtract it once, here.
  const centredFilter = Int32Array.from(filterValues, (value) => value - filterZero);
  const { multipliers, shifts } = channelMultipliers(
    context,
    input,
    filterQuantization.scale,
    output,
    g.outC,
  );
  const outputZero = params(context, output).zeroPoint;
  const [low, high] = quantizedActivationRange(context, output);
  // int16 sums are 64-bit in TFLite: doubles hold them exactly.
  const sums = wide ? new Float64Array(outputCount) : new Int32Array(outputCount);
  const rescale = wide ? multiplyByQuantizedMultiplier64 : multiplyByQuantizedMultiplier;
  return {
    run() {
      const values = memory.view(input.dtype, input.offset, elementCount(input.shape));
      scatter(g, values as ArrayLike<number>, -inputZero, centredFilter, sums);
      const target = memory.view(output.dtype, output.offset, outputCount);
      for (let index = 0; index < outputCount; index++) {
        const channel = index % g.outC;
        const acc = sums[index] + biasValues[channel];
        const value = rescale(acc, multipliers[channel], shifts[channel]) + outputZero;
        target[index] = Math.min(high, Math.max(low, value));
      }
    },
  };
}
