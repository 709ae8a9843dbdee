/**
 * One fuzz case, run where a hang or a crash cannot take the fuzzer down (a worker): the bytes go
 * through read, load (with every signature's runner), invoke on fixed inputs, write and read
 * again. A `ModelFormatError` or an
 * `UnsupportedModelError` keeps liteq's promise ("typed"); anything else breaks it ("untyped").
 */
import {
  Interpreter,
  ModelFormatError,
  readModel,
  UnsupportedModelError,
  writeModel,
} from "../../mod.ts";
import { elementCount, typedArrayOver } from "../../src/format/dtype.ts";

/** How a case ended. `timeout` and `crash` are told by the driver, which watches the worker. */
export type Outcome = "ok" | "typed" | "untyped" | "timeout" | "crash";

/** Where in the pipeline a case ended (`write`: the driver's writing of the mutated model). */
export type Stage = "write" | "read" | "load" | "invoke" | "rewrite" | "done";

/** What one case did. */
export interface CaseResult {
  outcome: Outcome;
  stage: Stage;
  /** `Name: message` of the error, if any. */
  error?: string;
  /** The stack frames inside liteq's sources, innermost first, for untyped errors. */
  frames?: string[];
  /** Wasm memory the interpreter held after load. */
  memoryBytes?: number;
}

/** Limits the interpreter is loaded with. */
export interface CaseLimits {
  memoryBudget: number;
}

function sourceFrames(error: Error): string[] {
  return (error.stack ?? "").split("\n")
    .filter((text) => /\/src\/|\/mod\.ts/.test(text))
    .map((line) => line.trim().replace(/^.*?(src\/|mod\.ts)/, "$1").replace(/\)$/, ""));
}

/** Inputs of every dtype: small repeating values (bigint for 64-bit integers, text for strings). */
function fill(interpreter: Interpreter): void {
  interpreter.inputDetails().forEach((detail, position) => {
    const count = elementCount(detail.shape);
    if (detail.dtype === "string") {
      interpreter.setInput(position, Array.from({ length: count }, (_, index) => `${index % 5}`));
      return;
    }
    const bytes = count * (detail.dtype === "int64" || detail.dtype === "float64" ? 8 : 4);
    const values = typedArrayOver(detail.dtype, new ArrayBuffer(Math.max(8, bytes)), 0, count);
    if (!values) throw new TypeError(`the fuzzer cannot make ${detail.dtype} input values`);
    const big = values instanceof BigInt64Array || values instanceof BigUint64Array;
    for (let index = 0; index < count; index++) {
      const value = detail.dtype.startsWith("float") ? ((index % 7) - 3) / 3 : index % 5;
      values[index] = (big ? BigInt(value) : value) as never;
    }
    interpreter.setInput(position, values);
  });
}

/** Runs one case (see the module comment). */
export async function runCase(bytes: Uint8Array, limits: CaseLimits): Promise<CaseResult> {
  let stage: Stage = "read";
  let memoryBytes: number | undefined;
  try {
    const model = readModel(bytes);
    stage = "load";
    const interpreter = await Interpreter.load(model, {
      kernels: "simd",
      memoryBudget: limits.memoryBudget,
    });
    // Each signature's subgraph is prepared on first request: still part of loading.
    for (const { key } of interpreter.signatures()) interpreter.signatureRunner(key);
    memoryBytes = interpreter.memoryBytes;
    stage = "invoke";
    fill(interpreter);
    interpreter.invoke();
    interpreter.outputDetails().forEach((_, position) => interpreter.output(position));
    stage = "rewrite";
    readModel(writeModel(model));
    return { outcome: "ok", stage: "done", memoryBytes };
  } catch (error) {
    const typed = error instanceof ModelFormatError || error instanceof UnsupportedModelError;
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      outcome: typed ? "typed" : "untyped",
      stage,
      error: text,
      frames: typed || !(error instanceof Error) ? undefined : sourceFrames(error),
      memoryBytes,
    };
  }
}
