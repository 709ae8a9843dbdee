/**
 * Hybrid (dynamic-range) UNIDIRECTIONAL_SEQUENCE_LSTM: float32 activations and states, int8
 * weights with one scale each, as TensorFlow Lite's LstmStepHybrid computes a step, in float32:
 * - each gate starts from its bias (zero with layer norm); the input x and the output state h
 *   are quantized per batch row on the fly (`rowQuantization`; skipped, contributing nothing,
 *   when all of x or all of h is zero) and each adds dot(q - zeroPoint, w) x (row scale x weight
 *   scale); peephole weights are dequantized and add w_c * c;
 * - layer norm: (g - mean) / sqrt(variance + 1e-8) times the coefficients, plus the bias;
 * - i, f, o through the logistic 1 / (1 + exp(-x)), g through the cell activation;
 *   c = f * c + g * i (g * (1 - f) without an input gate), clipped; h = o * act(c);
 * - with projection weights, h is quantized again and h' = bias + W_proj h, clipped.
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { quantizeOnTheFly, rowQuantization } from "../common/hybrid_layer.ts";
import { LSTM_CONSTANT_INPUTS, lstmShape } from "./lstm_common.ts";

const f = Math.fround;

/** int8 weights [rows][columns] with their single scale and each row's sum. */
interface QuantizedMatrix {
  values: Int8Array;
  scale: number;
  rowSums: Int32Array;
  columns: number;
}

/** One gate: its input and recurrent weights, peephole, bias and layer-norm coefficients. */
interface HybridGate {
  input: QuantizedMatrix;
  recurrent: QuantizedMatrix;
  peephole: Float32Array | null;
  bias: Float32Array | null;
  norm: Float32Array | null;
}

/** Rows of floats quantized for a product: values, each row's scale and zero point. */
interface QuantizedRows {
  values: Int8Array;
  scales: Float32Array;
  zeroPoints: Int32Array;
}

/** Whether every value is zero (TFLite then skips the product). */
function allZero(values: Float32Array): boolean {
  return values.every((value) => value === 0);
}

/** Quantizes `rows` rows of `columns` floats as TFLite's BatchQuantizeFloats. */
function quantizeRows(
  values: Float32Array,
  rows: number,
  columns: number,
  asymmetric: boolean,
): QuantizedRows {
  const quantized = new Int8Array(rows * columns);
  const scales = new Float32Array(rows);
  const zeroPoints = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    let low = 0;
    let high = 0;
    for (let column = 0; column < columns; column++) {
      const value = values[row * columns + column];
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
    const parameters = rowQuantization(low, high, asymmetric);
    scales[row] = parameters.scale;
    zeroPoints[row] = parameters.zeroPoint;
    for (let column = 0; column < columns; column++) {
      const at = row * columns + column;
      quantized[at] = quantizeOnTheFly(values[at], parameters, asymmetric);
    }
  }
  return { values: quantized, scales, zeroPoints };
}

/**
 * target[row][unit] += dot(q[row] - zeroPoint[row], W[unit]) x f32(rowScale x weight scale),
 * each step in float32 (TFLite's MatrixBatchVectorMultiplyAccumulate).
 */
function accumulateProduct(
  matrix: QuantizedMatrix,
  rows: QuantizedRows,
  batches: number,
  units: number,
  target: Float32Array,
): void {
  const { values, scale, rowSums, columns } = matrix;
  for (let batch = 0; batch < batches; batch++) {
    const factor = f(rows.scales[batch] * scale);
    for (let unit = 0; unit < units; unit++) {
      let dot = 0;
      for (let column = 0; column < columns; column++) {
        dot += values[unit * columns + column] * rows.values[batch * columns + column];
      }
      dot -= rowSums[unit] * rows.zeroPoints[batch];
      target[batch * units + unit] = f(target[batch * units + unit] + f(dot * factor));
    }
  }
}

/** UNIDIRECTIONAL_SEQUENCE_LSTM with int8 weights (see the module comment). */
export function hybridUnidirectionalSequenceLstm(context: OpContext): PreparedOp {
  const shape = lstmShape(context, "int8");
  const { input, output, outputState, cellState, timeMajor, steps, batches } = shape;
  const { inputSize, cells, outputSize, activation, cellClip, projectionClip } = shape;
  const asymmetric = Boolean(context.options.asymmetricQuantizeInputs);
  const matrix = (position: number, role: string): QuantizedMatrix | null => {
    const tensor = context.optionalInput(position, "int8");
    if (!tensor) return null;
    const scale = tensor.quantization?.scale;
    if (!scale || scale.length !== 1) {
      context.unsupported(`${role} "${tensor.name}" needs one scale`);
    }
    const values = context.values(tensor, role) as Int8Array;
    const [rows, columns] = tensor.shape.length === 1 ? [tensor.shape[0], 1] : tensor.shape;
    const rowSums = Int32Array.from({ length: rows }, (_, row) => {
      let sum = 0;
      for (let column = 0; column < columns; column++) sum += values[row * columns + column];
      return sum;
    });
    return { values, scale: scale[0], rowSums, columns };
  };
  const required = (position: number, role: string): QuantizedMatrix =>
    matrix(position, role) ?? context.unsupported(`${role} (input ${position}) is missing`);
  const floats = (position: number, role: string): Float32Array | null => {
    const tensor = context.optionalInput(position, "float32");
    return tensor ? (context.values(tensor, role) as Float32Array) : null;
  };
  const gate = (offset: number, name: string, optional: boolean): HybridGate | null => {
    const inputWeights = optional
      ? matrix(1 + offset, `${name} input weights`)
      : required(1 + offset, `${name} input weights`);
    if (!inputWeights) return null;
    const peephole = offset === 2
      ? null
      : matrix(9 + (offset === 3 ? 2 : offset), `${name} peephole`);
    return {
      input: inputWeights,
      recurrent: required(5 + offset, `${name} recurrent weights`),
      // TFLite's VectorScalarMultiply: each int8 peephole weight times its scale, in float32.
      peephole: peephole
        ? Float32Array.from(peephole.values, (value) => f(value * peephole.scale))
        : null,
      bias: floats(12 + offset, `${name} bias`),
      norm: floats(20 + offset, `${name} layer norm`),
    };
  };
  const inputGate = gate(0, "input gate", true);
  const forgetGate = gate(1, "forget gate", false)!;
  const cellGate = gate(2, "cell gate", false)!;
  const outputGate = gate(3, "output gate", false)!;
  const projection = matrix(16, "projection weights");
  const projectionBias = floats(17, "projection bias");
  const memory = context.memory;
  const sigmoid = (x: number) => f(1 / f(1 + f(Math.exp(-x))));
  const gates = [inputGate, forgetGate, cellGate, outputGate];
  const buffers = gates.map(() => new Float32Array(batches * cells));
  const xStep = new Float32Array(batches * inputSize);
  const hidden = new Float32Array(batches * cells);

  /** One gate's pre-activation for every batch row, then its activation, into `target`. */
  const computeGate = (
    g: HybridGate,
    x: QuantizedRows | null,
    h: QuantizedRows | null,
    c: Float32Array,
    target: Float32Array,
    act: (value: number) => number,
  ) => {
    for (let batch = 0; batch < batches; batch++) {
      for (let cell = 0; cell < cells; cell++) {
        target[batch * cells + cell] = g.norm || !g.bias ? 0 : g.bias[cell];
      }
    }
    if (x) accumulateProduct(g.input, x, batches, cells, target);
    if (h) accumulateProduct(g.recurrent, h, batches, cells, target);
    if (g.peephole) {
      for (let index = 0; index < batches * cells; index++) {
        target[index] = f(target[index] + f(g.peephole[index % cells] * c[index]));
      }
    }
    if (g.norm) {
      for (let batch = 0; batch < batches; batch++) {
        const row = target.subarray(batch * cells, (batch + 1) * cells);
        let sum = 0;
        for (const value of row) sum = f(sum + value);
        const mean = f(sum / cells);
        let squares = 0;
        for (const value of row) {
          const difference = f(value - mean);
          squares = f(squares + f(difference * difference));
        }
        const inverse = f(1 / f(Math.sqrt(f(f(squares / cells) + f(1e-8)))));
        for (let cell = 0; cell < cells; cell++) {
          const normalised = f(f(row[cell] - mean) * inverse);
          row[cell] = f(f(normalised * g.norm[cell]) + (g.bias ? g.bias[cell] : 0));
        }
      }
    }
    for (let index = 0; index < target.length; index++) target[index] = f(act(target[index]));
  };

  return {
    consumedInputs: LSTM_CONSTANT_INPUTS,
    run() {
      const xAll = memory.f32(input.offset, elementCount(input.shape));
      const y = memory.f32(output.offset, elementCount(output.shape));
      const h = memory.f32(outputState.offset, batches * outputSize);
      const c = memory.f32(cellState.offset, batches * cells);
      const [gi, gf, gg, go] = buffers;
      for (let step = 0; step < steps; step++) {
        for (let batch = 0; batch < batches; batch++) {
          const row = timeMajor ? step * batches + batch : batch * steps + step;
          xStep.set(xAll.subarray(row * inputSize, (row + 1) * inputSize), batch * inputSize);
        }
        const x = allZero(xStep) ? null : quantizeRows(xStep, batches, inputSize, asymmetric);
        const hq = allZero(h) ? null : quantizeRows(h, batches, outputSize, asymmetric);
        if (inputGate) computeGate(inputGate, x, hq, c, gi, sigmoid);
        computeGate(forgetGate, x, hq, c, gf, sigmoid);
        computeGate(cellGate, x, hq, c, gg, (value) => activation(value));
        for (let index = 0; index < batches * cells; index++) {
          const inputValue = inputGate ? gi[index] : f(1 - gf[index]);
          let value = f(f(gf[index] * c[index]) + f(gg[index] * inputValue));
          if (cellClip > 0) value = Math.min(cellClip, Math.max(-cellClip, value));
          c[index] = value;
        }
        computeGate(outputGate, x, hq, c, go, sigmoid);
        for (let index = 0; index < batches * cells; index++) {
          hidden[index] = f(go[index] * f(activation(c[index])));
        }
        if (projection) {
          for (let index = 0; index < batches * outputSize; index++) {
            h[index] = projectionBias ? projectionBias[index % outputSize] : 0;
          }
          if (!allZero(hidden)) {
            const rows = quantizeRows(hidden, batches, cells, asymmetric);
            accumulateProduct(projection, rows, batches, outputSize, h);
          }
          if (projectionClip > 0) {
            for (let index = 0; index < h.length; index++) {
              h[index] = Math.min(projectionClip, Math.max(-projectionClip, h[index]));
            }
          }
        } else {
          h.set(hidden);
        }
        for (let batch = 0; batch < batches; batch++) {
          const row = timeMajor ? step * batches + batch : batch * steps + step;
          y.set(h.subarray(batch * outputSize, (batch + 1) * outputSize), row * outputSize);
        }
      }
    },
  };
}
