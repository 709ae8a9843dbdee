/**
 * Reading a model file for a command, with format errors reported against the file; the
 * `--threads` flag; refusing output paths that name one of the command's inputs.
 */
import { ModelFormatError } from "../format/errors.ts";
import type { Model } from "../format/ir.ts";
import { readModel } from "../format/reader.ts";
import { FileError, readBytes, sameFile } from "../io/files.ts";
import { Interpreter } from "../runtime/interpreter.ts";
import { UnsupportedModelError } from "../runtime/op.ts";
import { MAX_THREADS } from "../runtime/threads/options.ts";
import { UsageError } from "./arguments.ts";

/** The model at `path` and its size; a bad file is a `FileError` naming it. */
export async function loadModel(path: string): Promise<{ model: Model; bytes: number }> {
  const bytes = await readBytes(path);
  try {
    return { model: readModel(bytes), bytes: bytes.byteLength };
  } catch (error) {
    if (error instanceof ModelFormatError) throw new FileError(path, error.message);
    throw error;
  }
}

/**
 * The threads `--threads` asks for: a whole number from 1 to `MAX_THREADS`, or `auto`; 1 when
 * absent.
 */
export function threadsFlag(value: string | undefined): number | "auto" {
  if (value === undefined || value === "auto") return value ?? 1;
  const threads = Number(value);
  if (value.trim() === "" || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new UsageError(
      `--threads must be a whole number from 1 to ${MAX_THREADS}, or auto, not ${value}`,
    );
  }
  return threads;
}

/**
 * Loads a model file into an interpreter on `threads` threads (default 1), its inputs resized to
 * `inputShapes` (by position, from `--input-shape`); what it cannot run is a `FileError` naming
 * the file.
 */
export async function loadInterpreter(
  path: string,
  { inputShapes = [], threads = 1 }: { inputShapes?: number[][]; threads?: number | "auto" } = {},
): Promise<Interpreter> {
  const { model } = await loadModel(path);
  const inputCount = model.subgraphs[0]?.inputs.length ?? 0;
  if (inputShapes.length > inputCount) {
    throw new UsageError(
      `--input-shape given ${inputShapes.length} times; ${path} takes ${inputCount} input${
        inputCount === 1 ? "" : "s"
      }`,
    );
  }
  try {
    return await Interpreter.load(model, { inputShapes, threads });
  } catch (error) {
    if (error instanceof UnsupportedModelError || error instanceof ModelFormatError) {
      throw new FileError(path, error.message);
    }
    throw error;
  }
}

/**
 * Throws a `FileError` when one of `outputs` is one of `inputs` (the same file, however
 * spelled), before anything is written.
 */
export async function refuseOverwritingInputs(outputs: string[], inputs: string[]): Promise<void> {
  for (const output of outputs) {
    for (const input of inputs) {
      if (await sameFile(output, input)) {
        throw new FileError(
          output,
          `is also an input of this command (${input}); writing it would replace it`,
        );
      }
    }
  }
}
