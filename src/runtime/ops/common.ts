/** Helpers shared by the op kernels: fused activations, padding, axes, broadcasting. */
import { elementCount } from "../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../op.ts";
import type { RuntimeTensor } from "../tensor.ts";

/** The clamp [low, high] that a fused activation function applies. */
export function activationRange(context: OpContext): [number, number] {
  const activation = context.options.fusedActivationFunction ?? "NONE";
  switch (activation) {
    case "NONE":
      return [-Infinity, Infinity];
    case "RELU":
      return [0, Infinity];
    case "RELU_N1_TO_1":
      return [-1, 1];
    case "RELU6":
      return [0, 6];
    default:
      return context.unsupported(`fused activation ${activation} is not supported`);
  }
}

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
  if (!(stride >= 1) || !(dilation >= 1)) {
    context.unsupported(`stride ${stride} and dilation ${dilation} must be at least 1`);
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
 * A window as the wasm convolution kernels take it after the image and filter: kH, kW, the
 * strides, the dilations and the padding before each axis.
 */
export function windowArguments(
  kH: number,
  kW: number,
  window: SlidingWindow,
): [number, number, number, number, number, number, number, number] {
  const { strideH, strideW, dilationH, dilationW, rows, columns } = window;
  return [kH, kW, strideH, strideW, dilationH, dilationW, rows.padBefore, columns.padBefore];
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

/** An axis in [-rank, rank) made non-negative; unsupported otherwise. */
export function normalizeAxis(context: OpContext, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    context.unsupported(`axis ${axis} is outside a rank-${rank} tensor`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** NumPy broadcasting of two shapes; unsupported when they are incompatible. */
export function broadcastShapes(context: OpContext, a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const shape: number[] = [];
  for (let index = 0; index < rank; index++) {
    const x = a[a.length - rank + index] ?? 1;
    const y = b[b.length - rank + index] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      context.unsupported(`shapes [${a}] and [${b}] do not broadcast`);
    }
    shape.push(x === 1 ? y : x);
  }
  return shape;
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let index = shape.length - 1; index >= 0; index--) {
    strides[index] = stride;
    stride *= shape[index];
  }
  return strides;
}

/**
 * How to walk a broadcast binary op as rows: `rows` row starts per operand (element offsets) and
 * the row length, with each operand stepping 1 (full) or 0 (broadcast) along the row. Adjacent
 * dimensions that broadcast alike are merged first, so rows are as long as they can be.
 */
export interface BroadcastWalk {
  rowLength: number;
  aStep: number;
  bStep: number;
  aRows: Int32Array;
  bRows: Int32Array;
}

/** Plans the walk of `a op b` into `outShape` (see `BroadcastWalk`). */
export function broadcastWalk(a: number[], b: number[], outShape: number[]): BroadcastWalk {
  const rank = outShape.length;
  // Merged dimensions: size, and whether each operand runs along it (1) or repeats (0).
  const sizes: number[] = [];
  const aRuns: number[] = [];
  const bRuns: number[] = [];
  for (let index = 0; index < rank; index++) {
    const size = outShape[index];
    if (size === 1) continue;
    const aRun = (a[a.length - rank + index] ?? 1) === size ? 1 : 0;
    const bRun = (b[b.length - rank + index] ?? 1) === size ? 1 : 0;
    const last = sizes.length - 1;
    if (last >= 0 && aRuns[last] === aRun && bRuns[last] === bRun) {
      sizes[last] *= size;
    } else {
      sizes.push(size);
      aRuns.push(aRun);
      bRuns.push(bRun);
    }
  }
  if (sizes.length === 0) {
    return { rowLength: 1, aStep: 1, bStep: 1, aRows: Int32Array.of(0), bRows: Int32Array.of(0) };
  }
  const inner = sizes.length - 1;
  const aStrides = stridesOf(sizes.map((size, index) => (aRuns[index] ? size : 1)));
  const bStrides = stridesOf(sizes.map((size, index) => (bRuns[index] ? size : 1)));
  const rowCount = sizes.slice(0, inner).reduce((product, size) => product * size, 1);
  const aRows = new Int32Array(rowCount);
  const bRows = new Int32Array(rowCount);
  const counter = new Array<number>(inner).fill(0);
  for (let row = 0; row < rowCount; row++) {
    let aOffset = 0;
    let bOffset = 0;
    for (let dim = 0; dim < inner; dim++) {
      aOffset += aRuns[dim] * counter[dim] * aStrides[dim];
      bOffset += bRuns[dim] * counter[dim] * bStrides[dim];
    }
    aRows[row] = aOffset;
    bRows[row] = bOffset;
    for (let dim = inner - 1; dim >= 0; dim--) {
      if (++counter[dim] < sizes[dim]) break;
      counter[dim] = 0;
    }
  }
  return { rowLength: sizes[inner], aStep: aRuns[inner], bStep: bRuns[inner], aRows, bRows };
}

/** A RESIZE_* op's NHWC input and target size (constant input 1) and coordinate options. */
export interface ResizePlan {
  batches: number;
  inH: number;
  inW: number;
  depth: number;
  outH: number;
  outW: number;
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** Reads and checks a RESIZE_* op's plan and sets the output's shape. */
export function resizePlan(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
): ResizePlan {
  if (input.shape.length !== 4) context.unsupported(`input must be NHWC, not [${input.shape}]`);
  const [batches, inH, inW, depth] = input.shape;
  const size = context.integers(context.input(1), "size");
  if (size.length !== 2 || size.some((value) => !(value >= 1))) {
    context.unsupported(`size [${size}] must be two positive numbers`);
  }
  const [outH, outW] = size;
  output.shape = [batches, outH, outW, depth];
  const alignCorners = Boolean(context.options.alignCorners);
  const halfPixelCenters = Boolean(context.options.halfPixelCenters);
  if (alignCorners && halfPixelCenters) {
    context.unsupported("align corners and half-pixel centres cannot both be set");
  }
  return { batches, inH, inW, depth, outH, outW, alignCorners, halfPixelCenters };
}

/**
 * Throws unless every quantized tensor of `inputs` has the output's scale and zero point: ops
 * that copy or compare stored values need them equal, as TFLite checks.
 */
export function requireSharedParameters(
  context: OpContext,
  inputs: RuntimeTensor[],
  output: RuntimeTensor,
): void {
  const key = (tensor: RuntimeTensor) =>
    tensor.quantization ? `${tensor.quantization.scale}/${tensor.quantization.zeroPoint}` : "";
  for (const tensor of inputs) {
    if (key(tensor) !== key(output)) {
      context.unsupported(
        `input "${tensor.name}" is quantized differently from the output; TFLite requires them equal here`,
      );
    }
  }
}

/**
 * A broadcast binary op computed element by element in TypeScript, on any element types:
 * output = combine(a, b) with numpy's broadcasting (stored values in, stored values out; the
 * output's typed array rounds or wraps as its type does). Sets the output's shape.
 */
export function broadcastBinary(
  context: OpContext,
  a: RuntimeTensor,
  b: RuntimeTensor,
  output: RuntimeTensor,
  combine: (x: number, y: number) => number,
): PreparedOp {
  output.shape = broadcastShapes(context, a.shape, b.shape);
  const { rowLength, aStep, bStep, aRows, bRows } = broadcastWalk(a.shape, b.shape, output.shape);
  const memory = context.memory;
  return {
    run() {
      const x = memory.view(a.dtype, a.offset, elementCount(a.shape));
      const y = memory.view(b.dtype, b.offset, elementCount(b.shape));
      const z = memory.view(output.dtype, output.offset, elementCount(output.shape));
      let target = 0;
      for (let row = 0; row < aRows.length; row++) {
        for (let i = 0; i < rowLength; i++) {
          z[target++] = combine(
            Number(x[aRows[row] + i * aStep]),
            Number(y[bRows[row] + i * bStep]),
          );
        }
      }
    },
  };
}
