/**
 * What every subgraph of one interpreter shares while it is prepared and run: the model, the wasm
 * memory, the limits, the caller's custom ops, the resource variables, and the preparation of the
 * subgraphs that control-flow ops call (IF's branches, WHILE's condition and body, CALL_ONCE's
 * initializer). A called subgraph is prepared at load, for its caller's input shapes, with its own
 * planned arena, exactly as the main graph.
 */
import type { ThreadPool } from "../threads/pool.ts";
import { ModelFormatError } from "../../format/errors.ts";
import type { Model, Operator } from "../../format/ir.ts";
import type { KernelMemory } from "../memory.ts";
import type { Arithmetic, OpKernel } from "../op.ts";
import { UnsupportedModelError } from "../errors.ts";
import { KERNELS } from "../registry.ts";
import { PreparedSubgraph } from "../subgraph.ts";
import type { RuntimeTensor } from "../tensor.ts";
import { ResourceVariables } from "./variables.ts";

/** Most iterations a WHILE may run by default before it is stopped with an error. */
export const DEFAULT_MAX_WHILE_ITERATIONS = 10_000_000;

/** How a program is limited and extended. */
export interface ProgramOptions {
  /** Whose integer arithmetic the int8 kernels follow (TensorFlow Lite's reference by default). */
  arithmetic?: Arithmetic;
  /** Most elements any tensor may have. */
  maxElements?: number;
  /** Most iterations of one WHILE in one invoke. */
  maxWhileIterations?: number;
  /** Kernels for custom ops, by custom code; they take precedence over the built-in ones. */
  customKernels?: ReadonlyMap<string, OpKernel>;
  /** The interpreter's worker threads, which heavy ops divide among (none: one thread). */
  pool?: ThreadPool;
}

/** The subgraphs of one interpreter and what they share (see the module comment). */
export class Program {
  /** The resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE). */
  readonly variables: ResourceVariables;
  /** Most iterations of one WHILE in one invoke. */
  readonly maxWhileIterations: number;
  /** Most elements any tensor may have (the reader's default when undefined). */
  readonly maxElements?: number;
  /** Whose integer arithmetic the int8 kernels follow. */
  readonly arithmetic: Arithmetic;
  /** The interpreter's worker threads (none: one thread). */
  readonly pool?: ThreadPool;
  private readonly customKernels: ReadonlyMap<string, OpKernel>;
  private readonly preparing: number[] = [];
  /** Whether a subgraph prepared so far leaves steps to prepare at invoke. */
  private stepsAtInvoke = false;

  constructor(readonly model: Model, readonly memory: KernelMemory, options: ProgramOptions = {}) {
    this.variables = new ResourceVariables(memory);
    this.maxWhileIterations = options.maxWhileIterations ?? DEFAULT_MAX_WHILE_ITERATIONS;
    this.maxElements = options.maxElements;
    this.arithmetic = options.arithmetic ?? "reference";
    this.pool = options.pool;
    this.customKernels = options.customKernels ?? new Map();
    if (!(Number.isSafeInteger(this.maxWhileIterations) && this.maxWhileIterations > 0)) {
      throw new RangeError(
        `maxWhileIterations must be a positive integer, got ${options.maxWhileIterations}`,
      );
    }
  }

  /** The kernel that runs `operator`: the caller's for its custom ops, else the built-in one. */
  kernel(operator: Operator): OpKernel | undefined {
    return (operator.custom ? this.customKernels.get(operator.op) : undefined) ??
      KERNELS.get(operator.op);
  }

  /**
   * Prepares subgraph `index` for a top-level call (the main graph, a signature). A preparation
   * that fails gives back the memory it placed, variables placed in it included, so that the
   * interpreter keeps only what runs.
   * @param inputShapes shapes for its inputs, by position (the file's when absent)
   */
  prepare(index: number, inputShapes: (number[] | undefined)[] = []): PreparedSubgraph {
    this.memory.settle();
    const start = this.memory.used;
    try {
      return this.noted(
        this.withinCall(index, () => new PreparedSubgraph(this, index, inputShapes, [])),
      );
    } catch (error) {
      this.memory.release(start);
      this.variables.release(start);
      throw error;
    }
  }

  /** Whether a subgraph prepared so far leaves steps to prepare at invoke. */
  get preparesAtInvoke(): boolean {
    return this.stepsAtInvoke;
  }

  private noted(prepared: PreparedSubgraph): PreparedSubgraph {
    if (prepared.preparesAtInvoke) this.stepsAtInvoke = true;
    return prepared;
  }

  /**
   * Prepares subgraph `index` as called by an operator with `arguments_`: each of its inputs takes
   * the shape of the argument at its position, and the value too where the argument is known at
   * load and `constant(position)` says it stays so: the callee then reads it as a constant, in
   * place. Its outputs keep the shapes they have at load (the caller plans its own by them): one
   * computed at invoke to another shape is an `InvokeError` naming the caller.
   * @param where the calling operator, for errors
   * @param role what the callee is to its caller (`then branch`, `body`)
   * @throws ModelFormatError when there is no such subgraph or it takes other inputs
   * @throws UnsupportedModelError when the subgraph calls itself, directly or not
   */
  call(
    index: number,
    arguments_: RuntimeTensor[],
    where: string,
    role: string,
    constant: (position: number) => boolean = () => true,
  ): PreparedSubgraph {
    const subgraph = this.model.subgraphs[index];
    if (!Number.isInteger(index) || index < 0 || !subgraph) {
      throw new ModelFormatError(
        where,
        `its ${role} is subgraph ${index}; the model has ${this.model.subgraphs.length} subgraphs`,
      );
    }
    this.refuseRecursion(index, where);
    if (subgraph.inputs.length !== arguments_.length) {
      throw new ModelFormatError(
        where,
        `its ${role}, subgraph ${index}, takes ${subgraph.inputs.length} inputs; the operator passes ${arguments_.length}`,
      );
    }
    arguments_.forEach((argument, position) => {
      const input = subgraph.tensors[subgraph.inputs[position]];
      if (input.dtype !== argument.dtype) {
        throw new ModelFormatError(
          where,
          `its ${role}, subgraph ${index}, takes ${input.dtype} as input ${position}; the operator passes ${argument.dtype} "${argument.name}"`,
        );
      }
    });
    const constants = arguments_.map((argument, position) =>
      argument.constant && constant(position) ? argument : null
    );
    const shapes = arguments_.map((argument) => [...argument.shape]);
    const callee = this.withinCall(
      index,
      () => new PreparedSubgraph(this, index, shapes, constants),
      where,
    );
    callee.keepOutputShapes(where, `its ${role}, subgraph ${index},`);
    return this.noted(callee);
  }

  private refuseRecursion(index: number, where: string): void {
    if (this.preparing.includes(index)) {
      throw new UnsupportedModelError(
        where,
        `subgraph ${index} calls itself (through subgraphs ${
          this.preparing.join(" -> ")
        }): liteq does not run recursive subgraphs`,
      );
    }
  }

  private withinCall<T>(index: number, prepare: () => T, where = "model"): T {
    this.refuseRecursion(index, where);
    this.preparing.push(index);
    try {
      return prepare();
    } finally {
      this.preparing.pop();
    }
  }
}
