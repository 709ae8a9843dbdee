/**
 * Full-integer SVDF (TFLite's EvalIntegerSVDF): int8 input and feature weights, int16 time
 * weights and state (zero point 0), int32 bias, int8 output, bit-exact with TFLite's reference.
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import { int16Scale, params } from "../../quantization/parameters.ts";
import { shiftState, type SvdfShape } from "./svdf_common.ts";

/**
 * The feature products (input minus its zero point) scaled by input x feature / state scale and
 * clamped to int16 become the newest state; per filter the state's dot product with the time
 * weights, per unit the sum over its rank filters plus the bias, scaled by state x time / output
 * scale, plus the output zero point, clamped to int8. TFLite runs only RELU here (the output's
 * range carries it).
 */
export function integerSvdf(context: OpContext, shape: SvdfShape): PreparedOp {
  const { input, state, output, batches, inputSize, filters, rank, units, memory } = shape;
  context.input(1, "int8");
  context.input(2, "int16");
  context.input(4, "int16");
  context.output(0, "int8");
  if (context.options.fusedActivationFunction !== "RELU") {
    context.unsupported("TFLite's integer SVDF runs RELU only");
  }
  const inputParams = params(context, input);
  const stateScale = int16Scale(context, state);
  const [featureMultiplier, featureShift] = quantizeMultiplier(
    inputParams.scale * params(context, shape.featureWeights).scale / stateScale,
  );
  const [outputMultiplier, outputShift] = quantizeMultiplier(
    stateScale * params(context, shape.timeWeights).scale / params(context, output).scale,
  );
  const outputZero = params(context, output).zeroPoint;
  const features = context.values(shape.featureWeights, "input 1") as Int8Array;
  const time = context.values(shape.timeWeights, "input 2") as Int16Array;
  const bias = shape.bias ? context.values(context.input(3, "int32"), "input 3") : null;
  const memoryView = context.memory;
  return {
    consumedInputs: [1, 2, 3],
    run() {
      const x = memoryView.view("int8", input.offset, batches * inputSize) as Int8Array;
      const s = memoryView.view("int16", state.offset, elementCount(state.shape)) as Int16Array;
      const y = memoryView.view("int8", output.offset, batches * units);
      shiftState(s);
      for (let batch = 0; batch < batches; batch++) {
        const base = batch * filters * memory;
        for (let filter = 0; filter < filters; filter++) {
          let dot = 0;
          for (let column = 0; column < inputSize; column++) {
            dot += features[filter * inputSize + column] *
              (x[batch * inputSize + column] - inputParams.zeroPoint);
          }
          const scaled = multiplyByQuantizedMultiplier(dot, featureMultiplier, featureShift);
          s[base + filter * memory + memory - 1] = Math.min(32767, Math.max(-32768, scaled));
        }
        for (let unit = 0; unit < units; unit++) {
          let sum = bias ? Number(bias[unit]) : 0;
          for (let filter = unit * rank; filter < (unit + 1) * rank; filter++) {
            let dot = 0;
            for (let slot = 0; slot < memory; slot++) {
              dot += time[filter * memory + slot] * s[base + filter * memory + slot];
            }
            sum = (sum + dot) | 0;
          }
          const scaled = multiplyByQuantizedMultiplier(sum, outputMultiplier, outputShift);
          y[batch * units + unit] = Math.min(127, Math.max(-128, scaled + outputZero));
        }
      }
    },
  };
}
