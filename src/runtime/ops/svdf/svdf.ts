/**
 * SVDF: the one place that chooses its path by the feature weights' and input's types; float32
 * and hybrid (float32 activations, int8 weights quantized on the fly, TFLite's
 * EvalFloatSVDF and EvalHybridSVDF) here, full integer in `svdf_integer.ts`.
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { floatActivationRange } from "../common/activation_range.ts";
import { quantizeInput } from "../common/hybrid_layer.ts";
import { params } from "../../quantization/parameters.ts";
import { shiftState, type SvdfShape, svdfShape } from "./svdf_common.ts";
import { integerSvdf } from "./svdf_integer.ts";

const f = Math.fround;

/** SVDF on float32, hybrid (int8 weights) or int8 (int16 state) tensors. */
export function svdf(context: OpContext): PreparedOp {
  const shape = svdfShape(context);
  const weightType = shape.featureWeights.dtype;
  switch (shape.input.dtype) {
    case "float32":
      if (weightType === "float32" || weightType === "int8") return floatSvdf(context, shape);
      break;
    case "int8":
      return integerSvdf(context, shape);
  }
  return context.unsupported(`no SVDF of ${shape.input.dtype} input and ${weightType} weights`);
}

/** The time weights as float32: dequantized (float32 products) for hybrid files. */
function floatTimeWeights(context: OpContext, shape: SvdfShape): Float32Array {
  const values = context.values(shape.timeWeights, "input 2");
  if (shape.timeWeights.dtype === "float32") return Float32Array.from(values as Float32Array);
  const { scale } = params(context, shape.timeWeights);
  return Float32Array.from(values as Int8Array, (value) => f(value * scale));
}

/**
 * Float32 and hybrid SVDF, summing in TFLite's order in float32: the new feature activations
 * (float dot products, or int8 dot products times the row's scale), then per filter the dot
 * product of the state with the time weights, per unit the sum over its rank filters plus the
 * bias, then the activation.
 */
function floatSvdf(context: OpContext, shape: SvdfShape): PreparedOp {
  const { input, featureWeights, state, output, batches, inputSize, filters, rank, units, memory } =
    shape;
  context.output(0, "float32");
  context.input(4, "float32");
  const hybrid = featureWeights.dtype === "int8";
  const features = Float32Array.from(context.values(featureWeights, "input 1") as Float32Array);
  const featureScale = hybrid ? params(context, featureWeights).scale : 1;
  const asymmetric = hybrid && Boolean(context.options.asymmetricQuantizeInputs);
  const rowSums = new Int32Array(filters);
  for (let index = 0; index < features.length; index++) {
    rowSums[Math.floor(index / inputSize)] += features[index];
  }
  const time = floatTimeWeights(context, shape);
  const bias = shape.bias
    ? Float32Array.from(context.values(context.input(3, "float32"), "input 3") as Float32Array)
    : null;
  const [low, high] = floatActivationRange(context);
  const memoryView = context.memory;
  const activations = new Float32Array(filters);

  /**
   * One batch's feature activations from its input at `offset`, as TFLite's hybrid matrix-vector
   * product gives them: the row quantized on the fly (`scratch`: the int8 row, then its range).
   */
  const hybridFeatures = (offset: number, scratch: number) => {
    const range = scratch + Math.ceil(inputSize / 8) * 8;
    const row = quantizeInput(memoryView, offset, inputSize, scratch, range, asymmetric);
    const quantized = memoryView.view("int8", scratch, inputSize) as Int8Array;
    const rowScale = f(row.scale * featureScale);
    for (let filter = 0; filter < filters; filter++) {
      let dot = 0;
      for (let column = 0; column < inputSize; column++) {
        dot += features[filter * inputSize + column] * quantized[column];
      }
      if (asymmetric) dot -= rowSums[filter] * row.zeroPoint;
      activations[filter] = f(dot * rowScale);
    }
  };

  return {
    consumedInputs: [1, 2, 3],
    scratchBytes: hybrid ? Math.ceil(inputSize / 8) * 8 + 8 : 0,
    run(scratch) {
      const x = memoryView.f32(input.offset, batches * inputSize);
      const s = memoryView.f32(state.offset, elementCount(state.shape));
      const y = memoryView.f32(output.offset, batches * units);
      shiftState(s);
      const inputIsZero = x.every((value) => value === 0);
      for (let batch = 0; batch < batches; batch++) {
        const row = x.subarray(batch * inputSize, (batch + 1) * inputSize);
        if (!hybrid) {
          for (let filter = 0; filter < filters; filter++) {
            let dot = 0;
            for (let column = 0; column < inputSize; column++) {
              dot = f(dot + f(features[filter * inputSize + column] * row[column]));
            }
            activations[filter] = dot;
          }
        } else if (inputIsZero) {
          activations.fill(0);
        } else {
          hybridFeatures(input.offset + batch * inputSize * 4, scratch);
        }
        const batchState = s.subarray(batch * filters * memory, (batch + 1) * filters * memory);
        for (let filter = 0; filter < filters; filter++) {
          batchState[filter * memory + memory - 1] = activations[filter];
        }
        for (let unit = 0; unit < units; unit++) {
          let sum = 0;
          for (let filter = unit * rank; filter < (unit + 1) * rank; filter++) {
            let dot = 0;
            for (let slot = 0; slot < memory; slot++) {
              const at = filter * memory + slot;
              dot = f(dot + f(time[at] * batchState[at]));
            }
            sum = f(sum + dot);
          }
          if (bias) sum = f(sum + bias[unit]);
          y[batch * units + unit] = Math.min(high, Math.max(low, sum));
        }
      }
    },
  };
}
