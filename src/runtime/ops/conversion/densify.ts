/** DENSIFY: a sparse constant (TFLite's sparsity layout) expanded to a dense tensor, once at load. */
import { elementCount, packedByteLength, typedView } from "../../../format/dtype.ts";
import { densify as expand, sparsityOf } from "../../../format/sparsity.ts";
import type { OpContext, PreparedOp } from "../../op.ts";

/**
 * DENSIFY of a float32, float16 or int8 sparse constant: its stored values are laid out by the
 * tensor's `SparsityParameters`; the output holds them in row-major order with zeros elsewhere.
 * The input is a constant, so this runs once, when the model is prepared.
 */
export function densify(context: OpContext): PreparedOp {
  const input = context.input(0, "float32", "float16", "int8");
  const output = context.output(0, input.dtype);
  output.shape = [...input.shape];
  const values = context.values(input, "input 0");
  const sparsity = sparsityOf(input.data);
  if (!sparsity) context.unsupported(`input "${input.name}" has no sparsity parameters`);
  const count = elementCount(output.shape);
  const expanded = typedView(input.dtype, new Uint8Array(packedByteLength(input.dtype, count)!));
  try {
    expand(sparsity, input.shape, values, expanded);
  } catch (error) {
    context.unsupported(`input "${input.name}": ${(error as Error).message}`);
  }
  const memory = context.memory;
  return {
    consumedInputs: [0],
    run() {
      memory.view(output.dtype, output.offset, expanded.length).set(expanded as never);
    },
  };
}
