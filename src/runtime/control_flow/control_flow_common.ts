/**
 * What IF and WHILE share: checking a called subgraph's outputs against the operator's, copying
 * values between a caller's tensors and a callee's, and reading a boolean condition.
 */
import type { KernelMemory } from "../memory.ts";
import type { OpContext } from "../op.ts";
import type { PreparedSubgraph } from "../subgraph.ts";
import { byteLengthOf, type RuntimeTensor } from "../tensor.ts";

/**
 * Copies each of `sources` into the target at its position, skipping targets that are constants
 * (a callee's inputs known at load); string values are passed on as they are. Offsets are read
 * here, at run time, once every arena is placed.
 */
export function copyValues(
  memory: KernelMemory,
  sources: readonly RuntimeTensor[],
  targets: readonly RuntimeTensor[],
): void {
  sources.forEach((source, position) => {
    const target = targets[position];
    if (target.constant) return;
    if (target.dtype === "string") {
      target.strings = source.strings;
      return;
    }
    if (target.offset === source.offset) return;
    const bytes = byteLengthOf(target);
    memory.bytes(target.offset, bytes).set(memory.bytes(source.offset, bytes));
  });
}

/**
 * Checks that `callee`'s outputs match `outputs` in count and dtype and gives each output its
 * shape (`role` names the callee: `then branch`, `body`).
 */
export function takeOutputs(
  context: OpContext,
  callee: PreparedSubgraph,
  outputs: RuntimeTensor[],
  role: string,
): void {
  if (callee.outputs.length !== outputs.length) {
    context.unsupported(
      `its ${role} gives ${callee.outputs.length} outputs; the operator has ${outputs.length}`,
    );
  }
  callee.outputs.forEach((result, position) => {
    const output = outputs[position];
    if (result.dtype !== output.dtype) {
      context.unsupported(
        `its ${role} gives ${result.dtype} as output ${position}; the operator's output "${output.name}" is ${output.dtype}`,
      );
    }
    output.shape = [...result.shape];
  });
}

/** Checks that `tensor` is a single boolean (a condition). */
export function checkCondition(context: OpContext, tensor: RuntimeTensor, role: string): void {
  if (tensor.dtype !== "bool" || tensor.shape.reduce((product, size) => product * size, 1) !== 1) {
    context.unsupported(
      `${role} "${tensor.name}" is ${tensor.dtype} [${tensor.shape}]; a condition is one bool`,
    );
  }
}

/** The boolean a condition tensor holds. */
export function conditionHolds(memory: KernelMemory, tensor: RuntimeTensor): boolean {
  return memory.bytes(tensor.offset, 1)[0] !== 0;
}
