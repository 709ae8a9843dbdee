/**
 * WHILE: the loop variables start as the inputs; while the condition subgraph gives true for
 * them, the body subgraph replaces them with its outputs; the last ones are the outputs. Both
 * subgraphs are prepared at load for the inputs' shapes, and the body must keep every shape. A
 * variable the body passes through unchanged keeps its input's value, so one known at load (a
 * weight) is read by both subgraphs in place. A loop that runs more than the interpreter's
 * `maxWhileIterations` ends the invoke in an `InvokeError` naming the operator.
 */
import { InvokeError } from "../errors.ts";
import type { OpContext, PreparedOp } from "../op.ts";
import { checkCondition, conditionHolds, copyValues, takeOutputs } from "./control_flow_common.ts";

/** WHILE (see the module comment). */
export function whileKernel(context: OpContext): PreparedOp {
  const initial = context.inputs.map((_, position) => context.input(position));
  const outputs = context.outputs;
  if (outputs.length !== initial.length) {
    context.unsupported(`it has ${initial.length} inputs and ${outputs.length} outputs`);
  }
  const { condSubgraphIndex, bodySubgraphIndex } = context.options as {
    condSubgraphIndex: number;
    bodySubgraphIndex: number;
  };
  const program = context.program;
  const bodyGraph = program.model.subgraphs[bodySubgraphIndex];
  const passedThrough = (position: number) =>
    bodyGraph?.outputs[position] !== undefined &&
    bodyGraph.outputs[position] === bodyGraph.inputs[position];
  const body = program.call(bodySubgraphIndex, initial, context.where, "body", passedThrough);
  const cond = program.call(condSubgraphIndex, initial, context.where, "condition", passedThrough);
  if (cond.outputs.length !== 1) {
    context.unsupported(`its condition gives ${cond.outputs.length} outputs, not 1`);
  }
  checkCondition(context, cond.outputs[0], "its condition's output");
  takeOutputs(context, body, outputs, "body");
  outputs.forEach((output, position) => {
    if (output.shape.join() !== initial[position].shape.join()) {
      context.unsupported(
        `its body changes the shape of loop variable ${position} from [${
          initial[position].shape
        }] to [${output.shape}]; liteq plans shapes at load`,
      );
    }
  });
  const memory = context.memory;
  const limit = program.maxWhileIterations;
  return {
    run: () => {
      copyValues(memory, initial, outputs);
      for (let iterations = 0;; iterations++) {
        copyValues(memory, outputs, cond.inputs);
        cond.invoke();
        if (!conditionHolds(memory, cond.outputs[0])) return;
        if (iterations === limit) {
          throw new InvokeError(
            context.where,
            `the loop ran ${limit} iterations and its condition still holds (option maxWhileIterations)`,
          );
        }
        copyValues(memory, outputs, body.inputs);
        body.invoke();
        copyValues(memory, body.outputs, outputs);
      }
    },
  };
}
