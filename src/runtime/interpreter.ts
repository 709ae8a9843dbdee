/**
 * The interpreter: loads a model, prepares it once (shapes, constants, memory plan) and runs it
 * on the wasm kernels. Shaped like TFLite's Python `Interpreter` and LiteRT.js: input and output
 * details, set an input, invoke, read an output; signature runners for named entry points.
 */
import { type DType, elementCount, type TensorData } from "../format/dtype.ts";
import type { Model } from "../format/ir.ts";
import { ModelFormatError } from "../format/errors.ts";
import { readModel } from "../format/reader.ts";
import { readBytes, readUrl } from "../io/files.ts";
import { KernelMemory } from "./memory.ts";
import { useArithmetic } from "./op.ts";
import { PreparedSubgraph } from "./subgraph.ts";
import type { RuntimeTensor } from "./tensor.ts";
import { type KernelVariant, loadKernels, relaxedSimdWorks, resolveVariant } from "./wasm.ts";

/** What a model input or output is: name, shape, dtype and quantization. */
export interface TensorDetails {
  /** The tensor's name in the model, or for a signature runner the name the signature gives it. */
  name: string;
  /** Index of the tensor in its subgraph. */
  index: number;
  /** The shape the interpreter runs with (batch and dynamic dimensions resolved). */
  shape: number[];
  /** The file's shape signature: -1 marks a dimension that can be resized. */
  shapeSignature: number[];
  /** Element type of the values to set or read (`int8` for a quantized input, not `float32`). */
  dtype: DType;
  /** Linear quantization (`real = scale * (q - zeroPoint)`), or null for float tensors. */
  quantization: { scale: number[]; zeroPoint: number[]; quantizedDimension: number } | null;
}

/** Where a model comes from: its bytes, a parsed `Model`, a file path, or a URL. */
export type ModelSource = Uint8Array | ArrayBuffer | Model | string | URL;

/** Options for `Interpreter.load`. */
export interface InterpreterOptions {
  /** Shapes for the inputs, by position (resolves -1 dimensions; the file's shape otherwise). */
  inputShapes?: (number[] | undefined)[];
  /**
   * Which kernel build to run: `auto` (default) takes relaxed SIMD (fused multiply-adds in the
   * float kernels, the int8 dot product) when this engine passes its self-test, plain SIMD
   * otherwise; for models with hybrid layers, whose on-the-fly quantization must see float
   * activations exactly as TFLite's kernels compute them, `relaxed-exact` (relaxed SIMD for
   * integers only, unfused float arithmetic: TFLite's reference results bit for bit) where
   * relaxed SIMD works, plain SIMD otherwise.
   */
  kernels?: KernelVariant | "auto";
  /**
   * Most elements any tensor may have, as given in the file or computed at load (default 2^28,
   * as `readModel`'s); a larger shape is a `ModelFormatError` naming the operator and tensor.
   */
  maxElements?: number;
  /**
   * Most bytes of wasm memory the interpreter may use: constants, packed weights and the
   * activation arena (default 1 GiB). A model that needs more is refused at load with an
   * `UnsupportedModelError` giving the figure.
   */
  memoryBudget?: number;
  /**
   * Whose integer arithmetic the int8 layers follow, bit for bit: `reference` (default),
   * TensorFlow Lite's reference kernels (TFLite's fixed-point requantization); or `xnnpack`,
   * what XNNPACK computes (LiteRT.js's and TensorFlow Lite's default CPU path): float32
   * requantization of convolutions, fully connected and depthwise layers, and XNNPACK's own
   * formulas for QUANTIZE and ADD. The two differ by one step on a small share of values.
   */
  arithmetic?: "reference" | "xnnpack";
}

/** The input values a caller may pass: a typed array of the input's dtype, or plain numbers. */
export type InputValues = TensorData | ArrayLike<number>;

function isModel(source: ModelSource): source is Model {
  return typeof source === "object" && source !== null && "subgraphs" in source;
}

/** Whether some operator meets float32 activations (input 0) with int8 weights (input 1). */
function hasHybridLayers(model: Model): boolean {
  return model.subgraphs.some(({ operators, tensors }) =>
    operators.some(({ inputs }) =>
      tensors[inputs[0]]?.dtype === "float32" && tensors[inputs[1]]?.dtype === "int8"
    )
  );
}

/** Reads a model from any `ModelSource`. */
export async function loadModelSource(source: ModelSource): Promise<Model> {
  if (isModel(source)) return source;
  if (source instanceof Uint8Array) return readModel(source);
  if (source instanceof ArrayBuffer) return readModel(new Uint8Array(source));
  if (source instanceof URL) return readModel(await readUrl(source));
  if (/^(https?|file|data|blob):/.test(source)) return readModel(await readUrl(new URL(source)));
  return readModel(await readBytes(source));
}

function detailsOf(model: Model, subgraphIndex: number, tensor: RuntimeTensor, name = tensor.name) {
  const fileTensor = model.subgraphs[subgraphIndex].tensors[tensor.index];
  const quantization = tensor.quantization && tensor.quantization.scale.length > 0
    ? {
      scale: [...tensor.quantization.scale],
      zeroPoint: [...tensor.quantization.zeroPoint],
      quantizedDimension: tensor.quantization.quantizedDimension,
    }
    : null;
  return {
    name,
    index: tensor.index,
    shape: [...tensor.shape],
    shapeSignature: [...(fileTensor.shapeSignature ?? fileTensor.shape)],
    dtype: tensor.dtype,
    quantization,
  };
}

/** Copies `values` into a tensor's memory, checking count and type. */
function writeTensor(
  memory: KernelMemory,
  tensor: RuntimeTensor,
  values: InputValues,
  role: string,
) {
  const count = elementCount(tensor.shape);
  if (values.length !== count) {
    throw new RangeError(
      `${role} "${tensor.name}" takes ${count} values (shape [${tensor.shape}]), got ${values.length}`,
    );
  }
  const target = memory.view(tensor.dtype, tensor.offset, count);
  const bigint = target instanceof BigInt64Array || target instanceof BigUint64Array;
  const sameType = Object.getPrototypeOf(values) === Object.getPrototypeOf(target);
  if (sameType) {
    target.set(values as never);
  } else if (bigint) {
    for (let index = 0; index < count; index++) target[index] = BigInt(Number(values[index]));
  } else {
    for (let index = 0; index < count; index++) {
      const value = Number(values[index]);
      if (Number.isNaN(value) && tensor.dtype !== "float32" && tensor.dtype !== "float64") {
        throw new TypeError(
          `${role} "${tensor.name}" is ${tensor.dtype}; value ${index} is not a number`,
        );
      }
      target[index] = value;
    }
  }
}

function readTensor(memory: KernelMemory, tensor: RuntimeTensor): TensorData {
  return memory.view(tensor.dtype, tensor.offset, elementCount(tensor.shape)).slice();
}

/** Finds a tensor by position or name among `tensors`. */
function pick(tensors: RuntimeTensor[], which: number | string, role: string): RuntimeTensor {
  const tensor = typeof which === "number"
    ? tensors[which]
    : tensors.find((candidate) => candidate.name === which);
  if (!tensor) {
    const names = tensors.map((candidate) => `"${candidate.name}"`).join(", ");
    throw new RangeError(`no ${role} ${JSON.stringify(which)}; the ${role}s are ${names}`);
  }
  return tensor;
}

/** Runs one signature (a named entry point) by its input and output names. */
export class SignatureRunner {
  /** @internal */
  constructor(
    private readonly memory: KernelMemory,
    private readonly subgraph: PreparedSubgraph,
    private readonly model: Model,
    private readonly subgraphIndex: number,
    private readonly inputNames: Map<string, RuntimeTensor>,
    private readonly outputNames: Map<string, RuntimeTensor>,
  ) {}

  /** The signature's inputs, named as the signature names them. */
  inputDetails(): TensorDetails[] {
    return [...this.inputNames].map(([name, tensor]) =>
      detailsOf(this.model, this.subgraphIndex, tensor, name)
    );
  }

  /** The signature's outputs, named as the signature names them. */
  outputDetails(): TensorDetails[] {
    return [...this.outputNames].map(([name, tensor]) =>
      detailsOf(this.model, this.subgraphIndex, tensor, name)
    );
  }

  /** Sets every input by name, invokes, and returns every output by name. */
  run(inputs: Record<string, InputValues>): Record<string, TensorData> {
    for (const name of this.inputNames.keys()) {
      if (!(name in inputs)) throw new RangeError(`signature input "${name}" is missing`);
    }
    for (const [name, values] of Object.entries(inputs)) {
      const tensor = this.inputNames.get(name);
      if (!tensor) {
        throw new RangeError(
          `no signature input "${name}"; they are ${[...this.inputNames.keys()]}`,
        );
      }
      writeTensor(this.memory, tensor, values, "input");
    }
    this.subgraph.invoke();
    return Object.fromEntries(
      [...this.outputNames].map(([name, tensor]) => [name, readTensor(this.memory, tensor)]),
    );
  }
}

/** A loaded, prepared model. Create with `Interpreter.load`. */
export class Interpreter {
  private main: PreparedSubgraph;
  private readonly maxElements?: number;
  private readonly runners = new Map<string, SignatureRunner>();

  private constructor(
    /** The model being run. */
    readonly model: Model,
    private readonly memory: KernelMemory,
    /** The kernel build in use. */
    readonly kernelVariant: KernelVariant,
    options: InterpreterOptions,
  ) {
    useArithmetic(memory, options.arithmetic ?? "reference");
    this.main = new PreparedSubgraph(
      model,
      0,
      memory,
      options.inputShapes,
      options.maxElements,
    );
    this.maxElements = options.maxElements;
  }

  /**
   * Loads and prepares a model. Everything it cannot run is reported here, as an
   * `UnsupportedModelError` naming the operator, op, version and reason.
   */
  static async load(source: ModelSource, options: InterpreterOptions = {}): Promise<Interpreter> {
    const model = await loadModelSource(source);
    if (model.subgraphs.length === 0) throw new ModelFormatError("", "the model has no subgraphs");
    const requested = options.kernels ?? "auto";
    const variant = requested === "auto" && hasHybridLayers(model)
      ? ((await relaxedSimdWorks()) ? "relaxed-exact" : "simd")
      : await resolveVariant(requested);
    const kernels = await loadKernels(variant);
    const memory = new KernelMemory(kernels, options.memoryBudget);
    return new Interpreter(model, memory, variant, options);
  }

  /** The main subgraph's inputs. */
  inputDetails(): TensorDetails[] {
    return this.main.inputs.map((tensor) => detailsOf(this.model, 0, tensor));
  }

  /** The main subgraph's outputs. */
  outputDetails(): TensorDetails[] {
    return this.main.outputs.map((tensor) => detailsOf(this.model, 0, tensor));
  }

  /** Bytes of wasm memory the interpreter uses (constants, packed weights, activations). */
  get memoryBytes(): number {
    return this.memory.used;
  }

  /** Copies values into input `which` (position or name). */
  setInput(which: number | string, values: InputValues): void {
    writeTensor(this.memory, pick(this.main.inputs, which, "input"), values, "input");
  }

  /** Runs the model on the inputs set. */
  invoke(): void {
    this.main.invoke();
  }

  /** A copy of output `which` (position or name) after `invoke`. */
  output(which: number | string): TensorData {
    return readTensor(this.memory, pick(this.main.outputs, which, "output"));
  }

  /** Sets the inputs in order, invokes, and returns every output. */
  run(inputs: InputValues[]): TensorData[] {
    if (inputs.length !== this.main.inputs.length) {
      throw new RangeError(
        `the model takes ${this.main.inputs.length} inputs, got ${inputs.length}`,
      );
    }
    inputs.forEach((values, position) => this.setInput(position, values));
    this.invoke();
    return this.main.outputs.map((tensor) => readTensor(this.memory, tensor));
  }

  /** The signatures: key, input names and output names. */
  signatures(): { key: string; inputs: string[]; outputs: string[] }[] {
    return this.model.signatures.map((signature) => ({
      key: signature.key,
      inputs: signature.inputs.map((input) => input.name),
      outputs: signature.outputs.map((output) => output.name),
    }));
  }

  /** The runner of signature `key` (the only one when omitted); prepared on first request. */
  signatureRunner(key?: string): SignatureRunner {
    const signatures = this.model.signatures;
    const signature = key === undefined && signatures.length === 1
      ? signatures[0]
      : signatures.find((candidate) => candidate.key === key);
    if (!signature) {
      const keys = signatures.map((candidate) => `"${candidate.key}"`).join(", ") || "none";
      throw new RangeError(
        `no signature ${JSON.stringify(key ?? null)}; the signatures are ${keys}`,
      );
    }
    let runner = this.runners.get(signature.key);
    if (!runner) {
      const index = signature.subgraphIndex;
      const subgraph = index === 0
        ? this.main
        : new PreparedSubgraph(this.model, index, this.memory, [], this.maxElements);
      const named = (entries: { name: string; tensorIndex: number }[]) =>
        new Map(entries.map((entry) => [entry.name, subgraph.tensors[entry.tensorIndex]]));
      runner = new SignatureRunner(
        this.memory,
        subgraph,
        this.model,
        index,
        named(signature.inputs),
        named(signature.outputs),
      );
      this.runners.set(signature.key, runner);
    }
    return runner;
  }
}
