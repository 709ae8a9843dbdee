/**
 * Int8 CONV_2D and DEPTHWISE_CONV_2D on the wasm kernels (the int8 GEMMs of `common/int8_gemm.ts`,
 * `assembly/qs8_conv.ts`, `qs8_depthwise.ts`): the GEMM over the input rows or im2col bands, the
 * depthwise kernels 8 channels at a time. The arithmetic is exactly that of
 * `convolution_integer.ts`, TFLite's reference (or XNNPACK's, in the "xnnpack" arithmetic), for
 * int8 layers and for uint8 ones run as int8 (`activationFlip`, see `common/integer_layer.ts`).
 * Both divide by output rows among the interpreter's threads (`common/row_split.ts`).
 */
import { type LayerFields, storeLayer } from "../../kernel_layout.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { forEachImage } from "../../threads/split.ts";
import {
  bandRows,
  dotActivationXor,
  DotForm,
  filterScales,
  int8GemmRowsOp,
  multiplyRows,
  packLayer,
  rowsScratchBytes,
} from "../common/int8_gemm.ts";
import {
  GEMM_TILE_ROWS,
  rowSplitOp,
  windowRowSplit,
  WORK_PER_DEPTHWISE_TAP,
} from "../common/row_split.ts";
import {
  channelConstants,
  depthwiseDotColumns,
  depthwiseDotFilter,
  depthwiseWeightSums,
  DOT_COLUMN_BYTES,
  fp32Constants,
  largestMagnitude,
  roundUp,
  weightBound,
} from "../common/weight_packing.ts";
import { xnnpackActivationRange, xnnpackChannelScales } from "../common/xnnpack_arithmetic.ts";
import { windowFields } from "../common/window.ts";
import { type Int8Convolution, prepareIm2col } from "./convolution_common.ts";

/**
 * CONV_2D on the int8 GEMM: 1x1 stride-1 convolutions straight over the input rows, others over
 * im2col patches (padding filled with the input zero point), in bands of at most `band` rows:
 * the rows each chunk's scratch is sized for, however many rows a chunk of a batch holds.
 */
export function qs8Conv2d(context: OpContext, layer: Int8Convolution): PreparedOp {
  const { input, output, inputZero, activationFlip, window } = layer;
  const [batches, inH, inW, channels] = input.shape;
  const [outC, kH, kW] = context.input(1).shape;
  const positions = window.rows.outSize * window.columns.outSize;
  const kernels = context.kernels;
  const direct = kH === 1 && kW === 1 && window.strideH === 1 && window.strideW === 1;
  const packed = direct
    ? packLayer(context, layer, outC, channels)
    : packLayer(context, layer, outC, kH * kW * channels, true);
  const band = bandRows(packed.depth, positions);
  const split = {
    rows: batches * positions,
    grain: GEMM_TILE_ROWS,
    workPerRow: outC * packed.depth,
  };
  if (direct) return int8GemmRowsOp(context, packed, split.rows, input, output);
  const im2col = prepareIm2col(
    context.memory,
    { inH, inW, channels, kH, kW, window },
    packed.depth,
  );
  const patchBytes = band * packed.depth;
  return rowSplitOp([1, 2], kernels, {
    ...split,
    scratchBytes: patchBytes + rowsScratchBytes(packed, band),
    runRows(calls, first, end, scratch) {
      forEachImage(first, end, positions, (image, imageFirst, imageEnd) => {
        const imageIn = input.offset + image * inH * inW * channels;
        const imageOut = output.offset + image * positions * outC;
        for (let start = imageFirst; start < imageEnd; start += band) {
          const count = Math.min(band, imageEnd - start);
          // Taps outside the image hold the input zero point as the input stores it.
          calls.qs8_im2col(
            imageIn,
            im2col.layer,
            start,
            count,
            inputZero ^ activationFlip,
            scratch,
          );
          multiplyRows(
            calls,
            packed,
            scratch,
            count,
            imageOut + start * outC,
            scratch + patchBytes,
            band,
          );
        }
      });
    },
  });
}

/**
 * DEPTHWISE_CONV_2D on the int8 depthwise kernels: 8 channels at a time with vectorised
 * requantization for depth multiplier 1 (3x3 filters 16 at a time on the relaxed int8 dot
 * product where it is exact), the scalar kernel otherwise.
 */
export function qs8DepthwiseConv2d(context: OpContext, layer: Int8Convolution): PreparedOp {
  const { input, output, inputZero, outputZero, low, high, activationFlip, weights } = layer;
  const [batches, inH, inW, channels] = input.shape;
  const [, kH, kW, outC] = context.input(1).shape;
  const { rows, columns } = layer.window;
  const memory = context.memory;
  const filter = memory.store(weights);
  const kernels = context.kernels;
  const imageIn = inH * inW * channels;
  const rowOut = columns.outSize * outC;
  // The split of either kernel by output rows: `qs8_depthwise_x8` with `columnsBytes` of scratch
  // for its relaxed dot path's columns, or (null) `qs8_depthwise`.
  const depthwiseRows = (block: number, columnsBytes: number | null) =>
    windowRowSplit(
      memory,
      block,
      batches,
      rows.outSize,
      rowOut * kH * kW * WORK_PER_DEPTHWISE_TAP,
      (calls, image, firstRow, rowsBlock, rowCount, kernelScratch) => {
        const source = input.offset + image * imageIn;
        const target = output.offset + (image * rows.outSize + firstRow) * rowOut;
        if (columnsBytes === null) calls.qs8_depthwise(source, target, rowsBlock);
        else calls.qs8_depthwise_x8(source, target, rowsBlock, kernelScratch);
        // A uint8 layer's outputs, computed as int8 x - 128, flipped back.
        if (activationFlip) calls.qs8_flip(target, rowCount * rowOut);
      },
      columnsBytes ?? 0,
    );
  // What both depthwise kernels read of the layer block.
  const shared: LayerFields = {
    ...windowFields(inH, inW, channels, kH, kW, layer.window),
    multiplier: outC / channels,
    inputZero,
    filter,
    zeroPoint: outputZero,
    lowI: low,
    highI: high,
    activationFlip,
  };
  if (outC === channels) {
    const padded = roundUp(outC, 8);
    const sums = depthwiseWeightSums(weights, outC, padded);
    const interior = Int32Array.from(
      sums,
      (sum, channel) => (layer.bias[channel] ?? 0) - inputZero * sum,
    );
    // A depthwise sum: kH * kW products of (x - inputZero) (at most 255) and weights (at most
    // 127, or 255 for a uint8 layer's), plus the bias or the interior bias.
    const sumBound = kH * kW * 255 * weightBound(weights) +
      Math.max(largestMagnitude(layer.bias), largestMagnitude(interior));
    // uint8 layers keep TFLite's reference arithmetic in the "xnnpack" one, as they always have.
    const xnnpack = context.arithmetic === "xnnpack" && activationFlip === 0;
    const constants = xnnpack
      ? fp32Constants(
        context,
        Int32Array.from(layer.bias),
        xnnpackChannelScales(context, input, filterScales(context), output, outC, padded),
        padded,
      )
      : channelConstants(
        context,
        Int32Array.from(layer.bias),
        layer.multipliers,
        layer.shifts,
        padded,
        sumBound,
        false,
        // The one-shift form has no uint8 depthwise kernel.
        activationFlip === 0 ? { zeroPoint: outputZero, low, linearOneShift: false } : undefined,
      );
    const [lowI, highI] = xnnpack ? xnnpackActivationRange(context, output) : [low, high];
    // 3x3 windows of int8 weights on the relaxed int8 dot product, 16 channels at a time, where
    // it is exact.
    const form = kernels.qs8_dot_form();
    const dot = weights instanceof Int8Array && form !== DotForm.none && kH === 3 && kW === 3 &&
      channels >= 16;
    const activationXor = dot ? dotActivationXor(form) : 0;
    const dotFilter = dot
      ? memory.store(
        depthwiseDotFilter(weights, channels, layer.bias, sums, inputZero, activationXor),
      )
      : 0;
    const dotColumns = dot
      ? depthwiseDotColumns(columns.outSize, layer.window.strideW, layer.window.dilationW)
      : 0;
    const vectorised = storeLayer(memory, {
      ...shared,
      lowI,
      highI,
      bias: constants.bias,
      interiorBias: memory.store(interior),
      dotFilter,
      dotColumns,
      activationXor,
      params: constants.params,
      padded,
      requantization: constants.requantization,
      oneShiftParams: constants.oneShiftParams,
      oneShift: constants.oneShift,
    });
    return rowSplitOp(
      [1, 2],
      kernels,
      depthwiseRows(vectorised, dotColumns * DOT_COLUMN_BYTES),
    );
  }
  const scalar = storeLayer(memory, {
    ...shared,
    bias: memory.store(Int32Array.from(layer.bias)),
    multipliers: memory.store(layer.multipliers),
    shifts: memory.store(layer.shifts),
  });
  return rowSplitOp([1, 2], kernels, depthwiseRows(scalar, null));
}
