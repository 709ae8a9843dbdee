/**
 * What an op kernel sees while the interpreter prepares a model, and what it gives back. A kernel
 * checks its inputs, sets its outputs' shapes, prepares constants (packing weights into wasm
 * memory) and returns the function that runs it. Anything it cannot run is an
 * `UnsupportedModelError` thrown here, at load, never at the first invoke; only what depends on
 * values computed at run time (GATHER's indices, the shapes of dynamic tensors) is checked at
 * invoke, an `InvokeError`.
 */
import { type DType, elementCount, type TensorData } from "../format/dtype.ts";
import type { Operator, Quantization } from "../format/ir.ts";
import type { PlainObject } from "../format/plain.ts";
import type { Program } from "./control_flow/program.ts";
import type { KernelMemory } from "./memory.ts";
import { byteLengthOf, denseData, type RuntimeTensor, sizeOf } from "./tensor.ts";
import type { KernelExports } from "./wasm.ts";
import { UnsupportedModelError } from "./errors.ts";

export { UnsupportedModelError };

/** A prepared op: runs with its inputs and outputs placed in memory. */
export interface PreparedOp {
  /** Runs the op; `scratch` is the offset of `scratchBytes` temporary bytes. */
  run(scratch: number): void;
  /** Temporary bytes needed while running (im2col patches, packed operands). */
  scratchBytes?: number;
  /** Input positions whose constants the kernel copied into its own form at load. */
  consumedInputs?: number[];
  /** True when outputs depend on input shapes only (SHAPE): computed at load. */
  shapeOnly?: boolean;
  /**
   * True when the op reads or writes state (resource variables, CALL_ONCE): it runs at every
   * invoke, never at load, even when its inputs are constants.
   */
  stateful?: boolean;
  /** How the op divides among threads (heavy ops only; others run on the calling thread). */
  split?: RowSplit;
  /**
   * For an op whose output shapes depend on its inputs' values (WHERE, SPLIT on a run-time
   * axis): sets the outputs' shapes from those values, before each `run`, once the inputs hold
   * them (once at load when they are all constants). Its outputs, and what reads them, are then
   * dynamic tensors, placed at invoke (see `dynamic_steps.ts`).
   */
  reshape?(): void;
}

/** The kernels' functions, called directly or recorded for another thread to call. */
export type KernelCalls = Omit<KernelExports, "memory">;

/**
 * An op whose output divides into rows that are each computed alone, by the same kernel
 * instructions whichever thread computes them, so that a split gives the same bits as one call.
 * `runRows` calls kernels only through `kernels` (which may record the calls for another thread to
 * make) and may write into its `scratch` before them.
 */
export interface RowSplit {
  /** Rows of the op's output (output positions, or output rows, over every image). */
  rows: number;
  /** Split points fall on multiples of this (a GEMM's row tile). */
  grain: number;
  /**
   * Work per row, in GEMM multiply-adds (other kernels' steps weighted by their cost, see
   * `ops/common/row_split.ts`): ops with too little work stay on the calling thread.
   */
  workPerRow: number;
  /** Scratch bytes one range of rows needs (each chunk run on a thread has its own). */
  scratchBytes: number;
  /** Computes rows [first, end) of the output with `scratchBytes` bytes at `scratch`. */
  runRows(kernels: KernelCalls, first: number, end: number, scratch: number): void;
}

/** Prepares one operator: checks it, sets output shapes, returns how to run it. */
export type OpKernel = (context: OpContext) => PreparedOp;

/**
 * Whose integer arithmetic the int8 kernels follow: TensorFlow Lite's reference kernels, or
 * XNNPACK's (see `InterpreterOptions.arithmetic`).
 */
export type Arithmetic = "reference" | "xnnpack";

/** One operator being prepared. */
export class OpContext {
  /**
   * @param operator the IR operator
   * @param where how errors name it (`operator 3 CONV_2D (version 2)`)
   * @param inputs its input tensors (null where an optional input is omitted)
   * @param outputs its output tensors
   * @param intermediates the tensors its `intermediates` name (the integer LSTM's gate scales)
   * @param memory the interpreter's wasm memory
   * @param program the subgraphs and variables the interpreter shares (for control flow)
   */
  constructor(
    readonly operator: Operator,
    readonly where: string,
    readonly inputs: (RuntimeTensor | null)[],
    readonly outputs: RuntimeTensor[],
    readonly intermediates: RuntimeTensor[],
    readonly memory: KernelMemory,
    readonly program: Program,
  ) {}

  /** The kernels' exports. */
  get kernels(): KernelExports {
    return this.memory.kernels;
  }

  /** Whose integer arithmetic this interpreter follows (`reference` unless set at load). */
  get arithmetic(): Arithmetic {
    return this.program.arithmetic;
  }

  /** The builtin options (an empty object when the file has none). */
  get options(): PlainObject {
    return this.operator.options ?? {};
  }

  /** Throws an `UnsupportedModelError` for this operator. */
  unsupported(reason: string): never {
    throw new UnsupportedModelError(this.where, reason);
  }

  /** Input `position`, which must be present and of one of `dtypes` (any when omitted). */
  input(position: number, ...dtypes: DType[]): RuntimeTensor {
    const tensor = this.inputs[position];
    if (!tensor) this.unsupported(`input ${position} is missing`);
    this.checkDType(tensor, `input ${position}`, dtypes);
    return tensor;
  }

  /** Input `position` when present (null when omitted or beyond the list). */
  optionalInput(position: number, ...dtypes: DType[]): RuntimeTensor | null {
    const tensor = this.inputs[position] ?? null;
    if (tensor) this.checkDType(tensor, `input ${position}`, dtypes);
    return tensor;
  }

  /** Output `position`, of one of `dtypes` (any when omitted). */
  output(position: number, ...dtypes: DType[]): RuntimeTensor {
    const tensor = this.outputs[position];
    if (!tensor) this.unsupported(`output ${position} is missing`);
    this.checkDType(tensor, `output ${position}`, dtypes);
    return tensor;
  }

  /** How errors name an operand: `bias tensor 2 "conv/bias"` (`tensor 2 "conv/bias"` without a role). */
  describe(tensor: RuntimeTensor, role: string): string {
    return `${role ? `${role} ` : ""}tensor ${tensor.index} "${tensor.name}"`;
  }

  /** A tensor's quantization parameters, which must hold at least one scale. */
  quantization(tensor: RuntimeTensor, role: string): Quantization {
    const quantization = tensor.quantization;
    if (!quantization || quantization.scale.length === 0) {
      this.unsupported(
        `${this.describe(tensor, role)} (${tensor.dtype}) has no quantization parameters`,
      );
    }
    return quantization;
  }

  /** Throws unless `tensor` has rank `rank`. */
  expectRank(tensor: RuntimeTensor, role: string, rank: number): void {
    if (tensor.shape.length !== rank) {
      this.unsupported(
        `${
          this.describe(tensor, role)
        } has shape [${tensor.shape}]; it must have ${rank} dimensions`,
      );
    }
  }

  /** Throws unless `tensor` has shape `shape`. */
  expectShape(tensor: RuntimeTensor, role: string, shape: readonly number[]): void {
    const same = tensor.shape.length === shape.length &&
      tensor.shape.every((size, axis) => size === shape[axis]);
    if (!same) {
      this.unsupported(
        `${this.describe(tensor, role)} has shape [${tensor.shape}]; it must be [${shape}]`,
      );
    }
  }

  /** Throws unless `tensor` holds `count` elements (`what`: what they are for). */
  expectElements(tensor: RuntimeTensor, role: string, count: number, what: string): void {
    const elements = elementCount(tensor.shape);
    if (elements !== count) {
      this.unsupported(
        `${this.describe(tensor, role)} has ${elements} values for ${count} ${what}`,
      );
    }
  }

  private checkDType(tensor: RuntimeTensor, role: string, dtypes: DType[]): void {
    if (dtypes.length > 0 && !dtypes.includes(tensor.dtype)) {
      this.unsupported(
        `${role} "${tensor.name}" is ${tensor.dtype}; liteq runs this op on ${dtypes.join(", ")}`,
      );
    }
  }

  /**
   * A constant input's values (a copy when they live in wasm memory), dense even when the file
   * stores them sparse; throws when not known at load.
   */
  values(tensor: RuntimeTensor, role: string): TensorData {
    if (!tensor.constant) {
      this.unsupported(`${role} "${tensor.name}" is computed at run time; liteq needs it at load`);
    }
    if (tensor.offset >= 0) {
      return this.memory.view(tensor.dtype, tensor.offset, sizeOf(tensor)).slice();
    }
    if (!tensor.data) this.unsupported(`${role} "${tensor.name}" has no values`);
    try {
      return denseData({ ...tensor, data: tensor.data });
    } catch (error) {
      return this.unsupported(`${role} "${tensor.name}": ${(error as Error).message}`);
    }
  }

  /** A constant integer input (axes, shapes, paddings) as numbers. */
  integers(tensor: RuntimeTensor, role: string): number[] {
    if (tensor.dtype !== "int32" && tensor.dtype !== "int64") {
      this.unsupported(`${role} "${tensor.name}" is ${tensor.dtype}, not int32 or int64`);
    }
    return Array.from(this.values(tensor, role), Number);
  }

  /**
   * Runs `use` with a constant's values in wasm memory: where they already are, or in a
   * temporary copy given back afterwards (for packing weights without keeping the original).
   */
  withConstantInMemory<T>(tensor: RuntimeTensor, role: string, use: (offset: number) => T): T {
    if (tensor.offset >= 0) return use(tensor.offset);
    const values = this.values(tensor, role);
    return this.memory.withTemporary(byteLengthOf(tensor), (offset) => {
      this.memory.bytes(offset, values.byteLength).set(
        new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
      );
      return use(offset);
    });
  }

  /** Stores float32 `values` padded with zeros to a multiple of `multiple`; returns the offset. */
  storePadded(values: ArrayLike<number>, count: number, multiple: number): number {
    const padded = Math.ceil(count / multiple) * multiple;
    const offset = this.memory.allocate(padded * 4);
    const view = this.memory.f32(offset, padded);
    view.fill(0);
    for (let index = 0; index < Math.min(count, values.length); index++) {
      view[index] = values[index];
    }
    return offset;
  }
}
