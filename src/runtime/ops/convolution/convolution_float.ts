/**
 * Float32 CONV_2D and DEPTHWISE_CONV_2D. Convolution filters are packed once at load into the
 * GEMM's panel layout; a 1x1, stride-1 convolution is one GEMM over the input, any other runs
 * in bands of output positions: im2col patches of the band, then the GEMM. Both divide among
 * threads: convolutions by output positions, depthwise convolutions by output rows.
 */
import { storeLayer } from "../../kernel_layout.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { forEachImage } from "../../threads/split.ts";
import { floatActivationRange } from "../common/activation_range.ts";
import { floatGemmRowsOp } from "../common/float_gemm.ts";
import {
  GEMM_TILE_ROWS,
  rowSplitOp,
  windowRowSplit,
  WORK_PER_DEPTHWISE_TAP,
} from "../common/row_split.ts";
import { packWeights, paddedBias, roundUp } from "../common/weight_packing.ts";
import { slidingWindow, windowFields } from "../common/window.ts";

/** Bytes of im2col patches per band: small enough to stay in the second-level cache. */
const BAND_BYTES = 256 * 1024;

/** CONV_2D on float32 (NHWC input, [out, kH, kW, in] filters). */
export function floatConv2d(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const filter = context.input(1, "float32");
  const output = context.output(0, "float32");
  if (input.shape.length !== 4 || filter.shape.length !== 4) {
    context.unsupported(`input [${input.shape}] and filter [${filter.shape}] must be 4-D`);
  }
  const [batches, inH, inW, channels] = input.shape;
  const [outC, kH, kW, filterChannels] = filter.shape;
  if (filterChannels !== channels) {
    context.unsupported(
      `filter has ${filterChannels} input channels, input has ${channels} (grouped convolution)`,
    );
  }
  const window = slidingWindow(context, inH, inW, kH, kW);
  const { rows, columns } = window;
  const [low, high] = floatActivationRange(context);
  output.shape = [batches, rows.outSize, columns.outSize, outC];

  const depth = kH * kW * channels;
  const packed = packWeights(context, 1, outC, depth);
  const bias = paddedBias(context, 2, outC, 8);
  const kernels = context.kernels;
  const consumedInputs = [1, 2];

  const pointwise = kH === 1 && kW === 1 && window.strideH === 1 && window.strideW === 1;
  // A 1x1 convolution's rows are the input's pixels (depth = channels), others' the patches.
  const layer = storeLayer(context.memory, {
    n: outC,
    depth,
    lda: depth,
    ldc: outC,
    bias,
    lowF: low,
    highF: high,
  });
  if (pointwise) {
    const pixels = batches * inH * inW;
    return floatGemmRowsOp(consumedInputs, context.memory, kernels, {
      input,
      output,
      packed,
      layer,
      rows: pixels,
      k: channels,
      n: outC,
    });
  }
  const im2col = storeLayer(context.memory, windowFields(inH, inW, channels, kH, kW, window));
  const positions = rows.outSize * columns.outSize;
  const band = Math.min(positions, Math.max(4, roundUp(Math.floor(BAND_BYTES / (depth * 4)), 4)));
  const imageIn = inH * inW * channels * 4;
  const imageOut = positions * outC * 4;
  return rowSplitOp(consumedInputs, kernels, {
    rows: batches * positions,
    grain: GEMM_TILE_ROWS,
    workPerRow: outC * depth,
    scratchBytes: band * depth * 4,
    runRows(calls, first, end, scratch) {
      forEachImage(first, end, positions, (image, imageFirst, imageEnd) => {
        const source = input.offset + image * imageIn;
        const target = output.offset + image * imageOut;
        for (let start = imageFirst; start < imageEnd; start += band) {
          const count = Math.min(band, imageEnd - start);
          calls.f32_im2col(source, im2col, start, count, scratch);
          calls.f32_gemm_4x8(scratch, packed, target + start * outC * 4, count, layer);
        }
      });
    },
  });
}

/** DEPTHWISE_CONV_2D on float32 ([1, kH, kW, in * multiplier] filters). */
export function floatDepthwiseConv2d(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const filter = context.input(1, "float32");
  const output = context.output(0, "float32");
  if (input.shape.length !== 4 || filter.shape.length !== 4 || filter.shape[0] !== 1) {
    context.unsupported(`input [${input.shape}] and filter [${filter.shape}] must be 4-D`);
  }
  const [batches, inH, inW, channels] = input.shape;
  const [, kH, kW, outC] = filter.shape;
  if (outC % channels !== 0) {
    context.unsupported(`filter has ${outC} channels, not a multiple of the input's ${channels}`);
  }
  if (!filter.constant) context.unsupported(`filter "${filter.name}" must be constant`);
  const multiplier = outC / channels;
  const window = slidingWindow(context, inH, inW, kH, kW);
  const { rows, columns } = window;
  const [low, high] = floatActivationRange(context);
  output.shape = [batches, rows.outSize, columns.outSize, outC];
  const memory = context.memory;
  const layer = storeLayer(memory, {
    ...windowFields(inH, inW, channels, kH, kW, window),
    multiplier,
    filter: filter.offset >= 0 ? filter.offset : memory.store(context.values(filter, "filter")),
    bias: paddedBias(context, 2, outC, 4),
    lowF: low,
    highF: high,
  });
  const imageIn = inH * inW * channels * 4;
  const rowBytes = columns.outSize * outC * 4;
  const depthwise = multiplier === 1 ? "f32_depthwise" : "f32_depthwise_multiplier";
  const work = columns.outSize * outC * kH * kW * WORK_PER_DEPTHWISE_TAP;
  return rowSplitOp(
    [1, 2],
    context.kernels,
    windowRowSplit(
      memory,
      layer,
      batches,
      rows.outSize,
      work,
      (calls, image, firstRow, block) =>
        calls[depthwise](
          input.offset + image * imageIn,
          output.offset + (image * rows.outSize + firstRow) * rowBytes,
          block,
        ),
    ),
  );
}
