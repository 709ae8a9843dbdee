/**
 * What an op kernel sees while the interpreter prepares a model, and what it gives back. A kernel
 * checks its inputs, sets its outputs' shapes, prepares constants (packing weights into wasm
 * memory) and returns the function that runs it. Anything it cannot run is an
 * `UnsupportedModelError` thrown here, at load, never at the first invoke.
 */
import type { DType, TensorData } from "../format/dtype.ts";
import type { Operator } from "../format/ir.ts";
import type { PlainObject } from "../format/plain.ts";
import type { KernelMemory } from "./memory.ts";
import { byteLengthOf, type RuntimeTensor, sizeOf } from "./tensor.ts";
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
}

/** Prepares one operator: checks it, sets output shapes, returns how to run it. */
export type OpKernel = (context: OpContext) => PreparedOp;

/**
 * Whose integer arithmetic the int8 kernels follow: TensorFlow Lite's reference kernels, or
 * XNNPACK's (see `InterpreterOptions.arithmetic`).
 */
export type Arithmetic = "reference" | "xnnpack";

/** The arithmetic of each interpreter, by its memory (one per interpreter). */
const ARITHMETIC = new WeakMap<KernelMemory, Arithmetic>();

/** Makes the ops prepared over `memory` follow `arithmetic` (the interpreter, at load). */
export function useArithmetic(memory: KernelMemory, arithmetic: Arithmetic): void {
  ARITHMETIC.set(memory, arithmetic);
}

/** One operator being prepared. */
export class OpContext {
  /**
   * @param operator the IR operator
   * @param where how errors name it (`operator 3 CONV_2D (version 2)`)
   * @param inputs its input tensors (null where an optional input is omitted)
   * @param outputs its output tensors
   * @param memory the interpreter's wasm memory
   */
  constructor(
    readonly operator: Operator,
    readonly where: string,
    readonly inputs: (RuntimeTensor | null)[],
    readonly outputs: RuntimeTensor[],
    readonly memory: KernelMemory,
  ) {}

  /** The kernels' exports. */
  get kernels(): KernelExports {
    return this.memory.kernels;
  }

  /** Whose integer arithmetic this interpreter follows (`reference` unless set at load). */
  get arithmetic(): Arithmetic {
    return ARITHMETIC.get(this.memory) ?? "reference";
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

  private checkDType(tensor: RuntimeTensor, role: string, dtypes: DType[]): void {
    if (dtypes.length > 0 && !dtypes.includes(tensor.dtype)) {
      this.unsupported(
        `${role} "${tensor.name}" is ${tensor.dtype}; liteq runs this op on ${dtypes.join(", ")}`,
      );
    }
  }

  /** A constant input's values (a copy when they live in wasm memory); throws when not known at load. */
  values(tensor: RuntimeTensor, role: string): TensorData {
    if (!tensor.constant) {
      this.unsupported(`${role} "${tensor.name}" is computed at run time; liteq needs it at load`);
    }
    if (tensor.offset >= 0) {
      return this.memory.view(tensor.dtype, tensor.offset, sizeOf(tensor)).slice();
    }
    if (!tensor.data) this.unsupported(`${role} "${tensor.name}" has no values`);
    return tensor.data;
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
