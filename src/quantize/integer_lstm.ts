/**
 * The full-integer UNIDIRECTIONAL_SEQUENCE_LSTM as TensorFlow 2.21's converter writes it (int8
 * activations; TensorFlow has no 16x8 form of it):
 * - five intermediate tensors on the op, added when the float op has none (TensorFlow's
 *   add_intermediate_tensors): each gate's sum before layer norm (int16 symmetric from its
 *   calibrated range, only for gates with layer norm; float and empty otherwise) and the hidden
 *   state before projection (int8 from its calibrated range);
 * - calibration records them, and the cell state, from the float kernel's hook (the probe gives
 *   the op six more outputs, `lstm_float.ts`);
 * - weights and projection int8 symmetric per tensor; peepholes and layer-norm coefficients int16
 *   symmetric; gate biases int32 at input scale x input weights' scale, or at the layer norm
 *   coefficients' scale x 2^-10 under layer norm; the projection bias at hidden scale x
 *   projection scale (in float32 arithmetic, as TensorFlow quantizes this op's constants);
 * - the output state int8 at the output's parameters, the cell state int16 at a power-of-two
 *   scale, 2^ceil(log2(max |cell|)) / 32768.
 * `auto` calibration also measures the hidden state before projection zero-centred
 * (`zeroCentredLstmHidden`), which TensorFlow Lite's kernel runs right where TensorFlow's choice
 * fails.
 */
import type { Operator, Subgraph } from "../format/ir.ts";
import { LSTM_RECORDED_OUTPUTS } from "../runtime/ops/lstm/lstm_float.ts";
import type { Range } from "./calibrate.ts";
import { addTensor, symmetricQuantization } from "./graph.ts";
import type { IntegerConstants } from "./integer_constants.ts";
import type { IntegerTensors } from "./integer_tensors.ts";

/** The op this module quantizes. */
export const LSTM_OP = "UNIDIRECTIONAL_SEQUENCE_LSTM";

/** The names TensorFlow gives the five intermediates. */
const INTERMEDIATE_NAMES = [
  "input_to_input_intermediate",
  "input_to_forget_intermediate",
  "input_to_cell_intermediate",
  "input_to_output_intermediate",
  "effective_hidden_scale_intermediate",
];
/** Input positions: the state variables. */
const OUTPUT_STATE = 18;
const CELL_STATE = 19;
/** Each gate's peephole input (-1: the cell gate has none). */
const PEEPHOLES = [9, 10, -1, 11];

/** Adds the five intermediates to `operator` (an LSTM) when it has none, as TensorFlow does. */
export function addLstmIntermediates(subgraph: Subgraph, operator: Operator): void {
  if (operator.op !== LSTM_OP || operator.intermediates.length > 0) return;
  operator.intermediates = INTERMEDIATE_NAMES.map((name) => {
    const index = addTensor(subgraph, name, "float32", subgraph.tensors[operator.outputs[0]], null);
    Object.assign(subgraph.tensors[index], { shape: [0], shapeSignature: null });
    return index;
  });
}

/**
 * Gives each LSTM of calibration's probe with its five intermediates the float kernel's
 * recording outputs (the intermediates themselves, then a new tensor for the cell state) and
 * returns the cell state tensor each new tensor stands for.
 */
export function recordLstmIntermediates(probe: Subgraph): Map<number, number> {
  const cellStates = new Map<number, number>();
  for (const operator of probe.operators) {
    if (operator.op !== LSTM_OP || operator.intermediates.length !== LSTM_RECORDED_OUTPUTS - 1) {
      continue;
    }
    const cellState = operator.inputs[CELL_STATE];
    const record = addTensor(
      probe,
      "cell_state/recorded",
      "float32",
      probe.tensors[cellState],
      null,
    );
    operator.outputs = [operator.outputs[0], ...operator.intermediates, record];
    operator.intermediates = [];
    cellStates.set(record, cellState);
  }
  return cellStates;
}

/**
 * `ranges` with the hidden state before projection (intermediate 4) of each LSTM of `subgraph`
 * that has a projection made zero-centred, [-max |h| x 128/127, max |h|]: int8 at zero point 0 and
 * scale max |h| / 127. Null when no LSTM has one. TensorFlow Lite's integer LSTM subtracts that
 * zero point where the affine form adds it (the hidden values before projection are stored as
 * h / scale - zero point, then read as that plus the zero point: TensorFlow pull request 56493,
 * closed unmerged; TensorFlow Lite Micro merged it as its pull request 1211), so at any other
 * zero point `z` only [z - 128, z + 127] x scale is representable, the mirror of the calibrated
 * range: a hidden state that is never negative (`z` = -128) is clamped to -1 step, and every
 * output is the projection's bias. At zero point 0 both forms agree.
 */
export function zeroCentredLstmHidden(
  subgraph: Subgraph,
  ranges: Map<number, Range>,
): Map<number, Range> | null {
  const centred = new Map(ranges);
  let changed = false;
  for (const operator of subgraph.operators) {
    const hidden = operator.intermediates[4];
    const range = ranges.get(hidden);
    if (operator.op !== LSTM_OP || (operator.inputs[16] ?? -1) < 0 || !range) continue;
    const largest = Math.max(Math.abs(range.min), Math.abs(range.max));
    if (largest === 0) continue;
    centred.set(hidden, { min: -largest * 128 / 127, max: largest });
    changed = true;
  }
  return changed ? centred : null;
}

/** The power-of-two int16 scale TensorFlow gives the cell state of largest magnitude `largest`. */
function cellStateScale(largest: number): number {
  return 2 ** Math.ceil(Math.log2(largest)) / 32768;
}

/**
 * The integer inputs of LSTM `operator` (its intermediates and states turned integer in place):
 * see the module comment. `where` names it in errors.
 */
export function integerLstmInputs(
  tensors: IntegerTensors,
  constants: IntegerConstants,
  operator: Operator,
  where: string,
): number[] {
  const inputs = [...operator.inputs];
  const at = (position: number) => operator.inputs[position] ?? -1;
  inputs[0] = tensors.asInteger(at(0));
  const inputScale = tensors.paramsOf(inputs[0])!.scale[0];
  // Weights 1-8 and the projection: int8 symmetric per tensor.
  const weightScales = new Map<number, number>();
  for (const position of [1, 2, 3, 4, 5, 6, 7, 8, 16]) {
    if (at(position) < 0) continue;
    const quantized = constants.weights(at(position), where, null);
    inputs[position] = quantized.index;
    weightScales.set(position, quantized.scale[0]);
  }
  // Peepholes and layer norm coefficients: int16 symmetric.
  const normScales = new Map<number, number>();
  for (const position of [...PEEPHOLES.filter((peephole) => peephole >= 0), 20, 21, 22, 23]) {
    if (at(position) < 0) continue;
    const quantized = constants.symmetricInt16(at(position), where);
    inputs[position] = quantized.index;
    normScales.set(position, quantized.scale);
  }
  for (let gate = 0; gate < 4; gate++) {
    const norm = normScales.get(20 + gate);
    if (at(12 + gate) >= 0) {
      inputs[12 + gate] = norm === undefined
        ? constants.lstmBias(at(12 + gate), where, inputScale, weightScales.get(1 + gate)!)
        : constants.lstmBias(at(12 + gate), where, norm, 2 ** -10);
    }
    const intermediate = operator.intermediates[gate];
    if (norm !== undefined && intermediate !== undefined && tensors.isCalibrated(intermediate)) {
      const range = tensors.range(intermediate);
      const largest = Math.max(Math.abs(range.min), Math.abs(range.max));
      setParams(tensors, intermediate, "int16", [Math.fround(largest > 0 ? largest / 32767 : 1)]);
    }
  }
  const hidden = operator.intermediates[4];
  const hiddenParams = tensors.calibrated(hidden);
  Object.assign(tensors.tensor(hidden), { dtype: "int8", quantization: hiddenParams });
  if (at(17) >= 0) {
    inputs[17] = constants.lstmBias(at(17), where, hiddenParams.scale[0], weightScales.get(16)!);
  }
  Object.assign(tensors.tensor(at(OUTPUT_STATE)), {
    dtype: "int8",
    quantization: tensors.calibrated(operator.outputs[0]),
  });
  const cell = tensors.range(at(CELL_STATE));
  const largest = Math.max(Math.abs(cell.min), Math.abs(cell.max));
  setParams(tensors, at(CELL_STATE), "int16", [largest > 0 ? cellStateScale(largest) : 2 ** -15]);
  return inputs;
}

/** Turns tensor `index` (an intermediate or state) to `dtype`, symmetric at `scale`. */
function setParams(
  tensors: IntegerTensors,
  index: number,
  dtype: "int8" | "int16",
  scale: number[],
): void {
  Object.assign(tensors.tensor(index), { dtype, quantization: symmetricQuantization(scale) });
}
