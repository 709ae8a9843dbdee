/**
 * The operand checks TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM makes at prepare
 * (CheckInputTensorDimensions), before any path (float32, hybrid, integer) reads a constant:
 * every weight, peephole, bias, projection and layer-norm weight against the input's size, the
 * cells (the forget gate's input weights' rows) and the output size (the recurrent weights'
 * columns), and the variable states against the batches.
 */
import type { OpContext } from "../../op.ts";

/** The gates in the order of their inputs: input weights 1-4, recurrent 5-8, bias 12-15, ... */
const GATES = ["input gate", "forget gate", "cell gate", "output gate"];
/** Each gate's peephole weights input (-1: the cell gate has none). */
const PEEPHOLES = [9, 10, -1, 11];

/** Checks the shapes of an UNIDIRECTIONAL_SEQUENCE_LSTM's operands against each other. */
export function checkLstmOperands(context: OpContext): void {
  const input = context.input(0);
  context.expectRank(input, "input", 3);
  const inputSize = input.shape[2];
  const batches = context.options.timeMajor ? input.shape[1] : input.shape[0];
  const forgetWeights = context.input(2);
  context.expectRank(forgetWeights, "forget gate input weights", 2);
  const cells = forgetWeights.shape[0];
  const outputWeights = context.input(8);
  context.expectRank(outputWeights, "output gate recurrent weights", 2);
  const outputSize = outputWeights.shape[1];
  const expect = (position: number, role: string, shape: number[]) => {
    const tensor = context.optionalInput(position);
    if (tensor) context.expectShape(tensor, role, shape);
  };
  GATES.forEach((gate, g) => {
    expect(1 + g, `${gate} input weights`, [cells, inputSize]);
    expect(5 + g, `${gate} recurrent weights`, [cells, outputSize]);
    if (PEEPHOLES[g] >= 0) expect(PEEPHOLES[g], `${gate} peephole weights`, [cells]);
    expect(12 + g, `${gate} bias`, [cells]);
    expect(20 + g, `${gate} layer norm weights`, [cells]);
  });
  if (!context.optionalInput(1) !== !context.optionalInput(5)) {
    context.unsupported("the input gate has input weights or recurrent weights, not both");
  }
  const projection = context.optionalInput(16);
  if (projection) {
    context.expectShape(projection, "projection weights", [outputSize, cells]);
  } else if (outputSize !== cells) {
    context.unsupported(
      `${
        context.describe(outputWeights, "output gate recurrent weights")
      } has shape [${outputWeights.shape}]: without projection weights the output size must be the ${cells} cells`,
    );
  }
  expect(17, "projection bias", [outputSize]);
  context.expectElements(context.input(18), "output state", batches * outputSize, "outputs");
  context.expectElements(context.input(19), "cell state", batches * cells, "cells");
}
