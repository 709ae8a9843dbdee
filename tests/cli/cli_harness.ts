/** Runs the liteq CLI in a child process for the CLI tests, and checks its one-line errors. */
import assert from "node:assert/strict";
import { FIXTURES, ROOT } from "../helpers.ts";

/** The seed MNIST model in int8, what most CLI tests inspect or convert. */
export const SEED = `${FIXTURES}/models/seed_mnist.int8.tflite`;

/** Runs `liteq ...args` and returns its exit code and printed text. */
export async function liteq(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      `${ROOT}src/cli/main.ts`,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** Asserts exit code 1 and a first stderr line matching `pattern`, with no stack trace. */
export function assertOneLineError(
  result: { code: number; stderr: string },
  pattern: RegExp,
): void {
  assert.equal(result.code, 1);
  const [first] = result.stderr.split("\n");
  assert.match(first, pattern);
  assert.doesNotMatch(result.stderr, /^ {4}at /m, "no stack trace");
}
