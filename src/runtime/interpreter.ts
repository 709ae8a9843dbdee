/**
 * The interpreter: loads a model, prepares it once (shapes, constants, memory plan) and runs it
 * on the wasm kernels. Shaped like TFLite's Python `Interpreter` and LiteRT.js: input and output
 * details, set an input, invoke, read an output; signature runners for named entry points.
 */
import type { DType } from "../format/dtype.ts";
import type { Model } from "../format/ir.ts";
import { ModelFormatError } from "../format/errors.ts";
import { readModel } from "../format/reader.ts";
import { readSource } from "../io/read_source.ts";
import { KernelMemory, sharedWasmMemory } from "./memory.ts";
import { Program } from "./control_flow/program.ts";
import type { PreparedSubgraph } from "./subgraph.ts";
import { type CustomOp, customOpKernel } from "./custom_op.ts";
import type { OutputArrays } from "./output_arrays.ts";
import { SignatureRunner } from "./signature_runner.ts";
import {
  detailsOf,
  type InputValues,
  type OutputValues,
  pick,
  readOutput,
  readStringBytes,
  readTensor,
  type TensorDetails,
  writeTensor,
} from "./tensor_io.ts";
import {
  type InterpreterThreads,
  requestedThreads,
  threadsUnavailable,
} from "./threads/options.ts";
import { ThreadPool } from "./threads/pool.ts";
import {
  type KernelSources,
  type KernelVariant,
  loadKernels,
  loadSharedKernels,
  resolveVariant,
} from "./wasm.ts";

export type { InputValues, InterpreterThreads, OutputValues, TensorDetails };
export { SignatureRunner };

/** Where a model comes from: its bytes, a parsed `Model`, a file path, or a URL. */
export type ModelSource = Uint8Array | ArrayBuffer | Model | string | URL;

/** Options for `Interpreter.load`. */
export interface InterpreterOptions {
  /** Shapes for the inputs, by position (resolves -1 dimensions; the file's shape otherwise). */
  inputShapes?: (number[] | undefined)[];
  /**
   * Which kernel build to run. `auto` (the default) gives TensorFlow's reference results with
   * the int8 dot product where it can: `relaxed-exact` (relaxed SIMD for integers, float
   * arithmetic unfused, as TFLite computes it) when this engine passes its self-test, plain SIMD
   * otherwise. `relaxed` asks for relaxed SIMD throughout: its float kernels fuse each
   * multiply-add (one rounding instead of two), faster on float models (see the README for the
   * figure) but within rounding of TensorFlow's results rather than equal to them, and deep
   * networks amplify that (by up to 0.16 on pose_landmark_lite's segmentation logits). `simd`
   * asks for plain SIMD.
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
   * The kernels' wasm, when not the builds embedded in liteq: a URL, path, bytes or compiled
   * module of `build/liteq_simd.wasm`, or the builds by variant (`{ simd, relaxed,
   * "relaxed-exact" }`). With `threads` above 1 the threads builds are liteq's embedded ones.
   */
  wasm?: KernelSources;
  /**
   * Most iterations one WHILE may run in one invoke (default 10,000,000): a loop whose condition
   * still holds after that many ends the invoke in an `InvokeError` naming the operator, so that a
   * model that never stops cannot hang a server.
   */
  maxWhileIterations?: number;
  /**
   * Implementations of custom ops, by custom code: they take precedence over liteq's own (the
   * MediaPipe ops it has built in). See `CustomOp`.
   */
  customOps?: Record<string, CustomOp>;
  /**
   * Threads to run on (default 1): the calling thread and `threads - 1` workers started at load,
   * which share the interpreter's wasm memory and divide the heavy ops by rows of their output
   * (convolutions, depthwise convolutions, batched float fully connected layers, large float
   * element-wise ops); other ops, and ops too small to gain, stay on the calling thread. Outputs
   * are the same bits for any count. `"auto"` takes the cores the runtime reports. A whole number
   * from 1 to 64; where there is no shared memory (a page without cross-origin isolation) the
   * interpreter runs on one thread and says why in `threads`. End the workers with `dispose()`;
   * they never keep a process alive.
   */
  threads?: number | "auto";
  /**
   * Whose integer arithmetic the int8 layers follow, bit for bit: `reference` (default),
   * TensorFlow Lite's reference kernels (TFLite's fixed-point requantization); or `xnnpack`,
   * what XNNPACK computes (LiteRT.js's and TensorFlow Lite's default CPU path): float32
   * requantization of convolutions, fully connected and depthwise layers, and XNNPACK's own
   * formulas for QUANTIZE and ADD. The two differ by one step on a small share of values.
   */
  arithmetic?: "reference" | "xnnpack";
}

function isModel(source: ModelSource): source is Model {
  return typeof source === "object" && source !== null && "subgraphs" in source;
}

/** Reads a model from any `ModelSource`. */
export async function loadModelSource(source: ModelSource): Promise<Model> {
  if (isModel(source)) return source;
  if (source instanceof Uint8Array) return readModel(source);
  if (source instanceof ArrayBuffer) return readModel(new Uint8Array(source));
  return readModel(await readSource(source));
}

/**
 * A loaded, prepared model. Create with `Interpreter.load`; `dispose()` (or a `using`
 * declaration) ends its worker threads and lets go of its memory.
 */
export class Interpreter {
  /** The prepared subgraphs and what they share. */
  private readonly program: Program;
  private readonly runners = new Map<string, SignatureRunner>();
  /** The memory and the prepared main subgraph, until `dispose`. */
  private state: { memory: KernelMemory; main: PreparedSubgraph } | null;

  private constructor(
    /** The model being run. */
    readonly model: Model,
    memory: KernelMemory,
    /** The kernel build in use. */
    readonly kernelVariant: KernelVariant,
    /** The threads it runs on: how many, and why fewer than asked for. */
    readonly threads: InterpreterThreads,
    private readonly pool: ThreadPool | undefined,
    options: InterpreterOptions,
  ) {
    this.program = new Program(model, memory, {
      arithmetic: options.arithmetic,
      maxElements: options.maxElements,
      maxWhileIterations: options.maxWhileIterations,
      customKernels: new Map(
        Object.entries(options.customOps ?? {}).map(([name, op]) => [name, customOpKernel(op)]),
      ),
      pool,
    });
    this.state = { memory, main: this.program.prepare(0, options.inputShapes) };
  }

  /** The wasm memory; throws once disposed. */
  private get memory(): KernelMemory {
    return this.live().memory;
  }

  /** The prepared main subgraph; throws once disposed. */
  private get main(): PreparedSubgraph {
    return this.live().main;
  }

  /** What the interpreter holds until `dispose`; throws after. */
  private live(): { memory: KernelMemory; main: PreparedSubgraph } {
    if (!this.state) throw new Error("the interpreter was disposed");
    return this.state;
  }

  /**
   * Loads and prepares a model. Everything it cannot run is reported here, as an
   * `UnsupportedModelError` naming the operator, op, version and reason.
   */
  static async load(source: ModelSource, options: InterpreterOptions = {}): Promise<Interpreter> {
    const model = await loadModelSource(source);
    if (model.subgraphs.length === 0) throw new ModelFormatError("", "the model has no subgraphs");
    const build = options.kernels ?? "auto";
    const variant = await resolveVariant(build, options.wasm);
    const requested = await requestedThreads(options.threads);
    const fallback = requested > 1 ? threadsUnavailable() : null;
    const threads = { requested, count: fallback ? 1 : requested, fallback };
    const single = async (threads: InterpreterThreads) => {
      const kernels = await loadKernels(variant, options.wasm);
      const memory = new KernelMemory(kernels, options.memoryBudget);
      return new Interpreter(model, memory, variant, threads, undefined, options);
    };
    if (threads.count === 1) return single(threads);
    const shared = sharedWasmMemory(options.memoryBudget);
    const { kernels, module } = await loadSharedKernels(variant, shared);
    const memory = new KernelMemory(kernels, options.memoryBudget);
    // The ops are prepared before the workers start: a model none of whose ops would divide
    // runs on one thread, its plain build a little faster than the shared-memory one (measured:
    // seed_mnist 1.04x), and starts no workers. Steps prepared at invoke, or a signature's
    // subgraph prepared later, might divide: those keep their threads.
    const pool = ThreadPool.create(threads.count - 1, memory);
    const interpreter = new Interpreter(model, memory, variant, threads, pool, options);
    const later = interpreter.program.preparesAtInvoke ||
      model.signatures.some((signature) => signature.subgraphIndex !== 0);
    if (pool.dividesAny || later) {
      try {
        await pool.startWorkers(module);
      } catch (error) {
        interpreter.dispose();
        throw error;
      }
      return interpreter;
    }
    interpreter.dispose();
    return single({
      requested,
      count: 1,
      fallback: "no op of this model has work enough to divide among threads (each is under " +
        `${pool.minWork} multiply-adds)`,
    });
  }

  /**
   * Ends the worker threads and lets go of the wasm memory; the interpreter cannot run after.
   * Needed only to free them early: they never keep a process alive.
   */
  dispose(): void {
    this.pool?.dispose();
    this.state = null;
    this.runners.clear();
  }

  /** `dispose()`, for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
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

  /**
   * Copies values into input `which` (position or name): for a string input, strings (written
   * as UTF-8) or `Uint8Array` byte strings.
   */
  setInput(which: number | string, values: InputValues): void {
    this.main.wakeThreads();
    writeTensor(this.memory, pick(this.main.inputs, which, "input"), values, "input");
  }

  /** Runs the model on the inputs set. */
  invoke(): void {
    this.main.invoke();
  }

  /**
   * A copy of output `which` (position or name) after `invoke`: a typed array, or for a string
   * output its strings (decoded from UTF-8; `outputStringBytes` gives the bytes).
   */
  output(which: number | string): OutputValues;
  /**
   * Output `which` after `invoke` as `dtype`'s typed array (`output(0, "int8")` is an
   * `Int8Array`); a TypeError if it holds another dtype.
   */
  output<D extends keyof OutputArrays>(which: number | string, dtype: D): OutputArrays[D];
  output(which: number | string, dtype?: DType): OutputValues {
    return readOutput(this.memory, pick(this.main.outputs, which, "output"), dtype);
  }

  /** String output `which` after `invoke` as byte strings; a TypeError if it is not string. */
  outputStringBytes(which: number | string): Uint8Array[] {
    return readStringBytes(pick(this.main.outputs, which, "output"));
  }

  /** Output `which` after `invoke` as a `Float32Array`; a TypeError if it is not float32. */
  outputFloat32(which: number | string): Float32Array {
    return this.output(which, "float32");
  }

  /** Sets the inputs in order, invokes, and returns every output (see `output`). */
  run(inputs: InputValues[]): OutputValues[] {
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
      const subgraph = index === 0 ? this.main : this.program.prepare(index);
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
