/**
 * One subgraph prepared for execution: shapes resolved, constants prepared and what can be
 * computed at load computed (SHAPE of a known shape, DEQUANTIZE of float16 weights, ...), the
 * remaining operators as steps over a planned activation arena in wasm memory, and after them the
 * steps whose shapes are known only at invoke (`dynamic_steps.ts`).
 */
import { elementCount, packedByteLength } from "../format/dtype.ts";
import type { Operator } from "../format/ir.ts";
import { DEFAULT_MAX_ELEMENTS } from "../format/reader.ts";
import type { Program } from "./control_flow/program.ts";
import { checkDataflow } from "./dataflow.ts";
import { InvokeError } from "./errors.ts";
import { type KernelMemory, MemoryBudgetError } from "./memory.ts";
import { DynamicSteps, type Step, type StepHost } from "./dynamic_steps.ts";
import { OpContext, UnsupportedModelError } from "./op.ts";
import { type Lifetime, planArena } from "./plan.ts";
import { fileStrings, refuseStrings } from "./string_tensors.ts";
import {
  budgetBytes,
  byteLengthOf,
  checkShape,
  denseData,
  guardShape,
  type RuntimeTensor,
  variableStartByte,
} from "./tensor.ts";
import type { ThreadPool } from "./threads/pool.ts";

/** A subgraph ready to invoke. */
export class PreparedSubgraph implements StepHost {
  /** Every tensor of the subgraph, with its resolved shape and place. */
  readonly tensors: RuntimeTensor[];
  /** The subgraph's input and output tensors. */
  readonly inputs: RuntimeTensor[];
  readonly outputs: RuntimeTensor[];
  private readonly steps: Step[] = [];
  /** The steps prepared at invoke, run after the others (see `dynamic_steps.ts`). */
  private readonly dynamic: DynamicSteps;
  /** Where shapes are being set, for errors: an operator's label, an input. */
  private preparing = "";
  /** Most elements any tensor may have. */
  private readonly maxElements: number;
  /** Bytes each variable tensor was given at load, which an op's output shape must fit. */
  private readonly variableBytes = new Map<RuntimeTensor, number>();
  /** For a called subgraph with outputs computed at invoke: checks they keep their shapes. */
  private checkOutputs?: () => void;

  private readonly memory: KernelMemory;
  /** The interpreter's worker threads, which heavy ops divide among (none: one thread). */
  private readonly pool?: ThreadPool;

  /**
   * Prepares subgraph `subgraphIndex` of the program's model in its memory.
   * @param inputShapes shapes for the subgraph's inputs, by position (the file's when absent)
   * @param constantInputs for a called subgraph, the caller's tensors known at load, by input
   *   position: those inputs read their values in place, as constants
   * @throws UnsupportedModelError naming the first operator that cannot run, or listing every op
   *   type liteq does not have, or when the memory budget is exceeded
   * @throws ModelFormatError naming the operator and tensor where the dataflow or a computed
   *   shape is invalid
   */
  constructor(
    private readonly program: Program,
    subgraphIndex: number,
    inputShapes: (number[] | undefined)[],
    constantInputs: (RuntimeTensor | null)[],
  ) {
    const { model, memory } = program;
    const maxElements = this.maxElements = program.maxElements ?? DEFAULT_MAX_ELEMENTS;
    this.memory = memory;
    this.pool = program.pool;
    this.dynamic = new DynamicSteps(this, memory);
    const subgraph = model.subgraphs[subgraphIndex];
    const where = model.subgraphs.length > 1 ? `subgraph ${subgraphIndex}, ` : "";
    const produced = new Set([
      ...subgraph.inputs,
      ...subgraph.operators.flatMap((operator) => operator.outputs),
    ]);
    const passedIn = new Map(
      constantInputs.flatMap((source, position) =>
        source ? [[subgraph.inputs[position], source] as const] : []
      ),
    );
    this.tensors = subgraph.tensors.map((tensor, index) => {
      // A constant with no elements has an empty buffer, which the file stores as none.
      const empty = elementCount(tensor.shape) === 0 && !produced.has(index) && !tensor.isVariable;
      const source = passedIn.get(index);
      const data = source
        ? source.data
        : tensor.isVariable
        ? null
        : empty
        ? new Uint8Array(0)
        : tensor.data;
      return {
        index,
        name: tensor.name,
        dtype: tensor.dtype,
        shape: [...tensor.shape],
        quantization: tensor.quantization,
        offset: source ? source.offset : -1,
        data,
        sparsity: source ? source.sparsity : tensor.sparsity,
        constant: source !== undefined || data !== null,
        isVariable: tensor.isVariable,
        strings: source
          ? source.strings
          : fileStrings(tensor, data, `${where}tensor ${index} "${tensor.name}"`),
      };
    });
    // Every shape set from here on (at invoke too) must be a shape within maxElements whose
    // values fit in the memory budget; `preparing` says where it was set.
    const fits = (tensor: RuntimeTensor, shape: number[]) => {
      checkShape(tensor, shape, maxElements, this.preparing);
      const bytes = budgetBytes(tensor.dtype, elementCount(shape));
      if (bytes !== null) {
        memory.checkRoom(bytes, this.preparing, `tensor ${tensor.index} "${tensor.name}"`);
      }
      this.checkVariablePlace(tensor, shape, this.preparing);
    };
    for (const tensor of this.tensors) guardShape(tensor, (shape) => fits(tensor, shape));
    this.inputs = subgraph.inputs.map((index) => this.tensors[index]);
    this.outputs = subgraph.outputs.map((index) => this.tensors[index]);
    if (inputShapes.length > this.inputs.length) {
      throw new RangeError(
        `inputShapes has ${inputShapes.length} shapes; the ${
          where ? "subgraph" : "model"
        } takes ${this.inputs.length} inputs`,
      );
    }
    inputShapes.forEach((shape, position) => {
      this.preparing = `${where}input ${position} (option inputShapes)`;
      if (shape) this.inputs[position].shape = [...shape];
    });

    const missing = [
      ...new Set(
        subgraph.operators.filter((operator) => !program.kernel(operator))
          .map((operator) => operator.op),
      ),
    ];
    if (missing.length > 0) {
      throw new UnsupportedModelError(
        where ? `subgraph ${subgraphIndex}` : "model",
        `liteq has no kernel for ${missing.join(", ")}`,
      );
    }
    checkDataflow(subgraph, where);
    this.inputs.forEach((tensor, position) => {
      this.preparing = `${where}input ${position}`;
      fits(tensor, tensor.shape);
    });

    for (const tensor of this.tensors) {
      if (!tensor.isVariable) continue;
      const initial = subgraph.tensors[tensor.index].data;
      tensor.offset = initial ? memory.store(initial) : memory.allocate(byteLengthOf(tensor));
      this.variableBytes.set(tensor, initial ? initial.byteLength : byteLengthOf(tensor));
      if (!initial) {
        memory.bytes(tensor.offset, byteLengthOf(tensor)).fill(variableStartByte(tensor));
      }
    }

    subgraph.operators.forEach((operator, operatorIndex) => {
      const label =
        `${where}operator ${operatorIndex} ${operator.op} (version ${operator.version})`;
      try {
        // Dtypes are known at load: a string operand is refused here, deferred or not.
        const { inputs, outputs } = this.tensorsOf(operator);
        refuseStrings(operator, label, [...inputs, ...outputs]);
        if (this.dynamic.defers(operator)) {
          this.dynamic.defer(operator, label);
          return;
        }
        const step = this.prepareOperator(operator, label);
        if (step?.prepared.reshape) this.dynamic.addReshaping(operator, label, step);
        else if (step) this.steps.push(step);
      } catch (error) {
        if (error instanceof MemoryBudgetError && error.where === "model") {
          throw new UnsupportedModelError(label, error.reason);
        }
        throw error;
      }
    });
    this.preparing = "";
    // An output known at load (a constant passed through) is read from memory like the others.
    for (const tensor of this.outputs) {
      if (tensor.constant && tensor.offset < 0) this.storeConstant(tensor, `${where}outputs`);
    }
    this.placeActivations(subgraph.inputs, subgraph.outputs, where);
  }

  /** The operator's tensors: inputs (null where omitted), outputs and intermediates. */
  tensorsOf(operator: Operator): {
    inputs: (RuntimeTensor | null)[];
    outputs: RuntimeTensor[];
    intermediates: RuntimeTensor[];
  } {
    return {
      inputs: operator.inputs.map((index) => (index < 0 ? null : this.tensors[index])),
      outputs: operator.outputs.map((index) => this.tensors[index]),
      intermediates: operator.intermediates.map((index) => this.tensors[index]),
    };
  }

  /**
   * Prepares one operator for the current shapes: runs it now and returns null when it depends
   * on constants only (or on shapes), else returns its step.
   */
  prepareOperator(operator: Operator, label: string): Step | null {
    const memory = this.memory;
    this.preparing = label;
    const { inputs, outputs, intermediates } = this.tensorsOf(operator);
    const context = new OpContext(
      operator,
      label,
      inputs,
      outputs,
      intermediates,
      memory,
      this.program,
    );
    const prepared = this.program.kernel(operator)!(context);
    for (const tensor of outputs) {
      // A kernel may also have changed a shape in place, past the guard.
      checkShape(tensor, tensor.shape, this.maxElements, label);
      byteLengthOf(tensor);
      this.checkVariablePlace(tensor, tensor.shape, label);
    }
    const consumed = new Set(prepared.consumedInputs ?? []);
    inputs.forEach((tensor, position) => {
      if (tensor?.constant && tensor.offset < 0 && !consumed.has(position)) {
        this.storeConstant(tensor, label);
      }
    });
    const foldable = !prepared.stateful && (prepared.shapeOnly ||
      inputs.every((tensor) => tensor === null || tensor.constant));
    if (foldable && !outputs.some((tensor) => tensor.isVariable)) {
      prepared.reshape?.();
      for (const tensor of outputs) tensor.offset = memory.allocate(byteLengthOf(tensor));
      memory.withTemporary(prepared.scratchBytes ?? 0, (scratch) => prepared.run(scratch));
      for (const tensor of outputs) tensor.constant = true;
      return null;
    }
    return { prepared, inputs, outputs, scratch: -1 };
  }

  /**
   * Throws an `UnsupportedModelError` at `where` when a variable tensor, given its bytes at load,
   * would take `shape` that needs more of them (an op writing it with another shape).
   */
  private checkVariablePlace(tensor: RuntimeTensor, shape: number[], where: string): void {
    const placed = this.variableBytes.get(tensor);
    const bytes = placed === undefined ? null : packedByteLength(tensor.dtype, elementCount(shape));
    if (bytes === null || bytes <= placed!) return;
    throw new UnsupportedModelError(
      where,
      `variable tensor ${tensor.index} "${tensor.name}" holds ${placed} bytes from load; shape [${shape}] needs ${bytes}`,
    );
  }

  /**
   * Places a file constant in memory, dense: one stored sparse is expanded (its layout not
   * fitting its shape is an `UnsupportedModelError` at `where`, as `OpContext.values` says it).
   * A string constant takes no bytes there: its values are its `strings`.
   */
  private storeConstant(tensor: RuntimeTensor, where: string): void {
    if (tensor.dtype === "string") {
      tensor.offset = this.memory.allocate(byteLengthOf(tensor));
      return;
    }
    let values;
    try {
      values = denseData({ ...tensor, data: tensor.data! });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new UnsupportedModelError(
        where,
        `tensor ${tensor.index} "${tensor.name}": ${error.message}`,
      );
    }
    tensor.offset = this.memory.store(values);
  }

  /**
   * Plans the arena (inputs and outputs live throughout), checks it against the memory budget and
   * gives every activation its offset.
   */
  private placeActivations(inputIndices: number[], outputIndices: number[], where: string): void {
    const end = this.steps.length;
    const lifetimes = new Map<RuntimeTensor, Lifetime>();
    const touch = (tensor: RuntimeTensor | null, step: number) => {
      if (!tensor || tensor.offset >= 0 || tensor.constant || this.dynamic.tensors.has(tensor)) {
        return;
      }
      const lifetime = lifetimes.get(tensor);
      if (lifetime) {
        lifetime.first = Math.min(lifetime.first, step);
        lifetime.last = Math.max(lifetime.last, step);
      } else {
        lifetimes.set(tensor, { bytes: byteLengthOf(tensor), first: step, last: step });
      }
    };
    for (const index of inputIndices) {
      touch(this.tensors[index], -1);
      touch(this.tensors[index], end);
    }
    this.steps.forEach((step, position) => {
      for (const tensor of [...step.inputs, ...step.outputs]) touch(tensor, position);
    });
    for (const index of outputIndices) touch(this.tensors[index], end);
    for (const tensor of this.dynamic.staticReads) touch(tensor, end);
    const tensors = [...lifetimes.keys()];
    const buffers = [...lifetimes.values()];
    const scratchSteps = this.steps.filter((step) => this.scratchBytes(step) > 0);
    for (const step of scratchSteps) {
      const position = this.steps.indexOf(step);
      buffers.push({ bytes: this.scratchBytes(step), first: position, last: position });
    }
    const plan = planArena(buffers);
    const { used, budget } = this.memory;
    if (used + plan.totalBytes > budget) {
      throw new UnsupportedModelError(
        `${where}activations`,
        `the memory plan needs ${plan.totalBytes} bytes (${
          (plan.totalBytes / 2 ** 20).toFixed(1)
        } MiB) for activations and scratch, beside ${used} bytes of constants and weights: more than the memory budget of ${budget} bytes (option memoryBudget)`,
      );
    }
    const base = this.memory.allocate(plan.totalBytes);
    tensors.forEach((tensor, index) => (tensor.offset = base + plan.offsets[index]));
    scratchSteps.forEach((step, index) => {
      step.scratch = base + plan.offsets[tensors.length + index];
    });
  }

  /** Whether some of its steps are prepared at invoke (their shapes known only then). */
  get preparesAtInvoke(): boolean {
    return this.dynamic.tensors.size > 0;
  }

  /** Scratch bytes a step needs (with threads, each chunk's). */
  scratchBytes(step: Step): number {
    return this.pool?.scratchBytes(step.prepared) ?? step.prepared.scratchBytes ?? 0;
  }

  /** Runs a step; a heavy one splits among the threads when there are some. */
  runStep({ prepared, scratch }: Step): void {
    const pool = this.pool;
    if (pool && prepared.split && pool.divides(prepared.split)) {
      pool.run(prepared.split, scratch, this.memory.kernels);
    } else {
      prepared.run(scratch);
    }
  }

  /**
   * Makes every invoke check that the outputs computed at invoke keep the shapes they have now,
   * for a called subgraph whose caller plans its own outputs by them: another shape is an
   * `InvokeError` at `where` (the calling operator), naming the callee as `callee`.
   */
  keepOutputShapes(where: string, callee: string): void {
    const planned = this.outputs.flatMap((tensor, position) =>
      this.dynamic.tensors.has(tensor) ? [{ tensor, position, shape: tensor.shape.join() }] : []
    );
    if (planned.length === 0) return;
    this.checkOutputs = () => {
      for (const { tensor, position, shape } of planned) {
        if (tensor.shape.join() === shape) continue;
        throw new InvokeError(
          where,
          `${callee} gives output ${position} "${tensor.name}" shape [${tensor.shape}] at invoke; its caller planned [${shape}] at load`,
        );
      }
    };
  }

  /**
   * Wakes the thread pool's workers asleep between runs (`ThreadPool.wake`): called when an
   * input is set, so that they spin by the time the first op is published.
   */
  wakeThreads(): void {
    this.pool?.wake();
  }

  /** Runs every step once, in order, then the dynamic steps. */
  invoke(): void {
    for (const step of this.steps) this.runStep(step);
    this.dynamic.run();
    this.checkOutputs?.();
  }
}
