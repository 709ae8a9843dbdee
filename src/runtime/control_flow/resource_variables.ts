/**
 * VAR_HANDLE, READ_VARIABLE and ASSIGN_VARIABLE: the ops over resource variables (see
 * `variables.ts`). The handle is known at load; reading and assigning run at every invoke.
 */
import type { OpContext, PreparedOp } from "../op.ts";
import { byteLengthOf } from "../tensor.ts";

/** VAR_HANDLE: a resource tensor holding the id of the variable its options name. */
export function varHandle(context: OpContext): PreparedOp {
  const output = context.output(0, "resource");
  const { container = "", sharedName = "" } = context.options as {
    container?: string;
    sharedName?: string;
  };
  const id = context.program.variables.idOf(`${container}/${sharedName}`);
  output.shape = [];
  return { run: () => (context.memory.i32(output.offset, 1)[0] = id) };
}

/** READ_VARIABLE: a copy of the variable's value. */
export function readVariable(context: OpContext): PreparedOp {
  const output = context.output(0);
  const variable = context.program.variables.resolve(context, context.input(0), output);
  output.shape = [...variable.shape];
  const bytes = byteLengthOf(output);
  const memory = context.memory;
  return {
    run: () => memory.bytes(output.offset, bytes).set(memory.bytes(variable.offset, bytes)),
    stateful: true,
  };
}

/** ASSIGN_VARIABLE: the variable takes a copy of input 1. */
export function assignVariable(context: OpContext): PreparedOp {
  const value = context.input(1);
  const variable = context.program.variables.resolve(context, context.input(0), value);
  const bytes = byteLengthOf(value);
  const memory = context.memory;
  return {
    run: () => memory.bytes(variable.offset, bytes).set(memory.bytes(value.offset, bytes)),
    stateful: true,
  };
}
