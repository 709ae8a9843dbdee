/**
 * Resource variables, shared by every subgraph of one interpreter: VAR_HANDLE names one (by
 * container and shared name) and gives a resource tensor holding its id (an int32 in memory, so
 * that it travels into called subgraphs like any value); READ_VARIABLE and ASSIGN_VARIABLE reach
 * it through that id. A variable takes its dtype and shape from the first op that reads or
 * assigns it at load, and keeps them: its bytes are placed once, zero until assigned (never by an
 * op prepared at invoke, whose memory is given back). A signature's preparation that fails gives
 * its memory back too, and with it the variables it placed (`release`).
 */
import { type DType, elementCount, packedByteLength } from "../../format/dtype.ts";
import type { KernelMemory } from "../memory.ts";
import type { OpContext } from "../op.ts";
import type { RuntimeTensor } from "../tensor.ts";

/** One resource variable. */
export interface ResourceVariable {
  /** Its container and shared name, as VAR_HANDLE gives them. */
  readonly name: string;
  /** Its dtype and shape, once an op has fixed them; its bytes' offset, -1 until then. */
  dtype: DType | null;
  shape: number[];
  offset: number;
}

/** The variables of one interpreter, by id. */
export class ResourceVariables {
  private readonly byId: ResourceVariable[] = [];

  constructor(private readonly memory: KernelMemory) {}

  /** The id of the variable named `name`, created on first request. */
  idOf(name: string): number {
    const id = this.byId.findIndex((variable) => variable.name === name);
    if (id >= 0) return id;
    this.byId.push({ name, dtype: null, shape: [], offset: -1 });
    return this.byId.length - 1;
  }

  /**
   * Forgets the places of the variables placed at or above `start` (memory given back: a
   * preparation that failed), so that the next op to use one places it again.
   */
  release(start: number): void {
    for (const variable of this.byId) {
      if (variable.offset >= start) {
        variable.dtype = null;
        variable.shape = [];
        variable.offset = -1;
      }
    }
  }

  /**
   * The variable a resource tensor holds, with its dtype and shape fixed to `value`'s (which must
   * match them when already fixed).
   */
  resolve(context: OpContext, resource: RuntimeTensor, value: RuntimeTensor): ResourceVariable {
    if (resource.dtype !== "resource") {
      context.unsupported(`input 0 "${resource.name}" is ${resource.dtype}, not a resource`);
    }
    if (!resource.constant) {
      context.unsupported(
        `the variable handle "${resource.name}" is computed at run time; liteq needs it at load`,
      );
    }
    const id = resource.offset >= 0
      ? this.memory.i32(resource.offset, 1)[0]
      : (resource.data as Int32Array)[0];
    const variable = this.byId[id];
    if (!variable) context.unsupported(`"${resource.name}" holds no variable handle`);
    if (variable.dtype === null) {
      if (this.memory.holdsDynamic) {
        context.unsupported(
          `variable "${variable.name}" is first read or assigned after a tensor whose shape is known only at invoke; liteq places variables at load`,
        );
      }
      const bytes = packedByteLength(value.dtype, elementCount(value.shape));
      if (bytes === null) context.unsupported(`a variable of ${value.dtype} is not supported`);
      variable.dtype = value.dtype;
      variable.shape = [...value.shape];
      variable.offset = this.memory.allocate(bytes);
      this.memory.bytes(variable.offset, bytes).fill(0);
    } else if (
      variable.dtype !== value.dtype || variable.shape.join() !== value.shape.join()
    ) {
      context.unsupported(
        `variable "${variable.name}" holds ${variable.dtype} [${variable.shape}]; "${value.name}" is ${value.dtype} [${value.shape}] (liteq keeps a variable's shape)`,
      );
    }
    return variable;
  }
}
