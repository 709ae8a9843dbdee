/**
 * LiteRT.js (`@litertjs/core`, Google's TFLite runtime: XNNPACK in wasm) under Deno, as the peer
 * in benchmarks. It expects a browser worker, so `importScripts` evaluates the named file
 * (indirect eval, with `__dirname`/`__filename` set) and `require` is Node's. It does not throw
 * when a model fails to prepare: it prints a line starting with `ERROR` and returns garbage, so
 * its output is captured through `Module.print`/`printErr` and checked after each compile. It
 * cannot take an input with a dynamic dimension (-1, as Keras leaves the batch; its API has no
 * resize: making the input tensor throws `ERROR: [...litert_layout.h:140]`), so models can be
 * handed to it with every -1 dimension pinned to 1 (`pin_batch.ts`). It refuses INT8 input and
 * output tensors ("Element type INT8 is not supported").
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const WASM_FOLDER = new URL("../node_modules/@litertjs/core/wasm/", import.meta.url);

/** A compiled LiteRT.js model: `run` takes and returns typed arrays. */
export interface LiteRtModel {
  /** The first input's shape. */
  inputShape: number[];
  run(
    input: Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>,
  ): Promise<Float32Array | Int32Array | Uint8Array>;
  /** Frees the model's memory in LiteRT.js's wasm heap. */
  delete(): void;
}

const log: string[] = [];
let loaded: Promise<typeof import("npm:@litertjs/core@2.5.3")> | undefined;

function install(): Promise<typeof import("npm:@litertjs/core@2.5.3")> {
  const scope = globalThis as Record<string, unknown>;
  scope.Module = {
    print: (line: string) => log.push(line),
    printErr: (line: string) => log.push(line),
  };
  scope.require = createRequire(import.meta.url);
  scope.importScripts = (...urls: string[]) => {
    for (const url of urls) {
      const path = url.startsWith("file:") ? fileURLToPath(url) : url;
      scope.__filename = path;
      scope.__dirname = dirname(path);
      (0, eval)(readFileSync(path, "utf8"));
    }
  };
  return import("npm:@litertjs/core@2.5.3").then(async (litert) => {
    await litert.loadLiteRt(fileURLToPath(WASM_FOLDER));
    return litert;
  });
}

/** Imports LiteRT.js and loads its wasm runtime, once; later calls return the same promise. */
export function loadLiteRtRuntime(): Promise<typeof import("npm:@litertjs/core@2.5.3")> {
  loaded ??= install();
  return loaded;
}

/**
 * Loads and compiles a model on LiteRT.js's wasm (CPU) accelerator; throws if it logs ERROR.
 * `pinBatch` pins its -1 dimensions to 1 first (`pin_batch.ts`, imported only then, so that a
 * cold start of LiteRT.js loads nothing of liteq).
 */
export async function loadLiteRtModel(path: string, pinBatch = false): Promise<LiteRtModel> {
  const litert = await loadLiteRtRuntime();
  let bytes: Uint8Array = new Uint8Array(readFileSync(path));
  if (pinBatch) bytes = (await import("./pin_batch.ts")).pinnedBatch(bytes);
  const before = log.length;
  const model = await litert.loadAndCompile(bytes, {
    accelerator: "wasm",
  });
  const errors = log.slice(before).filter((line) => line.startsWith("ERROR"));
  if (errors.length > 0) throw new Error(`LiteRT.js cannot run ${path}: ${errors.join("; ")}`);
  const [input] = model.getInputDetails();
  return {
    inputShape: [...input.shape],
    async run(values) {
      let tensor;
      try {
        tensor = new litert.Tensor(values, input.shape);
      } catch (error) {
        const shape = `[${input.shape.join(", ")}]`;
        throw new Error(
          `LiteRT.js cannot make ${path}'s input ${shape}: ${(error as Error).message}`,
        );
      }
      const outputs = await model.run([tensor]);
      tensor.delete();
      const result = outputs[0].toTypedArray() as Float32Array;
      const copy = result.slice();
      for (const output of outputs) output.delete();
      const late = log.slice(before).filter((line) => line.startsWith("ERROR"));
      if (late.length > 0) throw new Error(`LiteRT.js failed on ${path}: ${late.join("; ")}`);
      return copy;
    },
    delete: () => model.delete(),
  };
}
