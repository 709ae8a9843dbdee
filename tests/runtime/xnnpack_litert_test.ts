/**
 * The "xnnpack" arithmetic against LiteRT.js 2.5.3 (XNNPACK in wasm, `bench/litert.ts`), bit for
 * bit on every int8 model of ../shared that LiteRT.js can run: the float-io and uint8-io
 * variants (it refuses INT8 input and output tensors), with -1 batch dimensions pinned to 1
 * (it refuses those too; `bench/pin_batch.ts`).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { Interpreter } from "../../src/runtime/interpreter.ts";
import { loadLiteRtModel } from "../../bench/litert.ts";
import { pinnedBatch } from "../../bench/pin_batch.ts";

const MODELS = new URL("../../../shared/models/", import.meta.url);

/** The int8 models of ../shared that LiteRT.js runs. */
const MODELS_RUN = [
  "mobilenet_v1.int8",
  "mobilenet_v2.int8",
  "mobilenet_v2_bn.int8",
  "seed_mnist.int8",
  "seed_mnist.int8_uint8io",
  "seed_cifar_arch.int8",
  "seed_cifar_arch.int8_uint8io",
  "mobile_mnist.int8",
  "mobile_mnist.int8_uint8io",
];

/** Deterministic inputs: floats in [0, 1) or bytes. */
function inputFor(dtype: string, count: number, seed: number): Float32Array | Uint8Array {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state;
  };
  return dtype === "float32"
    ? Float32Array.from({ length: count }, () => (next() % 1000) / 1000)
    : Uint8Array.from({ length: count }, () => next() % 256);
}

for (const name of MODELS_RUN) {
  const path = new URL(`${name}.tflite`, MODELS);
  Deno.test({
    name: `arithmetic "xnnpack" matches LiteRT.js bit for bit: ${name}`,
    ignore: !existsSync(path),
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const peer = await loadLiteRtModel(path.pathname, true);
      const bytes = pinnedBatch(await Deno.readFile(path));
      const interpreter = await Interpreter.load(bytes, { arithmetic: "xnnpack" });
      const [details] = interpreter.inputDetails();
      const count = details.shape.reduce((product, size) => product * size, 1);
      for (let trial = 0; trial < 3; trial++) {
        const input = inputFor(details.dtype, count, 17 + trial);
        const theirs = await peer.run(input as Float32Array<ArrayBuffer>);
        const ours = interpreter.run([input])[0] as ArrayLike<number>;
        assert.deepEqual(Array.from(ours), Array.from(theirs), `${name}, input ${trial}`);
      }
      peer.delete();
    },
  });
}
