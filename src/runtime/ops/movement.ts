/**
 * Ops that move values without arithmetic, for any dtype: TRANSPOSE, PAD, SLICE, STRIDED_SLICE
 * and GATHER with constant indices as precomputed index maps; CONCATENATION, PACK, UNPACK,
 * SPLIT and SPLIT_V as block copies.
 */
import { elementCount, type TensorData, typedArrayOver } from "../../format/dtype.ts";
import type { KernelMemory } from "../memory.ts";
import type { OpContext, OpKernel, PreparedOp } from "../op.ts";
import { byteLengthOf, type RuntimeTensor } from "../tensor.ts";
import {
  activationRange,
  normalizeAxis,
  requireSharedParameters,
  resizePlan,
  stridesOf,
} from "./common.ts";
import { roundHalfAway } from "../quantized/fixed_point.ts";

const f = Math.fround;

/**
 * Runs out[i] = in[map[i]] over a precomputed map; a negative entry writes `fill` (PAD's
 * constant), stored as a one-element array of the tensors' dtype.
 */
function mapRun(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
  map: Int32Array,
  fill: TensorData | null = null,
): PreparedOp {
  const memory = context.memory;
  const inputCount = elementCount(input.shape);
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, inputCount);
      const target = memory.view(output.dtype, output.offset, map.length);
      for (let index = 0; index < map.length; index++) {
        const from = map[index];
        target[index] = from < 0 ? fill![0] : source[from];
      }
    },
  };
}

/** Walks every coordinate of `shape` in row-major order. */
function forEachCoordinate(shape: number[], visit: (coordinate: number[], index: number) => void) {
  const count = elementCount(shape);
  const coordinate = new Array<number>(shape.length).fill(0);
  for (let index = 0; index < count; index++) {
    visit(coordinate, index);
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++coordinate[axis] < shape[axis]) break;
      coordinate[axis] = 0;
    }
  }
}

/** TRANSPOSE by a constant permutation. */
export function transpose(context: OpContext): PreparedOp {
  const input = context.input(0);
  const output = context.output(0, input.dtype);
  const rank = input.shape.length;
  const permutation = context.integers(context.input(1), "permutation")
    .map((axis) => normalizeAxis(context, axis, rank));
  if (permutation.length !== rank || new Set(permutation).size !== rank) {
    context.unsupported(`[${permutation}] is not a permutation of ${rank} axes`);
  }
  output.shape = permutation.map((axis) => input.shape[axis]);
  const strides = stridesOf(input.shape);
  const map = new Int32Array(elementCount(output.shape));
  forEachCoordinate(output.shape, (coordinate, index) => {
    let from = 0;
    for (let axis = 0; axis < rank; axis++) from += coordinate[axis] * strides[permutation[axis]];
    map[index] = from;
  });
  return mapRun(context, input, output, map);
}

/** PAD and PADV2: constant [rank, 2] paddings; PADV2's constant value, else zero. */
export function pad(context: OpContext): PreparedOp {
  const input = context.input(0);
  const output = context.output(0, input.dtype);
  const rank = input.shape.length;
  const paddings = context.integers(context.input(1), "paddings");
  if (paddings.length !== rank * 2 || paddings.some((amount) => amount < 0)) {
    context.unsupported(`paddings [${paddings}] do not fit a rank-${rank} input`);
  }
  output.shape = input.shape.map((size, axis) =>
    paddings[2 * axis] + size + paddings[2 * axis + 1]
  );
  const constant = context.optionalInput(2, input.dtype);
  let fill: TensorData;
  if (constant) {
    fill = context.values(constant, "constant value").slice(0, 1);
  } else {
    fill = typedArrayOver(input.dtype, new ArrayBuffer(8), 0, 1)!;
    // A quantized tensor's zero is its zero point.
    const zeroPoint = input.quantization?.zeroPoint[0] ?? 0;
    if (!(fill instanceof BigInt64Array || fill instanceof BigUint64Array)) fill[0] = zeroPoint;
  }
  const strides = stridesOf(input.shape);
  const map = new Int32Array(elementCount(output.shape));
  forEachCoordinate(output.shape, (coordinate, index) => {
    let from = 0;
    for (let axis = 0; axis < rank; axis++) {
      const position = coordinate[axis] - paddings[2 * axis];
      if (position < 0 || position >= input.shape[axis]) {
        from = -1;
        break;
      }
      from += position * strides[axis];
    }
    map[index] = from;
  });
  return mapRun(context, input, output, map, fill);
}

/** Input coordinates [start, start + step * i] along each axis, and the output's shape. */
interface SliceSpec {
  starts: number[];
  steps: number[];
  shape: number[];
}

function sliceRun(
  context: OpContext,
  input: RuntimeTensor,
  spec: SliceSpec,
  outputShape: number[],
) {
  const output = context.output(0, input.dtype);
  output.shape = outputShape;
  const strides = stridesOf(input.shape);
  const map = new Int32Array(elementCount(spec.shape));
  forEachCoordinate(spec.shape, (coordinate, index) => {
    let from = 0;
    for (let axis = 0; axis < coordinate.length; axis++) {
      from += (spec.starts[axis] + spec.steps[axis] * coordinate[axis]) * strides[axis];
    }
    map[index] = from;
  });
  return mapRun(context, input, output, map);
}

/** SLICE: constant begin and size (-1: to the end). */
export function slice(context: OpContext): PreparedOp {
  const input = context.input(0);
  const rank = input.shape.length;
  const begin = context.integers(context.input(1), "begin");
  const size = context.integers(context.input(2), "size");
  if (begin.length !== rank || size.length !== rank) {
    context.unsupported(`begin [${begin}] and size [${size}] must have ${rank} entries`);
  }
  const shape = size.map((count, axis) => (count === -1 ? input.shape[axis] - begin[axis] : count));
  shape.forEach((count, axis) => {
    if (begin[axis] < 0 || count < 0 || begin[axis] + count > input.shape[axis]) {
      context.unsupported(`slice [${begin}] + [${size}] leaves input [${input.shape}]`);
    }
  });
  return sliceRun(context, input, { starts: begin, steps: shape.map(() => 1), shape }, shape);
}

/**
 * STRIDED_SLICE with TFLite's masks: begin_mask / end_mask take the whole extent, negative
 * indices count from the end and are clamped, `offset` makes end relative to begin,
 * shrink_axis_mask keeps one element and drops the axis. Ellipsis and new-axis masks are refused.
 */
export function stridedSlice(context: OpContext): PreparedOp {
  const input = context.input(0);
  const rank = input.shape.length;
  const begin = context.integers(context.input(1), "begin");
  const end = context.integers(context.input(2), "end");
  const strides = context.integers(context.input(3), "strides");
  const options = context.options;
  const mask = (name: string) => Number(options[name] ?? 0);
  if (mask("ellipsisMask") !== 0 || mask("newAxisMask") !== 0) {
    context.unsupported("ellipsis and new-axis masks are not supported");
  }
  if (begin.length > rank || end.length !== begin.length || strides.length !== begin.length) {
    context.unsupported(`begin, end and strides must have the same length, at most ${rank}`);
  }
  const starts: number[] = [];
  const steps: number[] = [];
  const shape: number[] = [];
  const outputShape: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const size = input.shape[axis];
    if (axis >= begin.length) {
      starts.push(0);
      steps.push(1);
      shape.push(size);
      outputShape.push(size);
      continue;
    }
    const step = strides[axis];
    if (step === 0) context.unsupported(`stride of axis ${axis} is 0`);
    const bit = 1 << axis;
    const clampIndex = (index: number) => {
      const absolute = index < 0 ? index + size : index;
      return step > 0
        ? Math.min(Math.max(absolute, 0), size)
        : Math.min(Math.max(absolute, -1), size - 1);
    };
    const start = mask("beginMask") & bit ? (step > 0 ? 0 : size - 1) : clampIndex(begin[axis]);
    let stop: number;
    if (mask("shrinkAxisMask") & bit) {
      const index = begin[axis] < 0 ? begin[axis] + size : begin[axis];
      if (index < 0 || index >= size) {
        context.unsupported(`index ${begin[axis]} is outside axis ${axis}`);
      }
      starts.push(index);
      steps.push(1);
      shape.push(1);
      continue;
    } else if (mask("endMask") & bit) {
      stop = step > 0 ? size : -1;
    } else {
      stop = clampIndex(options.offset ? begin[axis] + end[axis] : end[axis]);
    }
    const count = Math.max(0, Math.ceil((stop - start) / step));
    starts.push(start);
    steps.push(step);
    shape.push(count);
    outputShape.push(count);
  }
  return sliceRun(context, input, { starts, steps, shape }, outputShape);
}

/** GATHER along `axis` (batch_dims 0); indices checked against the axis at run time. */
export function gather(context: OpContext): PreparedOp {
  const params = context.input(0);
  const indices = context.input(1, "int32", "int64", "int16");
  const output = context.output(0, params.dtype);
  const rank = params.shape.length;
  if (Number(context.options.batchDims ?? 0) !== 0) context.unsupported("batch_dims must be 0");
  const axis = normalizeAxis(context, Number(context.options.axis ?? 0), rank);
  output.shape = [
    ...params.shape.slice(0, axis),
    ...indices.shape,
    ...params.shape.slice(axis + 1),
  ];
  const outer = elementCount(params.shape.slice(0, axis));
  const inner = elementCount(params.shape.slice(axis + 1));
  const axisSize = params.shape[axis];
  const indexCount = elementCount(indices.shape);
  const memory = context.memory;
  const paramCount = elementCount(params.shape);
  return {
    run() {
      const which = memory.view(indices.dtype, indices.offset, indexCount);
      const source = memory.view(params.dtype, params.offset, paramCount);
      const target = memory.view(output.dtype, output.offset, elementCount(output.shape));
      let position = 0;
      for (let block = 0; block < outer; block++) {
        for (let j = 0; j < indexCount; j++) {
          const index = Number(which[j]);
          if (!(index >= 0 && index < axisSize)) {
            throw new RangeError(`${context.where}: index ${index} is outside [0, ${axisSize})`);
          }
          const start = (block * axisSize + index) * inner;
          target.set(source.subarray(start, start + inner) as never, position);
          position += inner;
        }
      }
    },
  };
}

/** Copies `pieces` byte ranges of `count` per outer block, in order, into one tensor. */
function copyBlocks(
  memory: KernelMemory,
  blocks: { tensor: RuntimeTensor; bytes: number }[],
  joined: RuntimeTensor,
  outer: number,
  joining: boolean,
): void {
  const all = memory.bytes(0, memory.kernels.memory.buffer.byteLength);
  let cursor = joined.offset;
  for (let block = 0; block < outer; block++) {
    for (const { tensor, bytes } of blocks) {
      const offset = tensor.offset + block * bytes;
      if (joining) all.copyWithin(cursor, offset, offset + bytes);
      else all.copyWithin(offset, cursor, cursor + bytes);
      cursor += bytes;
    }
  }
}

function elementBytes(tensor: RuntimeTensor): number {
  const count = elementCount(tensor.shape);
  return count === 0 ? 0 : byteLengthOf(tensor) / count;
}

/** CONCATENATION along `axis`, with a fused activation on float32. */
export function concatenation(context: OpContext): PreparedOp {
  const first = context.input(0);
  const inputs = context.inputs.map((_, position) => context.input(position, first.dtype));
  const output = context.output(0, first.dtype);
  // TFLite's uint8 kernel requantizes inputs with other parameters; its int8 one refuses them.
  if (first.dtype !== "uint8") requireSharedParameters(context, inputs, output);
  const rank = first.shape.length;
  const axis = normalizeAxis(context, Number(context.options.axis ?? 0), rank);
  for (const tensor of inputs) {
    if (
      tensor.shape.length !== rank ||
      tensor.shape.some((size, at) => at !== axis && size !== first.shape[at])
    ) {
      context.unsupported(
        `inputs [${first.shape}] and [${tensor.shape}] do not concatenate on axis ${axis}`,
      );
    }
  }
  output.shape = first.shape.map((size, at) =>
    at === axis ? inputs.reduce((sum, tensor) => sum + tensor.shape[axis], 0) : size
  );
  const [low, high] = activationRange(context);
  const outer = elementCount(first.shape.slice(0, axis));
  const size = elementBytes(first);
  const blocks = inputs.map((tensor) => ({
    tensor,
    bytes: elementCount(tensor.shape.slice(axis)) * size,
  }));
  const memory = context.memory;
  const clamp = first.dtype === "float32" && (low > -Infinity || high < Infinity);
  const count = elementCount(output.shape);
  const rescaled = first.dtype === "uint8" ? uint8Rescalings(inputs, output) : [];
  return {
    run() {
      copyBlocks(memory, blocks, output, outer, true);
      if (clamp) memory.kernels.f32_unary(0, output.offset, output.offset, count, 0, low, high);
      if (rescaled.length === 0) return;
      const joined = memory.view("uint8", output.offset, count) as Uint8Array;
      const blockBytes = blocks.reduce((sum, block) => sum + block.bytes, 0);
      for (const { position, scale, bias, zeroPoint } of rescaled) {
        const { tensor, bytes } = blocks[position];
        const values = memory.view("uint8", tensor.offset, outer * bytes) as Uint8Array;
        const start = blocks.slice(0, position).reduce((sum, block) => sum + block.bytes, 0);
        for (let block = 0; block < outer; block++) {
          const target = block * blockBytes + start;
          for (let index = 0; index < bytes; index++) {
            const real = f(f(values[block * bytes + index] * scale) + bias);
            const value = roundHalfAway(real) + zeroPoint;
            joined[target + index] = Math.max(0, Math.min(255, value));
          }
        }
      }
    },
  };
}

/**
 * The uint8 inputs whose parameters differ from the output's, with TFLite's float32
 * requantization of them (reference ConcatenationWithScaling): round(q * scale + bias) + the
 * output zero point, clamped to [0, 255], where scale = inputScale * (1 / outputScale) and
 * bias = -inputZeroPoint * scale, each rounded to float32, halves away from zero.
 */
function uint8Rescalings(inputs: RuntimeTensor[], output: RuntimeTensor) {
  const [outputScale] = output.quantization?.scale ?? [1];
  const [outputZeroPoint] = output.quantization?.zeroPoint ?? [0];
  const inverse = f(1 / outputScale);
  return inputs.flatMap((tensor, position) => {
    const [inputScale] = tensor.quantization?.scale ?? [1];
    const [inputZeroPoint] = tensor.quantization?.zeroPoint ?? [0];
    if (inputScale === outputScale && inputZeroPoint === outputZeroPoint) return [];
    const scale = f(inputScale * inverse);
    return [{ position, scale, bias: f(-inputZeroPoint * scale), zeroPoint: outputZeroPoint }];
  });
}

/** PACK: stacks equal-shaped inputs along a new axis. */
export function pack(context: OpContext): PreparedOp {
  const first = context.input(0);
  const inputs = context.inputs.map((_, position) => context.input(position, first.dtype));
  const output = context.output(0, first.dtype);
  const axis = normalizeAxis(context, Number(context.options.axis ?? 0), first.shape.length + 1);
  for (const tensor of inputs) {
    if (tensor.shape.join() !== first.shape.join()) {
      context.unsupported(`inputs [${first.shape}] and [${tensor.shape}] differ`);
    }
  }
  requireSharedParameters(context, inputs, output);
  output.shape = [...first.shape.slice(0, axis), inputs.length, ...first.shape.slice(axis)];
  const outer = elementCount(first.shape.slice(0, axis));
  const bytes = elementCount(first.shape.slice(axis)) * elementBytes(first);
  const blocks = inputs.map((tensor) => ({ tensor, bytes }));
  const memory = context.memory;
  return { run: () => copyBlocks(memory, blocks, output, outer, true) };
}

/** The block copies that cut `input` along `axis` into `outputs` of the given axis sizes. */
function splitRun(
  context: OpContext,
  input: RuntimeTensor,
  axis: number,
  sizes: number[],
  drop: boolean,
) {
  const outputs = context.outputs.map((_, position) => context.output(position, input.dtype));
  if (outputs.length !== sizes.length) {
    context.unsupported(`${sizes.length} pieces, but ${outputs.length} outputs`);
  }
  outputs.forEach((tensor, position) => {
    tensor.shape = drop
      ? input.shape.filter((_, at) => at !== axis)
      : input.shape.map((size, at) => (at === axis ? sizes[position] : size));
  });
  const outer = elementCount(input.shape.slice(0, axis));
  const innerBytes = elementCount(input.shape.slice(axis + 1)) * elementBytes(input);
  const blocks = outputs.map((tensor, position) => ({
    tensor,
    bytes: sizes[position] * innerBytes,
  }));
  const memory = context.memory;
  return { run: () => copyBlocks(memory, blocks, input, outer, false) };
}

/** UNPACK: one output per index along `axis`, the axis dropped. */
export function unpack(context: OpContext): PreparedOp {
  const input = context.input(0);
  const axis = normalizeAxis(context, Number(context.options.axis ?? 0), input.shape.length);
  return splitRun(context, input, axis, new Array(input.shape[axis]).fill(1), true);
}

/** SPLIT: `num_splits` equal pieces along the constant axis (input 0). */
export function split(context: OpContext): PreparedOp {
  const input = context.input(1);
  const [axisValue] = context.integers(context.input(0), "axis");
  const axis = normalizeAxis(context, axisValue, input.shape.length);
  const pieces = Number(context.options.numSplits ?? context.outputs.length);
  if (pieces < 1 || input.shape[axis] % pieces !== 0) {
    context.unsupported(`axis ${axis} of [${input.shape}] does not split into ${pieces}`);
  }
  return splitRun(context, input, axis, new Array(pieces).fill(input.shape[axis] / pieces), false);
}

/** SPLIT_V: pieces of constant sizes (one may be -1) along the constant axis (input 2). */
export function splitV(context: OpContext): PreparedOp {
  const input = context.input(0);
  const sizes = context.integers(context.input(1), "size_splits");
  const [axisValue] = context.integers(context.input(2), "axis");
  const axis = normalizeAxis(context, axisValue, input.shape.length);
  const known = sizes.filter((size) => size !== -1).reduce((sum, size) => sum + size, 0);
  const resolved = sizes.map((size) => (size === -1 ? input.shape[axis] - known : size));
  if (
    resolved.some((size) => size < 0) ||
    resolved.reduce((sum, size) => sum + size, 0) !== input.shape[axis]
  ) {
    context.unsupported(`sizes [${sizes}] do not add up to axis ${axis} of [${input.shape}]`);
  }
  return splitRun(context, input, axis, resolved, false);
}

/** The data-movement kernels by op name. */
/** The NHWC shape of input 0 (four dimensions), or an error naming what it is. */
function imageShape(context: OpContext, tensor: RuntimeTensor): [number, number, number, number] {
  if (tensor.shape.length !== 4) context.unsupported(`input must be NHWC, not [${tensor.shape}]`);
  return tensor.shape as [number, number, number, number];
}

/** A quantized output must share its input's parameters: these ops copy stored values. */
function copiedInput(context: OpContext): [RuntimeTensor, RuntimeTensor] {
  const input = context.input(0);
  const output = context.output(0, input.dtype);
  requireSharedParameters(context, [input], output);
  return [input, output];
}

/**
 * DEPTH_TO_SPACE (DCR order, as TFLite): output[b][y][x][c] =
 * input[b][y / block][x / block][((y % block) * block + x % block) * C + c], C = depth / block^2.
 */
export function depthToSpace(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const [batches, height, width, depth] = imageShape(context, input);
  const block = Number(context.options.blockSize ?? 0);
  if (!(block >= 1) || depth % (block * block) !== 0) {
    context.unsupported(`block size ${block} does not divide depth ${depth} into squares`);
  }
  const channels = depth / (block * block);
  output.shape = [batches, height * block, width * block, channels];
  const map = new Int32Array(elementCount(output.shape));
  forEachCoordinate(output.shape, ([b, y, x, c], index) => {
    const sourceDepth = ((y % block) * block + (x % block)) * channels + c;
    map[index] = ((b * height + Math.floor(y / block)) * width + Math.floor(x / block)) * depth +
      sourceDepth;
  });
  return mapRun(context, input, output, map);
}

/** SPACE_TO_DEPTH, DEPTH_TO_SPACE's inverse. */
export function spaceToDepth(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const [batches, height, width, depth] = imageShape(context, input);
  const block = Number(context.options.blockSize ?? 0);
  if (!(block >= 1) || height % block !== 0 || width % block !== 0) {
    context.unsupported(`block size ${block} does not divide ${height}x${width}`);
  }
  output.shape = [batches, height / block, width / block, depth * block * block];
  const map = new Int32Array(elementCount(output.shape));
  forEachCoordinate(output.shape, ([b, y, x, c], index) => {
    const offset = Math.floor(c / depth);
    const sourceY = y * block + Math.floor(offset / block);
    const sourceX = x * block + (offset % block);
    map[index] = ((b * height + sourceY) * width + sourceX) * depth + (c % depth);
  });
  return mapRun(context, input, output, map);
}

/** TILE: the input repeated `multiples[axis]` times along each axis (constant input 1). */
export function tile(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const rank = input.shape.length;
  const multiples = context.integers(context.input(1), "multiples");
  if (multiples.length !== rank || multiples.some((count) => count < 0)) {
    context.unsupported(`multiples [${multiples}] do not fit a rank-${rank} input`);
  }
  output.shape = input.shape.map((size, axis) => size * multiples[axis]);
  const strides = stridesOf(input.shape);
  const map = new Int32Array(elementCount(output.shape));
  forEachCoordinate(output.shape, (coordinate, index) => {
    let from = 0;
    for (let axis = 0; axis < rank; axis++) {
      from += (coordinate[axis] % input.shape[axis]) * strides[axis];
    }
    map[index] = from;
  });
  return mapRun(context, input, output, map);
}

/**
 * TFLite's nearest source index for RESIZE_NEAREST_NEIGHBOR, in float32: scale = in / out (or
 * (in - 1) / (out - 1) with align corners), (out index + 0.5 with half-pixel centres) x scale,
 * rounded half away from zero with align corners and floored otherwise, kept in [0, in - 1].
 */
function nearestIndex(
  index: number,
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): number {
  const scale = alignCorners && outSize > 1
    ? f((inSize - 1) / f(outSize - 1))
    : f(inSize / f(outSize));
  const scaled = f(f(index + (halfPixelCenters ? 0.5 : 0)) * scale);
  const nearest = Math.min(
    alignCorners ? roundHalfAway(scaled) : Math.floor(scaled),
    inSize - 1,
  );
  return halfPixelCenters ? Math.max(0, nearest) : nearest;
}

/** RESIZE_NEAREST_NEIGHBOR to the constant size [height, width] (input 1), NHWC. */
export function resizeNearestNeighbor(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const plan = resizePlan(context, input, output);
  const { inH, inW, depth, alignCorners, halfPixelCenters } = plan;
  const rows = Array.from(
    { length: plan.outH },
    (_, y) => nearestIndex(y, inH, plan.outH, alignCorners, halfPixelCenters),
  );
  const columns = Array.from(
    { length: plan.outW },
    (_, x) => nearestIndex(x, inW, plan.outW, alignCorners, halfPixelCenters),
  );
  const map = new Int32Array(elementCount(output.shape));
  forEachCoordinate(output.shape, ([b, y, x, c], index) => {
    map[index] = ((b * inH + rows[y]) * inW + columns[x]) * depth + c;
  });
  return mapRun(context, input, output, map);
}

/**
 * MIRROR_PAD: constant [rank, 2] paddings filled with the input mirrored at each edge, the edge
 * value itself repeated (SYMMETRIC) or not (REFLECT).
 */
export function mirrorPad(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const rank = input.shape.length;
  const paddings = context.integers(context.input(1), "paddings");
  const symmetric = context.options.mode === "SYMMETRIC";
  const limit = (size: number) => (symmetric ? size : size - 1);
  if (
    paddings.length !== rank * 2 ||
    paddings.some((amount, at) => amount < 0 || amount > limit(input.shape[at >> 1]))
  ) {
    context.unsupported(`paddings [${paddings}] do not fit [${input.shape}] mirrored`);
  }
  output.shape = input.shape.map((size, axis) =>
    paddings[2 * axis] + size + paddings[2 * axis + 1]
  );
  const strides = stridesOf(input.shape);
  const map = new Int32Array(elementCount(output.shape));
  forEachCoordinate(output.shape, (coordinate, index) => {
    let from = 0;
    for (let axis = 0; axis < rank; axis++) {
      const size = input.shape[axis];
      let position = coordinate[axis] - paddings[2 * axis];
      if (position < 0) position = symmetric ? -position - 1 : -position;
      else if (position >= size) {
        position = symmetric ? 2 * size - position - 1 : 2 * size - position - 2;
      }
      from += position * strides[axis];
    }
    map[index] = from;
  });
  return mapRun(context, input, output, map);
}

/** The constant block shape (input 1) and [rank - 2, 2] paddings or crops (input 2) of a 4D op. */
function spatialBlocks(context: OpContext, input: RuntimeTensor, role: string) {
  const [batches, height, width, depth] = imageShape(context, input);
  const block = context.integers(context.input(1), "block shape");
  const amounts = context.integers(context.input(2), role);
  if (block.length !== 2 || block.some((size) => size < 1) || amounts.length !== 4) {
    context.unsupported(
      `block shape [${block}] and ${role} [${amounts}] must cover height and width`,
    );
  }
  return { batches, height, width, depth, block, amounts };
}

/**
 * SPACE_TO_BATCH_ND on NHWC: the zero-padded image cut into block-sized steps, each offset
 * (by, bx) a batch of its own: output batch (by * blockW + bx) * N + n.
 */
export function spaceToBatchNd(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const { batches, height, width, depth, block, amounts } = spatialBlocks(
    context,
    input,
    "paddings",
  );
  const [blockH, blockW] = block;
  const [top, bottom, left, right] = amounts;
  const paddedH = height + top + bottom;
  const paddedW = width + left + right;
  if (paddedH % blockH !== 0 || paddedW % blockW !== 0) {
    context.unsupported(`padded ${paddedH}x${paddedW} is not a multiple of the block [${block}]`);
  }
  output.shape = [batches * blockH * blockW, paddedH / blockH, paddedW / blockW, depth];
  const map = new Int32Array(elementCount(output.shape));
  forEachCoordinate(output.shape, ([outBatch, y, x, c], index) => {
    const n = outBatch % batches;
    const offset = Math.floor(outBatch / batches);
    const sourceY = y * blockH + Math.floor(offset / blockW) - top;
    const sourceX = x * blockW + (offset % blockW) - left;
    const inside = sourceY >= 0 && sourceY < height && sourceX >= 0 && sourceX < width;
    map[index] = inside ? ((n * height + sourceY) * width + sourceX) * depth + c : -1;
  });
  // Padding holds zero: a quantized tensor's zero is its zero point.
  const fill = typedArrayOver(input.dtype, new ArrayBuffer(8), 0, 1)!;
  if (!(fill instanceof BigInt64Array || fill instanceof BigUint64Array)) {
    fill[0] = input.quantization?.zeroPoint[0] ?? 0;
  }
  return mapRun(context, input, output, map, fill);
}

/** BATCH_TO_SPACE_ND on NHWC, SPACE_TO_BATCH_ND's inverse, then cropped. */
export function batchToSpaceNd(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const { batches, height, width, depth, block, amounts } = spatialBlocks(context, input, "crops");
  const [blockH, blockW] = block;
  const [top, bottom, left, right] = amounts;
  if (batches % (blockH * blockW) !== 0) {
    context.unsupported(`${batches} batches do not split into blocks of [${block}]`);
  }
  const outBatches = batches / (blockH * blockW);
  const outH = height * blockH - top - bottom;
  const outW = width * blockW - left - right;
  if (outH < 0 || outW < 0) context.unsupported(`crops [${amounts}] exceed the image`);
  output.shape = [outBatches, outH, outW, depth];
  const map = new Int32Array(elementCount(output.shape));
  forEachCoordinate(output.shape, ([n, y, x, c], index) => {
    const fullY = y + top;
    const fullX = x + left;
    const sourceBatch = ((fullY % blockH) * blockW + (fullX % blockW)) * outBatches + n;
    map[index] =
      ((sourceBatch * height + Math.floor(fullY / blockH)) * width + Math.floor(fullX / blockW)) *
        depth + c;
  });
  return mapRun(context, input, output, map);
}

/** BROADCAST_TO the constant shape (input 1), numpy's broadcasting rules. */
export function broadcastTo(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const shape = context.integers(context.input(1), "shape");
  const rank = shape.length;
  const padded = [...new Array(Math.max(0, rank - input.shape.length)).fill(1), ...input.shape];
  if (padded.length !== rank || padded.some((size, axis) => size !== 1 && size !== shape[axis])) {
    context.unsupported(`[${input.shape}] does not broadcast to [${shape}]`);
  }
  output.shape = shape;
  const strides = stridesOf(padded);
  const map = new Int32Array(elementCount(shape));
  forEachCoordinate(shape, (coordinate, index) => {
    let from = 0;
    for (let axis = 0; axis < rank; axis++) {
      if (padded[axis] !== 1) from += coordinate[axis] * strides[axis];
    }
    map[index] = from;
  });
  return mapRun(context, input, output, map);
}

export const MOVEMENT_KERNELS: Record<string, OpKernel> = {
  TRANSPOSE: transpose,
  PAD: pad,
  PADV2: pad,
  SLICE: slice,
  STRIDED_SLICE: stridedSlice,
  GATHER: gather,
  CONCATENATION: concatenation,
  PACK: pack,
  UNPACK: unpack,
  SPLIT: split,
  SPLIT_V: splitV,
  DEPTH_TO_SPACE: depthToSpace,
  SPACE_TO_DEPTH: spaceToDepth,
  TILE: tile,
  RESIZE_NEAREST_NEIGHBOR: resizeNearestNeighbor,
  MIRROR_PAD: mirrorPad,
  SPACE_TO_BATCH_ND: spaceToBatchNd,
  BATCH_TO_SPACE_ND: batchToSpaceNd,
  BROADCAST_TO: broadcastTo,
};
