/**
 * MEAN, SUM, REDUCE_MAX, REDUCE_MIN and REDUCE_PROD over constant axes, float32 and int32;
 * REDUCE_MAX and REDUCE_MIN also on int8/uint8/int16 (integer MEAN and SUM are in
 * `mean_sum_integer.ts`).
 */
import type { OpContext, OpKernel, PreparedOp } from "../../op.ts";
import { integerSumOrMean } from "./mean_sum_integer.ts";
import { planReduction } from "./reduction_common.ts";
import { requireSharedParameters } from "../../quantization/parameters.ts";

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

/** A float32 or int32 reduction (REDUCE_MAX and REDUCE_MIN also quantized). */
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
    const reduction = planReduction(context, input, output);
    const { inputCount, outputCount, perOutput, rowsOfOutputs, width, rowTargets } = reduction;
    const memory = context.memory;
    if (input.dtype === "float32" && (name === "MEAN" || name === "SUM") && rowsOfOutputs) {
      // Rows of outputs (an image's pixels) on wasm, in the same order and float32 arithmetic.
      const divisor = mean ? perOutput : 1;
      const kernels = context.kernels;
      return {
        run: () =>
          kernels.f32_channel_means(input.offset, perOutput, outputCount, divisor, output.offset),
      };
    }
    // float32 sums in float32, in input order, as TFLite's kernels accumulate them.
    const integer = input.dtype !== "float32";
    const accumulators = integer ? new Float64Array(outputCount) : new Float32Array(outputCount);
    return {
      run() {
        const source = memory.view(input.dtype, input.offset, inputCount) as Float32Array;
        const target = memory.view(output.dtype, output.offset, outputCount) as Float32Array;
        accumulators.fill(initial);
        reduction.forEachRow((start, base) => {
          for (let index = 0; index < width; index++) {
            const slot = base + rowTargets[index];
            accumulators[slot] = combine(accumulators[slot], source[start + index]);
          }
        });
        for (let index = 0; index < outputCount; index++) {
          const value = mean ? accumulators[index] / perOutput : accumulators[index];
          target[index] = integer ? Math.trunc(value) : value;
        }
      },
    };
  };
}

/** MEAN: integer for int8, uint8 and int16 inputs, float32 or int32 otherwise. */
export function mean(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerSumOrMean(true)(context);
    default:
      return reduce("MEAN")(context);
  }
}

/** SUM: integer for int8, uint8 and int16 inputs, float32 or int32 otherwise. */
export function sum(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerSumOrMean(false)(context);
    default:
      return reduce("SUM")(context);
  }
}

/** REDUCE_MAX (quantized inputs on their stored values). */
export const reduceMax: OpKernel = reduce("REDUCE_MAX");

/** REDUCE_MIN (quantized inputs on their stored values). */
export const reduceMin: OpKernel = reduce("REDUCE_MIN");

/** REDUCE_PROD on float32 and int32. */
export const reduceProd: OpKernel = reduce("REDUCE_PROD");
