/**
 * Typed outputs: `output(which, dtype)` and `outputFloat32(which)` return the dtype's typed array
 * (so that callers need no cast) and refuse an output of another dtype; the same on signature
 * runners, by output name.
 */
import assert from "node:assert/strict";
import { Interpreter } from "../../mod.ts";
import { FIXTURES } from "../helpers.ts";

const MODELS = `${FIXTURES}/models`;
const PIXELS = Float32Array.from({ length: 784 }, (_, index) => (index % 13) / 13);

Deno.test("outputFloat32 and output(which, dtype) return the output's typed array", async () => {
  const interpreter = await Interpreter.load(`${MODELS}/seed_mnist.float.tflite`);
  interpreter.setInput(0, PIXELS);
  interpreter.invoke();
  const scores: Float32Array = interpreter.outputFloat32(0);
  assert.ok(scores instanceof Float32Array);
  assert.deepEqual(scores, interpreter.output(0));
  assert.deepEqual(interpreter.output("StatefulPartitionedCall_1:0", "float32"), scores);
  assert.throws(() => interpreter.output(0, "int8"), {
    name: "TypeError",
    message: 'output "StatefulPartitionedCall_1:0" is float32, not int8',
  });
});

Deno.test("an int8 output reads as an Int8Array, and is refused as float32", async () => {
  const interpreter = await Interpreter.load(`${MODELS}/seed_mnist.int8_int8io.tflite`);
  interpreter.setInput(0, new Int8Array(784));
  interpreter.invoke();
  const scores: Int8Array = interpreter.output(0, "int8");
  assert.ok(scores instanceof Int8Array);
  assert.throws(() => interpreter.outputFloat32(0), /is int8, not float32/);
});

Deno.test("a signature runner's outputs read typed, by name", async () => {
  const interpreter = await Interpreter.load(`${MODELS}/seed_mnist.float.tflite`);
  const runner = interpreter.signatureRunner("serving_default");
  const { output_0 } = runner.run({ keras_tensor: PIXELS });
  const scores: Float32Array = runner.output("output_0", "float32");
  assert.deepEqual(scores, output_0);
  assert.deepEqual(scores, interpreter.run([PIXELS])[0]);
  assert.throws(() => runner.output("logits"), /no signature output "logits"; they are output_0/);
});
