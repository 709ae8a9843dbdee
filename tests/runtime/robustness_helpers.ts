/** What the robustness tests share: the seed model, changed, and the check of a refusal at load. */
import assert from "node:assert/strict";
import {
  Interpreter,
  type Model,
  type ModelFormatError,
  readModel,
  type UnsupportedModelError,
  writeModel,
} from "../../mod.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

/** seed_mnist, float32. */
export const SEED = `${FIXTURES}/models/seed_mnist.float.tflite`;

/** seed_mnist (SHAPE ... RESHAPE, CONV_2D 4, MAX_POOL_2D 5, ..., FULLY_CONNECTED 10) changed. */
export function seedWith(change: (model: Model) => void): Uint8Array {
  const model = readModel(readBytesSync(SEED));
  change(model);
  return writeModel(model);
}

/** Asserts that loading `bytes` fails with a `type` error whose message matches `message`. */
export async function assertRefused(
  bytes: Uint8Array,
  type: typeof ModelFormatError | typeof UnsupportedModelError,
  message: RegExp,
): Promise<void> {
  await assert.rejects(Interpreter.load(bytes), (error) => {
    assert.ok(error instanceof type, String(error));
    assert.match((error as Error).message, message);
    return true;
  });
}
