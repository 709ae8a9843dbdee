/** DENSIFY: a sparse constant (TFLite's sparsity layout) expanded to a dense tensor, once at load. */
import type { OpContext, PreparedOp } from "../../op.ts";

/**
 * DENSIFY of a float32, float16 or int8 sparse constant: its stored values are laid out by the
 * tensor's `SparsityParameters`; the output holds them in row-major order with zeros elsewhere
 * (`OpContext.values` expands them). The input is a constant, so this runs once, at load.
 */
export function densify(context: OpContext): PreparedOp {
  const input = context.input(0, "float32", "float16", "int8");
  const output = context.output(0, input.dtype);
  output.shape = [...input.shape];
  if (!input.sparsity) {
    context.unsupported(`input "${input.name}" has no sparsity parameters`);
  }
  const dense = context.values(input, "input 0");
  const memory = context.memory;
  return {
    consumedInputs: [0],
    run() {
      memory.view(output.dtype, output.offset, dense.length).set(dense as never);
    },
  };
}
