/**
 * Whole-model latency at batch 1, liteq against LiteRT.js (XNNPACK in wasm) in the same run,
 * with mitata; prints each model's median for both and the ratio. Models come from
 * ../shared/models and are skipped, with the reason printed, when absent or when either runtime
 * cannot run them. Run with `deno task bench` (after the kernel benchmarks).
 */
import { existsSync } from "node:fs";
import { bench, do_not_optimize, run, summary } from "npm:mitata@1.0.34";
import { Interpreter } from "../src/runtime/interpreter.ts";
import { loadLiteRtModel } from "./litert.ts";

const SHARED = new URL("../../shared/models/", import.meta.url);
const MODELS = [
  "mobilenet_v1.float",
  "mobilenet_v2.float",
  "mobilenet_v1.int8",
  "mobilenet_v2.int8",
  "mobilenet_v1.dynamic",
  "mobilenet_v2.dynamic",
];

/** A deterministic input in [0, 1). */
function sampleInput(count: number): Float32Array<ArrayBuffer> {
  return Float32Array.from({ length: count }, (_, index) => ((index * 7919) % 1000) / 1000);
}

const runnable: string[] = [];
for (const name of MODELS) {
  const path = new URL(`${name}.tflite`, SHARED).pathname;
  if (!existsSync(path)) {
    console.log(`skipped ${name}: ${path} is absent`);
    continue;
  }
  try {
    const interpreter = await Interpreter.load(path);
    const count = interpreter.inputDetails()[0].shape.reduce((product, size) => product * size, 1);
    const input = sampleInput(count);
    const litert = await loadLiteRtModel(path);
    await litert.run(input);
    summary(() => {
      bench(`${name} liteq`, () => do_not_optimize(interpreter.run([input])));
      bench(`${name} LiteRT.js`, async () => do_not_optimize(await litert.run(input)));
    });
    runnable.push(name);
  } catch (error) {
    console.log(`skipped ${name}: ${(error as Error).message}`);
  }
}

const { benchmarks } = await run();
const median = (label: string) => {
  const trial = benchmarks.find((candidate) => candidate.alias === label);
  return (trial?.runs[0]?.stats?.p50 ?? NaN) / 1e6;
};
console.log("\nmodel                 liteq ms   LiteRT.js ms   liteq / LiteRT.js");
for (const name of runnable) {
  const ours = median(`${name} liteq`);
  const theirs = median(`${name} LiteRT.js`);
  console.log(
    `${name.padEnd(20)} ${ours.toFixed(2).padStart(9)} ${theirs.toFixed(2).padStart(14)} ${
      (ours / theirs).toFixed(2).padStart(19)
    }x`,
  );
}
