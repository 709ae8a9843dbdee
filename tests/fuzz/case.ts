/**
 * One fuzz case, run where a hang or a crash cannot take the fuzzer down (a worker): the bytes go
 * through read, load (with every signature's runner), invoke on the plan's inputs (`plan.ts`:
 * several invokes whose dynamic shapes change and change back, outputs read before the first,
 * runners made after it), write and read again. A `ModelFormatError` or an
 * `UnsupportedModelError` (an `InvokeError` among them) keeps liteq's promise ("typed"); anything
 * else breaks it ("untyped"), and so do wasm memory that keeps growing over repeated invokes and a
 * stateless model that answers the same inputs differently.
 */
import {
  Interpreter,
  ModelFormatError,
  readModel,
  UnsupportedModelError,
  writeModel,
} from "../../mod.ts";
import type { Model } from "../../src/format/ir.ts";
import { bytesOf, elementCount, type TensorData, typedArrayOver } from "../../src/format/dtype.ts";
import type { KernelMemory } from "../../src/runtime/memory.ts";
import type { InputValues, OutputValues, TensorDetails } from "../../src/runtime/tensor_io.ts";
import { type Fill, numberFill, type RunPlan, stringFill } from "./plan.ts";

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
  /** Most wasm memory the interpreter had in use, after load or after an invoke. */
  memoryBytes?: number;
}

/** A promise broken without an exception: memory growing over invokes, answers that change. */
class BrokenPromise extends Error {
  override name = "BrokenPromise";
}

/**
 * The interpreter's `maxWhileIterations` in every case: a forged loop bound ends in an
 * `InvokeError` within a fraction of the time limit (the default, 10,000,000 iterations of a small
 * body, takes about 50 s on this machine).
 */
const MAX_WHILE_ITERATIONS = 100_000;

/** Ops whose answers may change from one invoke to the next on the same inputs. */
const STATEFUL_OPS = new Set(["ASSIGN_VARIABLE", "CALL_ONCE", "READ_VARIABLE", "VAR_HANDLE"]);

const isTyped = (error: unknown) =>
  error instanceof ModelFormatError || error instanceof UnsupportedModelError;

const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

function sourceFrames(error: Error): string[] {
  return (error.stack ?? "").split("\n")
    .filter((text) => /\/src\/|\/mod\.ts/.test(text))
    .map((line) => line.trim().replace(/^.*?(src\/|mod\.ts)/, "$1").replace(/\)$/, ""));
}

/** The values `fill` gives an input: numbers of its dtype (bigint for 64-bit), or byte strings. */
function valuesFor(detail: TensorDetails, fill: Fill): InputValues {
  const count = elementCount(detail.shape);
  if (detail.dtype === "string") {
    return Array.from({ length: count }, (_, index) => stringFill(fill, index));
  }
  const bytes = count * (detail.dtype === "int64" || detail.dtype === "float64" ? 8 : 4);
  const values = typedArrayOver(detail.dtype, new ArrayBuffer(Math.max(8, bytes)), 0, count);
  if (!values) throw new TypeError(`the fuzzer cannot make ${detail.dtype} input values`);
  const big = values instanceof BigInt64Array || values instanceof BigUint64Array;
  const float = detail.dtype.startsWith("float");
  for (let index = 0; index < count; index++) {
    let value = numberFill(fill, index, float);
    if (detail.dtype === "bool") value = value === 0 ? 0 : 1;
    values[index] = (big ? BigInt(value) : value) as never;
  }
  return values;
}

/** The inputs' shapes with the first dimension multiplied by `scale` (for option inputShapes). */
function scaledShapes(model: Model, scale: number): (number[] | undefined)[] {
  const subgraph = model.subgraphs[0];
  return (subgraph?.inputs ?? []).map((index) => {
    const shape = subgraph.tensors[index]?.shape;
    return shape?.length ? [shape[0] * scale, ...shape.slice(1)] : undefined;
  });
}

/** Whether the model answers the same inputs the same way on every invoke. */
function stateless(model: Model): boolean {
  return model.subgraphs.every((subgraph) =>
    subgraph.tensors.every((tensor) => !tensor.isVariable) &&
    subgraph.operators.every((operator) => !operator.custom && !STATEFUL_OPS.has(operator.op))
  );
}

/** Bytes of the interpreter's wasm memory as grown (a test's look inside). */
function wasmBytes(interpreter: Interpreter): number {
  const inside = interpreter as unknown as { state: { memory: KernelMemory } | null };
  return inside.state?.memory.kernels.memory.buffer.byteLength ?? 0;
}

/** An output's values as bytes, to compare invokes (NaN equal to itself). */
function outputBytes(values: OutputValues): Uint8Array {
  if (!ArrayBuffer.isView(values)) return new TextEncoder().encode(JSON.stringify(values));
  return bytesOf(values as TensorData).slice();
}

/** Reads every output before any invoke: values, or a RangeError saying it has none yet. */
function readBeforeInvoke(interpreter: Interpreter): void {
  interpreter.outputDetails().forEach((_, position) => {
    try {
      interpreter.output(position);
    } catch (error) {
      if (!(error instanceof RangeError && /has no values yet/.test(error.message))) throw error;
    }
  });
}

/** Makes every signature's runner and runs it on `fill`'s values; typed errors are returned. */
function runRunners(interpreter: Interpreter, fill: Fill | null): string | undefined {
  let typed: string | undefined;
  for (const { key } of interpreter.signatures()) {
    try {
      const runner = interpreter.signatureRunner(key);
      if (fill === null) continue;
      runner.run(Object.fromEntries(
        runner.inputDetails().map((detail) => [detail.name, valuesFor(detail, fill)]),
      ));
    } catch (error) {
      if (!isTyped(error)) throw error;
      typed ??= describe(error);
    }
  }
  return typed;
}

/** What one invoke ended in, and the memory it left. */
interface Reading {
  error: string | null;
  used: number;
  grown: number;
  outputs: Uint8Array[];
}

/**
 * Invokes once per fill, reading every output; typed errors end an invoke, not the case. Checks
 * that the memory settles over the repeated cycle and that a stateless model answers a fill as it
 * did the first time. Returns the first typed error, if any, and the most memory in use after an
 * invoke.
 */
function invokeAll(
  interpreter: Interpreter,
  plan: RunPlan,
): { typed: string | undefined; mostUsed: number } {
  let typed: string | undefined;
  const readings: Reading[] = [];
  const compare = stateless(interpreter.model);
  let mostUsed = 0;
  plan.fills.forEach((fill, invoke) => {
    const reading: Reading = { error: null, used: 0, grown: 0, outputs: [] };
    try {
      interpreter.inputDetails().forEach((detail, position) =>
        interpreter.setInput(position, valuesFor(detail, fill))
      );
      interpreter.invoke();
      reading.outputs = interpreter.outputDetails().map((_, position) =>
        outputBytes(interpreter.output(position))
      );
    } catch (error) {
      if (!isTyped(error)) throw error;
      reading.error = describe(error);
      typed ??= reading.error;
    }
    if (invoke === 0 && plan.fills.length > 1) {
      typed = runRunners(interpreter, plan.fills[0]) ?? typed;
    }
    reading.used = interpreter.memoryBytes;
    reading.grown = wasmBytes(interpreter);
    readings.push(reading);
    mostUsed = Math.max(mostUsed, reading.used);
    const earlier = readings.find((each, at) => plan.fills[at] === fill && each.error === null);
    if (compare && reading.error === null && earlier && earlier !== reading) {
      reading.outputs.forEach((bytes, position) => {
        const before = earlier.outputs[position];
        if (bytes.length !== before.length || bytes.some((byte, at) => byte !== before[at])) {
          throw new BrokenPromise(
            `invoke ${invoke} (${fill}) gives output ${position} other values than an earlier invoke of the same inputs`,
          );
        }
      });
    }
    const round = readings[invoke - plan.cycle];
    if (invoke >= 2 * plan.cycle && round.error === reading.error) {
      if (round.used !== reading.used || round.grown !== reading.grown) {
        throw new BrokenPromise(
          `invoke ${invoke} (${fill}) leaves ${reading.used} bytes in use and ${reading.grown} grown; the same invoke ${plan.cycle} before left ${round.used} and ${round.grown}`,
        );
      }
    }
  });
  return { typed, mostUsed };
}

/** Runs one case as `plan` says (see the module comment). */
export async function runCase(bytes: Uint8Array, plan: RunPlan): Promise<CaseResult> {
  let stage: Stage = "read";
  let memoryBytes: number | undefined;
  let typed: { stage: Stage; error: string } | undefined;
  try {
    const model = readModel(bytes);
    stage = "load";
    const interpreter = await Interpreter.load(model, {
      kernels: "simd",
      memoryBudget: plan.memoryBudget,
      maxElements: plan.maxElements,
      maxWhileIterations: MAX_WHILE_ITERATIONS,
      inputShapes: plan.inputScale === 1 ? undefined : scaledShapes(model, plan.inputScale),
    });
    // Each signature's subgraph is prepared on first request: part of loading, unless the plan
    // makes the runners after the first invoke.
    const runnerError = plan.runnersAfterInvoke ? undefined : runRunners(interpreter, null);
    if (runnerError) typed = { stage, error: runnerError };
    memoryBytes = interpreter.memoryBytes;
    stage = "invoke";
    if (plan.readBeforeInvoke) readBeforeInvoke(interpreter);
    const invokes = invokeAll(interpreter, plan);
    memoryBytes = Math.max(memoryBytes, invokes.mostUsed);
    const invokeError = invokes.typed ??
      (plan.runnersAfterInvoke && plan.fills.length === 1
        ? runRunners(interpreter, null)
        : undefined);
    if (invokeError) typed ??= { stage, error: invokeError };
    stage = "rewrite";
    readModel(writeModel(model));
    if (typed) return { outcome: "typed", ...typed, memoryBytes };
    return { outcome: "ok", stage: "done", memoryBytes };
  } catch (error) {
    return {
      outcome: isTyped(error) ? "typed" : "untyped",
      stage,
      error: describe(error),
      frames: isTyped(error) || !(error instanceof Error) ? undefined : sourceFrames(error),
      memoryBytes,
    };
  }
}
