/**
 * What the full-integer UNIDIRECTIONAL_SEQUENCE_LSTM prepares (TFLite's
 * PopulateQuantizedLstmParams8x8_16 and PopulatePrecomputedZPTimesWeightsWithBias): each gate's
 * weights with their effective scales (to Q3.12, or to the layer norm input's scale; float32
 * products, as TFLite computes them, then QuantizeMultiplier), zero points folded into the
 * biases (the hidden one, which TFLite's hidden state carries negated, into the projection's),
 * layer norm coefficients, the power-of-two cell scale, the hidden state's scale and zero point
 * from intermediate 4, clips in integers. Layer norm without an input gate whose intermediate 0
 * has no quantization (as TensorFlow's quantizer writes it) is refused: TFLite's prepare requires
 * it, stops there unchecked and runs with zero multipliers, every output 0.
 */
import type { OpContext } from "../../op.ts";
import { quantizeMultiplier } from "../../quantization/fixed_point.ts";
import { params } from "../../quantization/parameters.ts";
import type { RuntimeTensor } from "../../tensor.ts";
import type { LayerNorm } from "./lstm_integer_math.ts";

const f = Math.fround;

/** The four gates, in the order of their inputs (weights at 1 + g and 5 + g, bias at 12 + g). */
export const GATES = ["input", "forget", "cell", "output"] as const;

/** A weight matrix with the multiplier and shift that bring its products to the gate's scale. */
export interface ScaledWeights {
  values: Int8Array;
  multiplier: number;
  shift: number;
  /** The bias with the zero point times each row's sum folded in. */
  bias: Int32Array;
}

/** One gate of the integer LSTM. */
export interface IntegerGate {
  input: ScaledWeights;
  recurrent: ScaledWeights;
  peephole: { values: Int16Array; multiplier: number; shift: number } | null;
  norm: LayerNorm | null;
}

/** Everything a step of the integer LSTM needs besides its tensors. */
export interface IntegerLstm {
  gates: (IntegerGate | null)[];
  cellScale: number;
  hiddenMultiplier: number;
  hiddenShift: number;
  hiddenZero: number;
  projection: ScaledWeights | null;
  outputZero: number;
  cellClip: number;
  projectionClip: number;
}

/** The exponent of a power-of-two scale, or null. */
function exactLog2(value: number): number | null {
  const exponent = Math.round(Math.log2(value));
  return 2 ** exponent === value ? exponent : null;
}

/** bias (or 0) + zeroPoint x the sum of each row of `weights`. */
function foldZeroPoint(
  weights: Int8Array,
  rows: number,
  bias: ArrayLike<number> | null,
  zero: number,
) {
  const columns = weights.length / rows;
  return Int32Array.from({ length: rows }, (_, row) => {
    let sum = 0;
    for (let column = 0; column < columns; column++) sum += weights[row * columns + column];
    return ((bias ? Number(bias[row]) : 0) + sum * zero) | 0;
  });
}

/** The full-integer LSTM's parameters from its tensors, intermediates and options. */
export function integerLstmParameters(
  context: OpContext,
  input: RuntimeTensor,
  outputState: RuntimeTensor,
  cellState: RuntimeTensor,
  output: RuntimeTensor,
): IntegerLstm {
  const intermediates = context.intermediates;
  if (intermediates.length !== 5) {
    context.unsupported(
      "the integer LSTM needs its 5 intermediate tensors (gate and hidden scales)",
    );
  }
  const intermediateScale = (index: number, role: string) => {
    const quantization = intermediates[index]?.quantization;
    if (!quantization || quantization.scale.length === 0) {
      context.unsupported(`intermediate ${index} (${role}) has no quantization`);
    }
    return { scale: quantization.scale[0], zeroPoint: quantization.zeroPoint[0] ?? 0 };
  };
  const layerNorm = context.optionalInput(21) !== null;
  if (layerNorm && !context.optionalInput(1) && !intermediates[0]?.quantization?.scale.length) {
    context.unsupported(
      "a layer-normalized integer LSTM without an input gate needs a quantized intermediate 0: " +
        "TensorFlow Lite's prepare requires one, unused as it is, and without it runs with zero " +
        "multipliers (every output 0), so liteq has no TensorFlow answer to give",
    );
  }
  const inputParams = params(context, input);
  const stateParams = params(context, outputState);
  const cellScale = exactLog2(params(context, cellState).scale);
  if (cellScale === null || cellScale > -9) {
    context.unsupported("the cell state's scale must be a power of two of at most 2^-9");
  }
  const hidden = intermediateScale(4, "hidden state");
  const scaleOf = (tensor: RuntimeTensor) => params(context, tensor).scale;
  const multiplierOf = (real: number) => {
    const [multiplier, shift] = quantizeMultiplier(real);
    return { multiplier, shift };
  };
  const weights = (position: number, zero: number, bias: RuntimeTensor | null, to: number) => {
    const tensor = context.input(position, "int8");
    const values = context.values(tensor, `input ${position}`) as Int8Array;
    const biasValues = bias ? context.values(bias, "bias") : null;
    return {
      values,
      ...multiplierOf(
        f(f(scaleOf(tensor) * (position < 5 ? inputParams.scale : stateParams.scale)) / to),
      ),
      bias: foldZeroPoint(values, tensor.shape[0], biasValues as ArrayLike<number> | null, zero),
    };
  };
  const gates = GATES.map((name, g): IntegerGate | null => {
    if (!context.optionalInput(1 + g)) {
      if (name !== "input") context.unsupported(`the ${name} gate's input weights are missing`);
      return null;
    }
    // Gate products go to the layer norm input's scale (intermediate g), or to Q3.12.
    const gateScale = layerNorm ? intermediateScale(g, `${name} gate`).scale : 2 ** -12;
    const bias = layerNorm ? null : context.input(12 + g, "int32");
    const normTensor = layerNorm ? context.input(20 + g, "int16") : null;
    const normScale = normTensor ? scaleOf(normTensor) : 1;
    const peepholePosition = name === "input"
      ? 9
      : name === "forget"
      ? 10
      : name === "output"
      ? 11
      : -1;
    const peepholeTensor = peepholePosition < 0
      ? null
      : context.optionalInput(peepholePosition, "int16");
    return {
      norm: normTensor && {
        weights: context.values(normTensor, "layer norm coefficients") as Int16Array,
        bias: Int32Array.from(context.values(context.input(12 + g, "int32"), "bias") as Int32Array),
        ...multiplierOf(normScale),
        varianceGuard: Math.max(1, Math.trunc(f(10000 * normScale))),
      },
      input: weights(1 + g, -inputParams.zeroPoint, bias, gateScale),
      recurrent: weights(5 + g, -stateParams.zeroPoint, null, gateScale),
      peephole: peepholeTensor && {
        values: context.values(peepholeTensor, "peephole weights") as Int16Array,
        ...multiplierOf(f(2 ** cellScale * scaleOf(peepholeTensor) / gateScale)),
      },
    };
  });
  const hiddenScale = multiplierOf(f(2 ** -15 / hidden.scale * 2 ** -15));
  const projectionTensor = context.optionalInput(16, "int8");
  const projection = projectionTensor
    ? (() => {
      const values = context.values(projectionTensor, "projection weights") as Int8Array;
      const bias = context.optionalInput(17, "int32");
      return {
        values,
        ...multiplierOf(f(f(scaleOf(projectionTensor) * hidden.scale) / stateParams.scale)),
        bias: foldZeroPoint(
          values,
          projectionTensor.shape[0],
          bias ? (context.values(bias, "projection bias") as Int32Array) : null,
          hidden.zeroPoint,
        ),
      };
    })()
    : null;
  const cellClip = Number(context.options.cellClip ?? 0);
  const projectionClip = Number(context.options.projClip ?? 0);
  return {
    gates,
    cellScale,
    hiddenMultiplier: hiddenScale.multiplier,
    hiddenShift: hiddenScale.shift,
    // TFLite subtracts intermediate 4's zero point from the hidden state before the projection
    // (and folds it back into the projection's bias): the hidden values clamp to int8 there.
    // Without projection the hidden state is the output state, at its zero point.
    hiddenZero: projection ? -hidden.zeroPoint : hidden.zeroPoint,
    projection,
    outputZero: stateParams.zeroPoint,
    cellClip: cellClip > 0
      ? Math.trunc(Math.min(Math.max(f(cellClip / scaleOf(cellState)), -32768), 32767))
      : 0,
    projectionClip: projectionClip > 0
      ? Math.trunc(Math.min(Math.max(f(projectionClip / scaleOf(output)), -128), 127))
      : 0,
  };
}
