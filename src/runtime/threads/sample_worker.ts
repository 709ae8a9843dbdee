/**
 * A whole-sample worker: the module a `SamplePool` starts in each of its workers. It loads the
 * model it is sent on a one-thread interpreter of its own, then runs each sample it is sent and
 * answers with the sample's outputs, or with each output's range (`FloatRange`) when that is all
 * the caller keeps. It listens on `self` as a web worker (Deno, Bun, browsers), on
 * `worker_threads`' port in Node, as the pool starts it.
 */
import type { TensorData } from "../../format/dtype.ts";
import type { OutputValues } from "../tensor_io.ts";
import { Interpreter, type InterpreterOptions, type TensorDetails } from "../interpreter.ts";
import { type FloatRange, floatRange } from "../samples.ts";

/** The interpreter options a worker loads its model with (those that can be posted). */
export type SampleWorkerOptions =
  & Pick<
    InterpreterOptions,
    "inputShapes" | "kernels" | "maxElements" | "memoryBudget" | "maxWhileIterations" | "arithmetic"
  >
  & {
    /** As `InterpreterOptions.wasm`, with URLs as strings (a `URL` cannot be posted). */
    wasm?: InterpreterOptions["wasm"];
  };

/** What the pool posts to a worker: the model to load once, then samples to run. */
export type SampleRequest =
  | { kind: "load"; model: Uint8Array; options: SampleWorkerOptions }
  | { kind: "run"; sample: number; inputs: TensorData[]; ranges: boolean };

/** An error of the worker's interpreter, as posted: enough to throw it again in the caller. */
export interface PostedError {
  name: string;
  message: string;
  /** `UnsupportedModelError`'s and `InvokeError`'s fields. */
  where?: string;
  reason?: string;
}

/** What a worker posts back: loaded (with the model's tensors), a sample's result, or a failure. */
export type SampleReply =
  | { kind: "loaded"; inputs: TensorDetails[]; outputs: TensorDetails[] }
  | {
    kind: "result";
    sample: number;
    outputs?: OutputValues[];
    shapes?: number[][];
    ranges?: FloatRange[];
  }
  | { kind: "error"; sample: number | null; error: PostedError };

/** An error as the worker posts it. */
function posted(error: unknown): PostedError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const { where, reason } = error as { where?: unknown; reason?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(typeof where === "string" && typeof reason === "string" ? { where, reason } : {}),
  };
}

let interpreter: Interpreter | undefined;

/** Answers one request. */
async function handle(request: SampleRequest): Promise<[SampleReply, Transferable[]]> {
  if (request.kind === "load") {
    try {
      interpreter = await Interpreter.load(request.model, request.options);
      const reply: SampleReply = {
        kind: "loaded",
        inputs: interpreter.inputDetails(),
        outputs: interpreter.outputDetails(),
      };
      return [reply, []];
    } catch (error) {
      return [{ kind: "error", sample: null, error: posted(error) }, []];
    }
  }
  try {
    const outputs = interpreter!.run(request.inputs);
    if (request.ranges) {
      const ranges = outputs.map((output) => floatRange(output as Float32Array));
      return [{ kind: "result", sample: request.sample, ranges }, []];
    }
    const buffers = new Set(
      outputs.flatMap((output) => ArrayBuffer.isView(output) ? [output.buffer as ArrayBuffer] : []),
    );
    const shapes = interpreter!.outputDetails().map((detail) => detail.shape);
    return [{ kind: "result", sample: request.sample, outputs, shapes }, [...buffers]];
  } catch (error) {
    return [{ kind: "error", sample: request.sample, error: posted(error) }, []];
  }
}

/** Answers each request, in the order they came: a run waits for the load before it. */
function serve(post: (reply: SampleReply, transfer: Transferable[]) => void) {
  let previous: Promise<void> = Promise.resolve();
  return (request: SampleRequest) => {
    previous = previous.then(() => handle(request)).then(([reply, transfer]) =>
      post(reply, transfer)
    );
  };
}

const scope = globalThis as unknown as {
  onmessage: (event: MessageEvent<SampleRequest>) => void;
  postMessage?(reply: SampleReply, transfer: Transferable[]): void;
};
if (typeof scope.postMessage !== "function") {
  // A specifier built at run time, so that bundlers for the browser neither follow nor keep it.
  // The port keeps what arrives until it has a listener.
  const specifier = ["node", "worker_threads"].join(":");
  const { parentPort } = await import(specifier);
  parentPort.on("message", serve((reply, transfer) => parentPort.postMessage(reply, transfer)));
} else {
  // Set before this module yields, so that no message arrives before it.
  const answer = serve((reply, transfer) => scope.postMessage!(reply, transfer));
  scope.onmessage = (event) => answer(event.data);
}
