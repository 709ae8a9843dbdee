/**
 * Threads in Deno, Bun and Node (`deno task test:runtimes` bundles this file for Bun and Node):
 * worker threads start on each runtime's own workers, outputs are the same bits on 1, 2 and 3
 * threads, and an interpreter left undisposed does not keep the process alive (the runner would
 * time out).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Interpreter } from "../../mod.ts";
import { FIXTURES } from "../helpers.ts";

test("seed_cifar_arch.int8 gives the same bits on 1, 2 and 3 threads", async () => {
  const path = `${FIXTURES}/models/seed_cifar_arch.int8.tflite`;
  const outputs: Float32Array[] = [];
  for (const threads of [1, 2, 3]) {
    const interpreter = await Interpreter.load(path, { threads });
    assert.equal(interpreter.threads.count, threads);
    const [detail] = interpreter.inputDetails();
    const size = detail.shape.reduce((product, dimension) => product * dimension, 1);
    const input = Float32Array.from({ length: size }, (_, index) => Math.sin(index));
    outputs.push(interpreter.run([input])[0] as Float32Array);
    // The last one is left undisposed: its workers must not hold the process.
    if (threads < 3) interpreter.dispose();
  }
  assert.deepEqual(outputs[1], outputs[0]);
  assert.deepEqual(outputs[2], outputs[0]);
});
