/**
 * IF: input 0, one bool, chooses the then or else subgraph, which takes the other inputs and
 * whose outputs become the operator's. Both branches are prepared at load for the inputs' shapes
 * (inputs known at load are read by the branches in place) and must give the same output shapes.
 */
import type { OpContext, PreparedOp } from "../op.ts";
import { checkCondition, conditionHolds, copyValues, takeOutputs } from "./control_flow_common.ts";

/** IF (see the module comment). */
export function ifKernel(context: OpContext): PreparedOp {
  const condition = context.input(0);
  checkCondition(context, condition, "input 0");
  const arguments_ = context.inputs.slice(1).map((_, position) => context.input(position + 1));
  const { thenSubgraphIndex, elseSubgraphIndex } = context.options as {
    thenSubgraphIndex: number;
    elseSubgraphIndex: number;
  };
  const program = context.program;
  const thenBranch = program.call(thenSubgraphIndex, arguments_, context.where, "then branch");
  const elseBranch = program.call(elseSubgraphIndex, arguments_, context.where, "else branch");
  const outputs = context.outputs;
  takeOutputs(context, elseBranch, outputs, "else branch");
  const elseShapes = outputs.map((output) => output.shape.join());
  takeOutputs(context, thenBranch, outputs, "then branch");
  outputs.forEach((output, position) => {
    if (output.shape.join() !== elseShapes[position]) {
      context.unsupported(
        `its branches give output ${position} different shapes ([${output.shape}] and [${
          elseShapes[position]
        }]); liteq plans shapes at load`,
      );
    }
  });
  const memory = context.memory;
  return {
    run: () => {
      const branch = conditionHolds(memory, condition) ? thenBranch : elseBranch;
      copyValues(memory, arguments_, branch.inputs);
      branch.invoke();
      copyValues(memory, branch.outputs, outputs);
    },
    consumedInputs: arguments_.flatMap((argument, position) =>
      argument.constant && argument.offset < 0 ? [position + 1] : []
    ),
  };
}
