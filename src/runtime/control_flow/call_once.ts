/**
 * CALL_ONCE: runs its initialization subgraph (no inputs, no outputs: it assigns resource
 * variables) at the first invoke, and never again in the interpreter's life.
 */
import type { OpContext, PreparedOp } from "../op.ts";

/** CALL_ONCE (see the module comment). */
export function callOnce(context: OpContext): PreparedOp {
  const { initSubgraphIndex } = context.options as { initSubgraphIndex: number };
  const init = context.program.call(initSubgraphIndex, [], context.where, "initialization");
  if (init.outputs.length > 0) {
    context.unsupported(`its initialization subgraph has ${init.outputs.length} outputs, not 0`);
  }
  let done = false;
  return {
    run: () => {
      if (done) return;
      done = true;
      init.invoke();
    },
    stateful: true,
  };
}
