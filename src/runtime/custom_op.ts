/**
 * The public API for custom ops: a caller registers an implementation by custom code
 * (`Interpreter.load(model, { customOps: { Name: op } })`). At load, `prepare` sees the operator's
 * custom options bytes and its tensors (dtype, shape, quantization, and the values of constants),
 * sets its outputs' shapes and returns the invoke stage, which reads the inputs and writes the
 * outputs at every invoke. What `prepare` throws becomes an `UnsupportedModelError` naming the
 * operator, at load.
 */
import { quantizationDetails } from "./tensor_io.ts";
import type { DType, TensorData } from "../format/dtype.ts";
import { type FlexValue, readFlexBuffer } from "../format/flexbuffers.ts";
import { type OpContext, type OpKernel, type PreparedOp, UnsupportedModelError } from "./op.ts";
import { byteLengthOf, type RuntimeTensor, sizeOf } from "./tensor.ts";

/** A tensor of a custom operator, as `prepare` sees it. */
export interface CustomOpTensor {
  /** The tensor's name in the model. */
  readonly name: string;
  /** Its element type (an output's is the file's and cannot change). */
  readonly dtype: DType;
  /** Its shape: an input's as resolved at load; an output's, set it in `prepare` (the file's by default). */
  shape: number[];
  /** Linear quantization (`real = scale * (q - zeroPoint)`), or null for float tensors. */
  readonly quantization:
    | { scale: number[]; zeroPoint: number[]; quantizedDimension: number }
    | null;
  /** Its values when known at load (weights, constants), else null. */
  readonly values: TensorData | null;
}

/** What `prepare` is given: the operator's options and tensors. */
export interface CustomOpContext {
  /** The custom code (`Convolution2DTransposeBias`). */
  readonly name: string;
  /** How errors name the operator (`operator 244 Convolution2DTransposeBias (version 1)`). */
  readonly where: string;
  /** The raw custom options bytes (often a FlexBuffer, sometimes a C struct), or null. */
  readonly customOptions: Uint8Array | null;
  /** The custom options read as a FlexBuffer (a map of option names, usually). */
  flexOptions(): FlexValue;
  /** The input tensors (null where an optional input is omitted). */
  readonly inputs: readonly (CustomOpTensor | null)[];
  /** The output tensors: set their shapes here. */
  readonly outputs: readonly CustomOpTensor[];
}

/**
 * The invoke stage: reads `inputs` (null where omitted) and writes every element of `outputs`.
 * Both are views of the interpreter's memory, valid during the call only.
 */
export type CustomOpInvoke = (
  inputs: readonly (TensorData | null)[],
  outputs: readonly TensorData[],
) => void;

/**
 * A custom op's implementation, registered by custom code in `InterpreterOptions.customOps`.
 *
 * ```ts
 * import { type CustomOp, Interpreter } from "./mod.ts";
 *
 * // y = x * factor, with the factor in a FlexBuffer map of options.
 * const scale: CustomOp = {
 *   prepare(context) {
 *     const { factor } = context.flexOptions() as { factor: number };
 *     context.outputs[0].shape = [...context.inputs[0]!.shape];
 *     return ([x], [y]) => {
 *       for (let i = 0; i < y.length; i++) y[i] = Number(x![i]) * factor;
 *     };
 *   },
 * };
 * const interpreter = await Interpreter.load("model.tflite", { customOps: { Scale: scale } });
 * ```
 */
export interface CustomOp {
  /**
   * At load, once per operator: checks the tensors and options (throw an `Error` to refuse the
   * model), sets the outputs' shapes, and returns the invoke stage.
   */
  prepare(context: CustomOpContext): CustomOpInvoke;
}

function describe(tensor: RuntimeTensor, context: OpContext): CustomOpTensor {
  const quantization = quantizationDetails(tensor);
  return {
    name: tensor.name,
    dtype: tensor.dtype,
    get shape() {
      return [...tensor.shape];
    },
    set shape(shape: number[]) {
      tensor.shape = [...shape];
    },
    quantization,
    get values() {
      return tensor.constant ? context.values(tensor, `tensor "${tensor.name}"`) : null;
    },
  };
}

/** The kernel that runs a caller's `CustomOp`: never computed at load, even on constants. */
export function customOpKernel(op: CustomOp): OpKernel {
  return (context: OpContext): PreparedOp => {
    const { operator } = context;
    const inputs = context.inputs.map((tensor) => tensor && describe(tensor, context));
    const outputs = context.outputs.map((tensor) => describe(tensor, context));
    let invoke: CustomOpInvoke;
    try {
      invoke = op.prepare({
        name: operator.op,
        where: context.where,
        customOptions: operator.customOptions,
        flexOptions: () => {
          if (!operator.customOptions) throw new Error("the operator has no custom options");
          return readFlexBuffer(operator.customOptions, context.where);
        },
        inputs,
        outputs,
      });
    } catch (error) {
      if (error instanceof UnsupportedModelError) throw error;
      throw new UnsupportedModelError(context.where, (error as Error).message);
    }
    for (const tensor of [...context.inputs, ...context.outputs]) {
      if (tensor) byteLengthOf(tensor); // a dtype the interpreter cannot hold is refused here
    }
    const memory = context.memory;
    const view = (tensor: RuntimeTensor) =>
      memory.view(tensor.dtype, tensor.offset, sizeOf(tensor));
    return {
      run: () =>
        invoke(
          context.inputs.map((tensor) => tensor && view(tensor)),
          context.outputs.map(view),
        ),
      stateful: true,
    };
  };
}
