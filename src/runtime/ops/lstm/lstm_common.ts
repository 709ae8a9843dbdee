/**
 * What the float32 and hybrid UNIDIRECTIONAL_SEQUENCE_LSTM kernels share: the check of the op's
 * tensors and options, the cell activations, and the inputs copied at load.
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext } from "../../op.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** The logistic function in double precision, as the float kernel's gates apply it. */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** The cell activations the LSTM options name. */
const ACTIVATIONS: Record<string, (x: number) => number> = {
  NONE: (x) => x,
  RELU: (x) => Math.max(0, x),
  RELU_N1_TO_1: (x) => Math.min(1, Math.max(-1, x)),
  RELU6: (x) => Math.min(6, Math.max(0, x)),
  TANH: Math.tanh,
  SIGN_BIT: sigmoid,
};

/** What both LSTM kernels check and derive from the op's tensors and options. */
export interface LstmShape {
  input: RuntimeTensor;
  output: RuntimeTensor;
  outputState: RuntimeTensor;
  cellState: RuntimeTensor;
  timeMajor: boolean;
  steps: number;
  batches: number;
  inputSize: number;
  cells: number;
  outputSize: number;
  activation: (x: number) => number;
  cellClip: number;
  projectionClip: number;
}

/**
 * Checks an UNIDIRECTIONAL_SEQUENCE_LSTM's input, weights (of `weightType`) and variable states
 * and sets the output's shape.
 */
export function lstmShape(context: OpContext, weightType: "float32" | "int8"): LstmShape {
  const input = context.input(0, "float32");
  const output = context.output(0, "float32");
  const options = context.options;
  if (input.shape.length !== 3) context.unsupported(`input [${input.shape}] must be 3-D`);
  const timeMajor = Boolean(options.timeMajor);
  const [steps, batches, inputSize] = timeMajor
    ? input.shape
    : [input.shape[1], input.shape[0], input.shape[2]];
  const forgetWeights = context.input(2, weightType);
  const cells = forgetWeights.shape[0];
  const outputState = context.input(18, "float32");
  const cellState = context.input(19, "float32");
  if (!outputState.isVariable || !cellState.isVariable) {
    context.unsupported("the output and cell states (inputs 18, 19) must be variable tensors");
  }
  const outputSize = outputState.shape[outputState.shape.length - 1];
  if (elementCount(cellState.shape) !== batches * cells || forgetWeights.shape[1] !== inputSize) {
    context.unsupported(
      `state [${cellState.shape}] or weights [${forgetWeights.shape}] do not fit`,
    );
  }
  const activationName = String(options.fusedActivationFunction ?? "TANH");
  const activation = ACTIVATIONS[activationName] ??
    context.unsupported(`activation ${activationName} is not supported`);
  output.shape = timeMajor ? [steps, batches, outputSize] : [batches, steps, outputSize];
  return {
    input,
    output,
    outputState,
    cellState,
    timeMajor,
    steps,
    batches,
    inputSize,
    cells,
    outputSize,
    activation,
    cellClip: Number(options.cellClip ?? 0),
    projectionClip: Number(options.projClip ?? 0),
  };
}

/** The LSTM inputs a kernel copies at load: weights, biases, layer norms (not 0, 18, 19). */
export const LSTM_CONSTANT_INPUTS = [...Array(24).keys()].filter((position) =>
  position > 0 && position < 18 || position > 19
);
