/**
 * One subgraph prepared for execution: shapes resolved, constants prepared and what can be
 * computed at load computed (SHAPE of a known shape, DEQUANTIZE of float16 weights, ...), the
 * remaining operators as steps over a planned activation arena in wasm memory.
 */
import { bytesOf, elementCount, packedByteLength, type TensorData } from "../format/dtype.ts";
import { ModelFormatError } from "../format/errors.ts";
import { decodeStringBuffer } from "../format/string_buffer.ts";
import type { Operator, Tensor } from "../format/ir.ts";
import { DEFAULT_MAX_ELEMENTS } from "../format/reader.ts";
import type { Program } from "./control_flow/program.ts";
import { checkDataflow } from "./dataflow.ts";
import { type KernelMemory, MemoryBudgetError } from "./memory.ts";
import { OpContext, type PreparedOp, UnsupportedModelError } from "./op.ts";
import { type Lifetime, planArena } from "./plan.ts";
import { STRING_OPS } from "./registry.ts";
import {
  byteLengthOf,
  checkShape,
  denseData,
  guardShape,
  type RuntimeTensor,
  variableStartByte,
} from "./tensor.ts";
import type { ThreadPool } from "./threads/pool.ts";

/**
 * A string constant's values, read from its buffer `data` (a `ModelFormatError` at `where` when
 * the buffer is not a string buffer of its elements); undefined for other tensors.
 */
function fileStrings(
  tensor: Tensor,
  data: TensorData | null,
  where: string,
): Uint8Array[] | undefined {
  if (tensor.dtype !== "string" || data === null) return undefined;
  try {
    return decodeStringBuffer(bytesOf(data), elementCount(tensor.shape));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ModelFormatError(where, error.message);
  }
}

/**
 * Throws an `UnsupportedModelError` at `where` naming the first string tensor among `tensors`
 * unless `operator` is one that moves strings (`STRING_OPS`).
 */
function refuseStrings(
  operator: Operator,
  where: string,
  tensors: readonly (RuntimeTensor | null)[],
): void {
  if (!operator.custom && STRING_OPS.has(operator.op)) return;
  const text = tensors.find((tensor) => tensor?.dtype === "string");
  if (!text) return;
  throw new UnsupportedModelError(
    where,
    `tensor ${text.index} "${text.name}" holds strings; liteq runs string tensors through ${
      [...STRING_OPS].join(", ")
    } only`,
  );
}

interface Step {
  prepared: PreparedOp;
  inputs: (RuntimeTensor | null)[];
  outputs: RuntimeTensor[];
  scratch: number;
}

/** A subgraph ready to invoke. */
export class PreparedSubgraph {
  /** Every tensor of the subgraph, with its resolved shape and place. */
  readonly tensors: RuntimeTensor[];
  /** The subgraph's input and output tensors. */
  readonly inputs: RuntimeTensor[];
  readonly outputs: RuntimeTensor[];
  private readonly steps: Step[] = [];

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
    const maxElements = program.maxElements ?? DEFAULT_MAX_ELEMENTS;
    this.memory = memory;
    this.pool = program.pool;
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
    // Every shape set from here on must be a shape within maxElements whose values fit in the
    // memory budget; `preparing` says where it was set.
    let preparing = "";
    const fits = (tensor: RuntimeTensor, shape: number[]) => {
      checkShape(tensor, shape, maxElements, preparing);
      const bytes = packedByteLength(tensor.dtype, elementCount(shape));
      if (bytes !== null) {
        memory.checkRoom(bytes, preparing, `tensor ${tensor.index} "${tensor.name}"`);
      }
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
      preparing = `${where}input ${position} (option inputShapes)`;
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
      preparing = `${where}input ${position}`;
      fits(tensor, tensor.shape);
    });

    for (const tensor of this.tensors) {
      if (!tensor.isVariable) continue;
      const initial = subgraph.tensors[tensor.index].data;
      tensor.offset = initial ? memory.store(initial) : memory.allocate(byteLengthOf(tensor));
      if (!initial) {
        memory.bytes(tensor.offset, byteLengthOf(tensor)).fill(variableStartByte(tensor));
      }
    }

    subgraph.operators.forEach((operator, operatorIndex) => {
      const label =
        `${where}operator ${operatorIndex} ${operator.op} (version ${operator.version})`;
      preparing = label;
      try {
        this.prepare(operator, label, maxElements);
      } catch (error) {
        if (error instanceof MemoryBudgetError && error.where === "model") {
          throw new UnsupportedModelError(label, error.reason);
        }
        throw error;
      }
    });
    preparing = "";
    // An output known at load (a constant passed through) is read from memory like the others.
    for (const tensor of this.outputs) {
      if (tensor.constant && tensor.offset < 0) this.storeConstant(tensor, `${where}outputs`);
    }
    this.placeActivations(subgraph.inputs, subgraph.outputs, where);
  }

  /** Prepares one operator: runs it now when it depends on constants only, or adds a step. */
  private prepare(operator: Operator, label: string, maxElements: number): void {
    const memory = this.memory;
    const inputs = operator.inputs.map((index) => (index < 0 ? null : this.tensors[index]));
    const outputs = operator.outputs.map((index) => this.tensors[index]);
    const intermediates = operator.intermediates.map((index) => this.tensors[index]);
    refuseStrings(operator, label, [...inputs, ...outputs]);
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
      checkShape(tensor, tensor.shape, maxElements, label);
      byteLengthOf(tensor);
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
      for (const tensor of outputs) tensor.offset = memory.allocate(byteLengthOf(tensor));
      memory.withTemporary(prepared.scratchBytes ?? 0, (scratch) => prepared.run(scratch));
      for (const tensor of outputs) tensor.constant = true;
    } else {
      this.steps.push({ prepared, inputs, outputs, scratch: -1 });
    }
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
      if (!tensor || tensor.offset >= 0 || tensor.constant) return;
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
    const tensors = [...lifetimes.keys()];
    const buffers = [...lifetimes.values()];
    const scratchBytes = (step: Step) =>
      this.pool?.scratchBytes(step.prepared) ?? step.prepared.scratchBytes ?? 0;
    const scratchSteps = this.steps.filter((step) => scratchBytes(step) > 0);
    for (const step of scratchSteps) {
      const position = this.steps.indexOf(step);
      buffers.push({ bytes: scratchBytes(step), first: position, last: position });
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

  /** Runs every step once, in order; heavy ones split among the threads when there are some. */
  invoke(): void {
    const pool = this.pool;
    const kernels = this.memory.kernels;
    for (const { prepared, scratch } of this.steps) {
      if (pool && prepared.split && pool.divides(prepared.split)) {
        pool.run(prepared.split, scratch, kernels);
      } else {
        prepared.run(scratch);
      }
    }
  }
}
