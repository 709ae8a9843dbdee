/**
 * The float speed of the two kernel builds on one model, interleaved A/B (bench/interleave.ts):
 * plain SIMD (what `auto` takes for float models, TensorFlow's reference results) against relaxed
 * SIMD (fused multiply-adds). Prints each build's median and the ratio.
 *
 * usage: deno run --allow-read --allow-env tools/relaxed_float_ab.ts [MODEL.tflite]
 * (default ../shared/models/mobilenet_v2.float.tflite).
 */
import process from "node:process";
import { interleave } from "../bench/interleave.ts";
import { Interpreter } from "../src/runtime/interpreter.ts";

const path = process.argv[2] ?? "../shared/models/mobilenet_v2.float.tflite";
const plain = await Interpreter.load(path, { kernels: "simd" });
const relaxed = await Interpreter.load(path, { kernels: "relaxed" });
const size = plain.inputDetails()[0].shape.reduce((product, dimension) => product * dimension, 1);
const input = Float32Array.from({ length: size }, (_, index) => Math.sin(index) * 0.5);
plain.setInput(0, input);
relaxed.setInput(0, input);
const { medians: [simdMs, relaxedMs], rounds } = await interleave(
  [() => plain.invoke(), () => relaxed.invoke()],
  { warmup: 5, budgetMs: 30_000, minRounds: 20, maxRounds: 200 },
);
console.log(
  `${path}: plain SIMD ${simdMs.toFixed(1)} ms, relaxed SIMD ${relaxedMs.toFixed(1)} ms ` +
    `(relaxed takes ${(100 * relaxedMs / simdMs).toFixed(0)}% of plain's time; ${rounds} rounds)`,
);
