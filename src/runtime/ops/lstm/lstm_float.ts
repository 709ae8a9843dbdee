/**
 * Float32 UNIDIRECTIONAL_SEQUENCE_LSTM, as TFLite's float kernel computes it. Per time step and
 * batch row, each gate is W_x x + W_h h_prev (+ peephole w_c * c for the input and forget gates
 * on the previous cell, the output gate on the new one), layer-normalised when coefficients are
 * given (mean and variance over the cell, epsilon 1e-8, then times the coefficients), plus its
 * bias; i, f, o pass through the logistic, the cell gate through the op's activation:
 *   c = f * c_prev + i * g (clipped to +-cell_clip when > 0),  h = o * act(c),
 * then h = W_proj h + b_proj (clipped to +-proj_clip when > 0). Without input-gate weights the
 * input gate is 1 - f (CIFG). The output and cell states are variable tensors kept across
 * invokes.
 *
 * Calibration's hook: an op given six more outputs (liteq's calibration probe adds them; no
 * file has them) writes there, one row of cells per step and batch, what TensorFlow's
 * calibrator records of an LSTM: each gate's sum before layer norm and bias (input, forget,
 * cell, output; the input gate's left zero under CIFG), the hidden state before projection and
 * the cell state as the invoke leaves it (one row per batch: what TensorFlow's calibrator sees of
 * the state variable).
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { LSTM_CONSTANT_INPUTS, lstmShape, sigmoid } from "./lstm_common.ts";

/** How many outputs the calibration hook adds (see the module comment). */
export const LSTM_RECORDED_OUTPUTS = 6;

/** One gate's parameters: input and recurrent weights, peephole, bias, layer-norm coefficients. */
interface Gate {
  input: Float32Array;
  recurrent: Float32Array;
  peephole: Float32Array | null;
  bias: Float32Array | null;
  norm: Float32Array | null;
}

/** UNIDIRECTIONAL_SEQUENCE_LSTM on float32 (see the module comment). */
export function floatUnidirectionalSequenceLstm(context: OpContext): PreparedOp {
  const shape = lstmShape(context, "float32");
  const { input, output, outputState, cellState, timeMajor, steps, batches } = shape;
  const { inputSize, cells, outputSize, activation, cellClip, projectionClip } = shape;
  const constant = (position: number, role: string): Float32Array | null => {
    const tensor = context.optionalInput(position, "float32");
    return tensor ? (context.values(tensor, role) as Float32Array) : null;
  };
  const required = (position: number, role: string): Float32Array =>
    constant(position, role) ?? context.unsupported(`${role} (input ${position}) is missing`);
  const gate = (offset: number, name: string, optional: boolean): Gate | null => {
    const inputWeights = optional
      ? constant(1 + offset, `${name} input weights`)
      : required(1 + offset, `${name} input weights`);
    if (!inputWeights) return null;
    return {
      input: inputWeights,
      recurrent: required(5 + offset, `${name} recurrent weights`),
      peephole: offset === 2 ? null : constant(9 + (offset === 3 ? 2 : offset), `${name} peephole`),
      bias: constant(12 + offset, `${name} bias`),
      norm: constant(20 + offset, `${name} layer norm`),
    };
  };
  const inputGate = gate(0, "input gate", true);
  const forgetGate = gate(1, "forget gate", false)!;
  const cellGate = gate(2, "cell gate", false)!;
  const outputGate = gate(3, "output gate", false)!;
  const projection = constant(16, "projection weights");
  const projectionBias = constant(17, "projection bias");

  const memory = context.memory;
  const pre = [0, 1, 2, 3].map(() => new Float64Array(cells));
  const hidden = new Float64Array(cells);
  const recorded = context.outputs.length === 1 ? [] : [...Array(LSTM_RECORDED_OUTPUTS).keys()]
    .map((position) => context.output(1 + position, "float32"));
  if (context.outputs.length !== 1 + recorded.length) {
    context.unsupported(`${context.outputs.length} outputs: the op has one`);
  }
  recorded.forEach((tensor, position) => {
    tensor.shape = [position === LSTM_RECORDED_OUTPUTS - 1 ? batches : steps * batches, cells];
  });
  /** Copies `values` into recorded output `position`, at `row`. */
  const record = (position: number, row: number, values: ArrayLike<number>) => {
    if (recorded.length === 0) return;
    const tensor = recorded[position];
    const target = memory.f32(tensor.offset, elementCount(tensor.shape));
    for (let cell = 0; cell < cells; cell++) target[row * cells + cell] = values[cell];
  };

  /** gate pre-activation for one batch row into `target`. */
  const accumulate = (
    g: Gate,
    x: Float32Array,
    xOffset: number,
    h: Float32Array,
    hOffset: number,
    target: Float64Array,
  ) => {
    for (let cell = 0; cell < cells; cell++) {
      let sum = 0;
      for (let i = 0; i < inputSize; i++) sum += g.input[cell * inputSize + i] * x[xOffset + i];
      for (let i = 0; i < outputSize; i++) {
        sum += g.recurrent[cell * outputSize + i] * h[hOffset + i];
      }
      target[cell] = sum;
    }
  };
  const finish = (g: Gate, target: Float64Array) => {
    if (g.norm) {
      let mean = 0;
      let square = 0;
      for (const value of target) {
        mean += value;
        square += value * value;
      }
      mean /= cells;
      const inverse = 1 / Math.sqrt(square / cells - mean * mean + 1e-8);
      for (let cell = 0; cell < cells; cell++) {
        target[cell] = (target[cell] - mean) * inverse * g.norm[cell];
      }
    }
    if (g.bias) { for (let cell = 0; cell < cells; cell++) target[cell] += g.bias[cell]; }
  };
  const clip = (
    value: number,
    limit: number,
  ) => (limit > 0 ? Math.min(limit, Math.max(-limit, value)) : value);

  return {
    consumedInputs: LSTM_CONSTANT_INPUTS,
    run() {
      const x = memory.f32(input.offset, elementCount(input.shape));
      const y = memory.f32(output.offset, elementCount(output.shape));
      const h = memory.f32(outputState.offset, batches * outputSize);
      const c = memory.f32(cellState.offset, batches * cells);
      const [gi, gf, gg, go] = pre;
      for (let step = 0; step < steps; step++) {
        for (let batch = 0; batch < batches; batch++) {
          const row = timeMajor ? step * batches + batch : batch * steps + step;
          const hOffset = batch * outputSize;
          const cOffset = batch * cells;
          if (inputGate) accumulate(inputGate, x, row * inputSize, h, hOffset, gi);
          accumulate(forgetGate, x, row * inputSize, h, hOffset, gf);
          accumulate(cellGate, x, row * inputSize, h, hOffset, gg);
          accumulate(outputGate, x, row * inputSize, h, hOffset, go);
          for (let cell = 0; cell < cells; cell++) {
            if (inputGate?.peephole) gi[cell] += inputGate.peephole[cell] * c[cOffset + cell];
            if (forgetGate.peephole) gf[cell] += forgetGate.peephole[cell] * c[cOffset + cell];
          }
          const recordRow = step * batches + batch;
          [gi, gf, gg].forEach((sums, position) => record(position, recordRow, sums));
          if (inputGate) finish(inputGate, gi);
          finish(forgetGate, gf);
          finish(cellGate, gg);
          for (let cell = 0; cell < cells; cell++) {
            const forget = sigmoid(gf[cell]);
            const inputGateValue = inputGate ? sigmoid(gi[cell]) : 1 - forget;
            c[cOffset + cell] = clip(
              forget * c[cOffset + cell] + inputGateValue * activation(gg[cell]),
              cellClip,
            );
          }
          if (outputGate.peephole) {
            for (let cell = 0; cell < cells; cell++) {
              go[cell] += outputGate.peephole[cell] * c[cOffset + cell];
            }
          }
          record(3, recordRow, go);
          finish(outputGate, go);
          for (let cell = 0; cell < cells; cell++) {
            hidden[cell] = sigmoid(go[cell]) * activation(c[cOffset + cell]);
          }
          record(4, recordRow, hidden);
          for (let unit = 0; unit < outputSize; unit++) {
            let value = hidden[unit];
            if (projection) {
              value = projectionBias ? projectionBias[unit] : 0;
              for (let cell = 0; cell < cells; cell++) {
                value += projection[unit * cells + cell] * hidden[cell];
              }
              value = clip(value, projectionClip);
            }
            h[hOffset + unit] = value;
            y[row * outputSize + unit] = value;
          }
        }
      }
      for (let batch = 0; batch < batches; batch++) {
        record(LSTM_RECORDED_OUTPUTS - 1, batch, c.subarray(batch * cells, (batch + 1) * cells));
      }
    },
  };
}
