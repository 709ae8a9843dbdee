/**
 * Sliding windows of convolutions and pooling: TFLite's padding rule, the window fields of the
 * wasm kernels' layer block, and a block's copy narrowed to a range of output rows.
 */
import { LAYER_FIELDS, layerFieldOffset, type LayerFields } from "../../kernel_layout.ts";
import type { KernelMemory } from "../../memory.ts";
import type { OpContext } from "../../op.ts";

/** Output size and leading padding of one spatial dimension, as TFLite computes them. */
export interface SpatialPlan {
  outSize: number;
  padBefore: number;
}

/**
 * TFLite's padding rule: SAME gives ceil(in / stride) outputs with the total padding split
 * (floor before, the rest after); VALID gives ceil((in - effective + 1) / stride) and none.
 */
export function spatialPlan(
  context: OpContext,
  inSize: number,
  filterSize: number,
  stride: number,
  dilation: number,
): SpatialPlan {
  if (!(filterSize >= 1) || !(stride >= 1) || !(dilation >= 1)) {
    context.unsupported(
      `window ${filterSize}, stride ${stride} and dilation ${dilation} must be at least 1`,
    );
  }
  const effective = (filterSize - 1) * dilation + 1;
  const padding = context.options.padding ?? "SAME";
  if (padding === "VALID") {
    const outSize = Math.ceil((inSize - effective + 1) / stride);
    if (outSize < 1) {
      context.unsupported(`a ${effective}-wide window does not fit ${inSize} inputs`);
    }
    return { outSize, padBefore: 0 };
  }
  if (padding !== "SAME") context.unsupported(`padding ${padding} is not supported`);
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max((outSize - 1) * stride + effective - inSize, 0);
  return { outSize, padBefore: Math.floor(total / 2) };
}

/** A sliding window (convolution or pooling): strides, dilations, and each dimension's plan. */
export interface SlidingWindow {
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  rows: SpatialPlan;
  columns: SpatialPlan;
}

/**
 * The window fields of a layer block (`src/runtime/kernel_layout.ts`) for a kH x kW filter over
 * an inH x inW x channels image.
 */
export function windowFields(
  inH: number,
  inW: number,
  channels: number,
  kH: number,
  kW: number,
  window: SlidingWindow,
): LayerFields {
  const { strideH, strideW, dilationH, dilationW, rows, columns } = window;
  return {
    inH,
    inW,
    channels,
    kH,
    kW,
    strideH,
    strideW,
    dilationH,
    dilationW,
    padTop: rows.padBefore,
    padLeft: columns.padBefore,
    outH: rows.outSize,
    outW: columns.outSize,
  };
}

/** The window of a kH x kW filter over an inH x inW input, from the op's options. */
export function slidingWindow(
  context: OpContext,
  inH: number,
  inW: number,
  kH: number,
  kW: number,
): SlidingWindow {
  const options = context.options;
  const strideH = Number(options.strideH ?? 1);
  const strideW = Number(options.strideW ?? 1);
  // Pooling options have no dilation factors: 1.
  const dilationH = Number(options.dilationHFactor ?? 1);
  const dilationW = Number(options.dilationWFactor ?? 1);
  return {
    strideH,
    strideW,
    dilationH,
    dilationW,
    rows: spatialPlan(context, inH, kH, strideH, dilationH),
    columns: spatialPlan(context, inW, kW, strideW, dilationW),
  };
}

/** Bytes of a layer block (`src/runtime/kernel_layout.ts`). */
export const LAYER_BLOCK_BYTES = Object.keys(LAYER_FIELDS).length * 4;

/** Copies the layer block at `layer` to `target` and returns the copy's fields as int32 words. */
export function copyLayerFields(memory: KernelMemory, layer: number, target: number): Int32Array {
  memory.bytes(target, LAYER_BLOCK_BYTES).set(memory.bytes(layer, LAYER_BLOCK_BYTES));
  return memory.i32(target, LAYER_BLOCK_BYTES / 4);
}

/**
 * Copies the layer block at `layer` to `target` narrowed to output rows [first, end) of its
 * window: a kernel given the copy, and the output advanced by `first` rows, computes those rows
 * exactly as it computes them over the whole window (the padding moves up by `first` strides).
 */
export function windowRowsLayer(
  memory: KernelMemory,
  layer: number,
  first: number,
  end: number,
  target: number,
): number {
  const fields = copyLayerFields(memory, layer, target);
  const strideH = fields[layerFieldOffset("strideH") / 4];
  fields[layerFieldOffset("padTop") / 4] -= first * strideH;
  fields[layerFieldOffset("outH") / 4] = end - first;
  return target;
}
