/**
 * MEAN, SUM, REDUCE_MAX, REDUCE_MIN and REDUCE_PROD over constant axes, float32 and int32;
 * REDUCE_MAX and REDUCE_MIN also on int8/uint8/int16 (integer MEAN and SUM are in `integer.ts`);
 * ARG_MAX and ARG_MIN on every numeric type.
 */
import { elementCount } from "../../format/dtype.ts";
import type { OpContext, OpKernel } from "../op.ts";
import type { RuntimeTensor } from "../tensor.ts";
import { normalizeAxis, requireSharedParameters, stridesOf } from "./common.ts";

interface Reducer {
  initial: number;
  combine: (accumulator: number, value: number) => number;
  mean: boolean;
}

const REDUCTIONS: Record<string, Reducer> = {
  MEAN: { initial: 0, combine: (sum, value) => sum + value, mean: true },
  SUM: { initial: 0, combine: (sum, value) => sum + value, mean: false },
  REDUCE_MAX: { initial: -Infinity, combine: Math.max, mean: false },
  REDUCE_MIN: { initial: Infinity, combine: Math.min, mean: false },
  REDUCE_PROD: { initial: 1, combine: (product, value) => product * value, mean: false },
};

/** How a reduction walks its input: the reduced axes and, per input element, its output slot. */
export interface Reduction {
  reduced: Set<number>;
  inputCount: number;
  outputCount: number;
  /** Input elements per output element. */
  perOutput: number;
  /** For every input element, the flat index of the output element it reduces into. */
  targets: Int32Array;
}

/**
 * Resolves the constant axes (input 1), sets the output's shape (kept or dropped axes, by the
 * keepDims option) and maps every input element to the output element it reduces into: the
 * input's coordinates with the reduced axes dropped.
 */
export function planReduction(
  context: OpContext,
  input: RuntimeTensor,
  output: RuntimeTensor,
): Reduction {
  const shape = input.shape;
  const rank = shape.length;
  const reduced = new Set(
    context.integers(context.input(1), "axes").map((axis) => normalizeAxis(context, axis, rank)),
  );
  output.shape = context.options.keepDims
    ? shape.map((size, axis) => (reduced.has(axis) ? 1 : size))
    : shape.filter((_, axis) => !reduced.has(axis));
  const keptStrides = stridesOf(shape.map((size, axis) => (reduced.has(axis) ? 1 : size)));
  const targets = new Int32Array(elementCount(shape));
  const counter = new Array<number>(rank).fill(0);
  for (let index = 0; index < targets.length; index++) {
    let target = 0;
    for (let axis = 0; axis < rank; axis++) {
      if (!reduced.has(axis)) target += counter[axis] * keptStrides[axis];
    }
    targets[index] = target;
    for (let axis = rank - 1; axis >= 0; axis--) {
      if (++counter[axis] < shape[axis]) break;
      counter[axis] = 0;
    }
  }
  const inputCount = targets.length;
  const outputCount = elementCount(output.shape);
  const perOutput = outputCount === 0 ? 0 : inputCount / outputCount;
  return { reduced, inputCount, outputCount, perOutput, targets };
}

function reduce(name: keyof typeof REDUCTIONS): OpKernel {
  const { initial, combine, mean } = REDUCTIONS[name];
  return (context) => {
    const extremum = name === "REDUCE_MAX" || name === "REDUCE_MIN";
    // Quantized maxima and minima are taken on the raw values: TFLite requires the input and
    // output to share scale and zero point.
    const input = extremum
      ? context.input(0, "float32", "int32", "int8", "uint8", "int16")
      : context.input(0, "float32", "int32");
    const output = context.output(0, input.dtype);
    requireSharedParameters(context, [input], output);
    const { inputCount, outputCount, perOutput, targets } = planReduction(context, input, output);
    const memory = context.memory;
    // float32 sums in float32, in input order, as TFLite's kernels accumulate them.
    const integer = input.dtype !== "float32";
    const accumulators = integer ? new Float64Array(outputCount) : new Float32Array(outputCount);
    return {
      run() {
        const source = memory.view(input.dtype, input.offset, inputCount) as Float32Array;
        const target = memory.view(output.dtype, output.offset, outputCount) as Float32Array;
        accumulators.fill(initial);
        for (let index = 0; index < inputCount; index++) {
          const slot = targets[index];
          accumulators[slot] = combine(accumulators[slot], source[index]);
        }
        for (let index = 0; index < outputCount; index++) {
          const value = mean ? accumulators[index] / perOutput : accumulators[index];
          target[index] = integer ? Math.trunc(value) : value;
        }
      },
    };
  };
}

/**
 * ARG_MAX and ARG_MIN along the constant axis (input 1), as int32 or int64 by the options: the
 * first index of the largest (smallest) value, as TFLite's strict comparison keeps it. Quantized
 * inputs compare their stored values, which order as the real ones do.
 */
function argExtremum(largest: boolean): OpKernel {
  return (context) => {
    const input = context.input(0, "float32", "int32", "int8", "uint8", "int16");
    const output = context.output(0, "int32", "int64");
    const rank = input.shape.length;
    const [axisValue] = context.integers(context.input(1), "axis");
    const axis = normalizeAxis(context, axisValue, rank);
    output.shape = input.shape.filter((_, position) => position !== axis);
    const axisSize = input.shape[axis];
    if (axisSize === 0) context.unsupported("the axis has no elements");
    const inner = elementCount(input.shape.slice(axis + 1));
    const outer = elementCount(input.shape.slice(0, axis));
    const memory = context.memory;
    const better = largest ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
    return {
      run() {
        const source = memory.view(input.dtype, input.offset, elementCount(input.shape));
        const target = memory.view(output.dtype, output.offset, outer * inner);
        for (let block = 0; block < outer; block++) {
          for (let position = 0; position < inner; position++) {
            const start = block * axisSize * inner + position;
            let best = Number(source[start]);
            let found = 0;
            for (let step = 1; step < axisSize; step++) {
              const value = Number(source[start + step * inner]);
              if (better(value, best)) {
                best = value;
                found = step;
              }
            }
            target[block * inner + position] = output.dtype === "int64" ? BigInt(found) : found;
          }
        }
      },
    };
  };
}

/** The reduction kernels by op name. */
export const REDUCE_KERNELS: Record<string, OpKernel> = {
  ...Object.fromEntries(Object.keys(REDUCTIONS).map((name) => [name, reduce(name)])),
  ARG_MAX: argExtremum(true),
  ARG_MIN: argExtremum(false),
};
