/**
 * Full-integer UNIDIRECTIONAL_SEQUENCE_LSTM (TFLite's EvalInteger8x8_16, the form TensorFlow
 * Lite Micro's sequence models take): int8 input, output and output state, int16 cell state,
 * int8 weights, bit-exact with TFLite's kernels. Per time step and batch row:
 * - each gate accumulates its input and recurrent products into int16 (zero points and, without
 *   layer norm, the bias folded in), plus peephole products; layer norm brings it to Q3.12 and
 *   adds the bias; then gemmlowp's logistic or, for the cell gate, tanh;
 * - c = f * c >> 15 + i * g >> (30 + cell scale), clipped (i = 1 - f without an input gate);
 * - h = o * tanh(c) (gemmlowp's, of c in its power-of-two scale) requantized to the hidden scale plus its zero point, int8; with projection
 *   weights, the output state is their product with h, clipped; the output copies it.
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { multiplyByQuantizedMultiplier } from "../../quantization/fixed_point.ts";
import {
  accumulateCwiseProduct,
  accumulateGate,
  cwiseMulShift,
  fixedLogistic,
  fixedTanh,
  layerNorm,
} from "./lstm_integer_math.ts";
import {
  GATES,
  type IntegerGate,
  type IntegerLstm,
  integerLstmParameters,
} from "./lstm_integer_parameters.ts";

const INPUT = 0;
const FORGET = 1;
const CELL = 2;
const OUTPUT = 3;

/** UNIDIRECTIONAL_SEQUENCE_LSTM on int8 activations with an int16 cell state. */
export function integerUnidirectionalSequenceLstm(context: OpContext): PreparedOp {
  const input = context.input(0, "int8");
  const output = context.output(0, "int8");
  const outputState = context.input(18, "int8");
  const cellState = context.input(19, "int16");
  if (!outputState.isVariable || !cellState.isVariable) {
    context.unsupported("the output and cell states (inputs 18, 19) must be variable tensors");
  }
  if (input.shape.length !== 3) context.unsupported(`input [${input.shape}] must be 3-D`);
  const timeMajor = Boolean(context.options.timeMajor);
  const [steps, batches, inputSize] = timeMajor
    ? input.shape
    : [input.shape[1], input.shape[0], input.shape[2]];
  const cells = context.input(2, "int8").shape[0];
  const outputSize = context.input(6, "int8").shape[1];
  if (context.input(2).shape[1] !== inputSize) {
    context.unsupported(
      `input weights [${context.input(2).shape}] do not fit input [${input.shape}]`,
    );
  }
  const activation = context.options.fusedActivationFunction ?? "TANH";
  if (activation !== "TANH") {
    context.unsupported(`cell activation ${activation} has no integer form`);
  }
  output.shape = timeMajor ? [steps, batches, outputSize] : [batches, steps, outputSize];
  const lstm = integerLstmParameters(context, input, outputState, cellState, output);
  const memory = context.memory;
  const gateValues = GATES.map(() => new Int16Array(batches * cells));
  const hidden = new Int8Array(batches * cells);
  const tanhOfCell = new Int16Array(batches * cells);
  const x = new Int8Array(batches * inputSize);
  return {
    consumedInputs: [...Array(24).keys()].filter((position) =>
      position > 0 && position < 18 || position > 19
    ),
    run() {
      const source = memory.view("int8", input.offset, steps * batches * inputSize) as Int8Array;
      const target = memory.view("int8", output.offset, steps * batches * outputSize) as Int8Array;
      const h = memory.view("int8", outputState.offset, batches * outputSize) as Int8Array;
      const c = memory.view("int16", cellState.offset, batches * cells) as Int16Array;
      for (let step = 0; step < steps; step++) {
        for (let batch = 0; batch < batches; batch++) {
          const from = timeMajor
            ? (step * batches + batch) * inputSize
            : (batch * steps + step) * inputSize;
          x.set(source.subarray(from, from + inputSize), batch * inputSize);
        }
        integerStep(
          lstm,
          x,
          h,
          c,
          gateValues,
          hidden,
          tanhOfCell,
          batches,
          inputSize,
          cells,
          outputSize,
        );
        for (let batch = 0; batch < batches; batch++) {
          const to = timeMajor
            ? (step * batches + batch) * outputSize
            : (batch * steps + step) * outputSize;
          target.set(h.subarray(batch * outputSize, (batch + 1) * outputSize), to);
        }
      }
    },
  };
}

/** One gate's products and activation into `values` (TFLite's CalculateLstmGateInteger8x8_16). */
function computeGate(
  gate: IntegerGate,
  x: Int8Array,
  h: Int8Array,
  c: Int16Array,
  values: Int16Array,
  tanh: boolean,
  batches: number,
  inputSize: number,
  cells: number,
  outputSize: number,
) {
  values.fill(0);
  const { input, recurrent, peephole } = gate;
  accumulateGate(
    x,
    input.bias,
    input.values,
    input.multiplier,
    input.shift,
    batches,
    inputSize,
    cells,
    0,
    values,
  );
  accumulateGate(
    h,
    recurrent.bias,
    recurrent.values,
    recurrent.multiplier,
    recurrent.shift,
    batches,
    outputSize,
    cells,
    0,
    values,
  );
  // TFLite walks the peephole weights over n_output entries per batch row.
  if (peephole) {
    accumulateCwiseProduct(
      peephole.values,
      outputSize,
      c,
      batches,
      peephole.multiplier,
      peephole.shift,
      values,
    );
  }
  if (gate.norm) layerNorm(values, gate.norm, batches, cells);
  for (let index = 0; index < values.length; index++) {
    values[index] = tanh ? fixedTanh(values[index], 3) : fixedLogistic(values[index], 3);
  }
}

/** One time step for every batch row: updates `h` and `c` in place. */
function integerStep(
  lstm: IntegerLstm,
  x: Int8Array,
  h: Int8Array,
  c: Int16Array,
  gates: Int16Array[],
  hidden: Int8Array,
  tanhOfCell: Int16Array,
  batches: number,
  inputSize: number,
  cells: number,
  outputSize: number,
) {
  const sizes = [batches, inputSize, cells, outputSize] as const;
  computeGate(lstm.gates[FORGET]!, x, h, c, gates[FORGET], false, ...sizes);
  computeGate(lstm.gates[CELL]!, x, h, c, gates[CELL], true, ...sizes);
  const inputGate = lstm.gates[INPUT];
  if (inputGate) computeGate(inputGate, x, h, c, gates[INPUT], false, ...sizes);
  const forget = gates[FORGET];
  const cellGate = gates[CELL];
  for (let index = 0; index < c.length; index++) {
    const kept = cwiseMulShift(forget[index], c[index], 15);
    const admitted = inputGate ? gates[INPUT][index] : ((32767 - forget[index]) << 16) >> 16;
    const added = cwiseMulShift(admitted, cellGate[index], 30 + lstm.cellScale);
    let next = Math.min(32767, Math.max(-32768, kept + added));
    if (lstm.cellClip > 0) next = Math.min(lstm.cellClip, Math.max(-lstm.cellClip, next));
    c[index] = next;
  }
  computeGate(lstm.gates[OUTPUT]!, x, h, c, gates[OUTPUT], false, ...sizes);
  const outputGate = gates[OUTPUT];
  for (let index = 0; index < c.length; index++) {
    tanhOfCell[index] = fixedTanh(c[index], 15 + lstm.cellScale);
    const product = multiplyByQuantizedMultiplier(
      outputGate[index] * tanhOfCell[index],
      lstm.hiddenMultiplier,
      lstm.hiddenShift,
    );
    hidden[index] = Math.min(127, Math.max(-128, product + lstm.hiddenZero));
  }
  if (lstm.projection) {
    const { values, bias, multiplier, shift } = lstm.projection;
    h.fill(0);
    accumulateGate(
      hidden,
      bias,
      values,
      multiplier,
      shift,
      batches,
      cells,
      outputSize,
      lstm.outputZero,
      h,
    );
    if (lstm.projectionClip > 0) {
      for (let index = 0; index < h.length; index++) {
        h[index] = Math.min(lstm.projectionClip, Math.max(-lstm.projectionClip, h[index]));
      }
    }
  } else {
    h.set(hidden.subarray(0, h.length));
  }
}
