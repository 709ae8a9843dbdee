/**
 * LiteRT.js (`@litertjs/core`, Google's TFLite runtime: XNNPACK in wasm) under Deno, as the peer
 * in benchmarks. It expects a browser worker, so `importScripts` evaluates the named file
 * (indirect eval, with `__dirname`/`__filename` set) and `require` is Node's. It does not throw
 * when a model fails to prepare: it prints a line starting with `ERROR` and returns garbage, so
 * its output is captured through `Module.print`/`printErr` and checked after each compile.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const WASM_FOLDER = new URL("../node_modules/@litertjs/core/wasm/", import.meta.url);

/** A compiled LiteRT.js model: `run` takes and returns typed arrays. */
export interface LiteRtModel {
  run(
    input: Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>,
  ): Promise<Float32Array | Int32Array | Uint8Array>;
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

/** Loads and compiles a model on LiteRT.js's wasm (CPU) accelerator; throws if it logs ERROR. */
export async function loadLiteRtModel(path: string): Promise<LiteRtModel> {
  loaded ??= install();
  const litert = await loaded;
  const before = log.length;
  const model = await litert.loadAndCompile(new Uint8Array(readFileSync(path)), {
    accelerator: "wasm",
  });
  const errors = log.slice(before).filter((line) => line.startsWith("ERROR"));
  if (errors.length > 0) throw new Error(`LiteRT.js cannot run ${path}: ${errors.join("; ")}`);
  const [input] = model.getInputDetails();
  return {
    async run(values) {
      const tensor = new litert.Tensor(values, input.shape);
      const outputs = await model.run([tensor]);
      tensor.delete();
      const result = outputs[0].toTypedArray() as Float32Array;
      const copy = result.slice();
      for (const output of outputs) output.delete();
      const late = log.slice(before).filter((line) => line.startsWith("ERROR"));
      if (late.length > 0) throw new Error(`LiteRT.js failed on ${path}: ${late.join("; ")}`);
      return copy;
    },
  };
}
