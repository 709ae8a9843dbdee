/**
 * Whole-model latency at batch 1, liteq against LiteRT.js (XNNPACK in wasm) in the same run,
 * with mitata; prints each model's median for both and the ratio. Then liteq's quantized
 * variants against its float ones, measured in interleaved rounds (float, int8, dynamic, float,
 * ...) so that a shared machine's drift hits all alike. Models come from ../shared/models and
 * are skipped, with the reason printed, when absent or when either runtime cannot run them. Run
 * with `deno task bench` (after the kernel benchmarks).
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
const interpreters = new Map<string, { run: () => unknown }>();
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
    interpreters.set(name, { run: () => interpreter.run([input]) });
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

/** Median milliseconds of each family's variants over interleaved rounds. */
function interleaved(family: string, variants: string[], rounds: number): Map<string, number> {
  const runs = variants.map((variant) => interpreters.get(`${family}.${variant}`));
  const times = variants.map(() => [] as number[]);
  for (let round = 0; round < rounds + 3; round++) {
    runs.forEach((model, index) => {
      const start = performance.now();
      do_not_optimize(model!.run());
      if (round >= 3) times[index].push(performance.now() - start);
    });
  }
  return new Map(variants.map((variant, index) => {
    const sorted = times[index].sort((a, b) => a - b);
    return [variant, sorted[Math.floor(sorted.length / 2)]];
  }));
}

console.log(
  "\nliteq, interleaved rounds   float ms   int8 ms   dynamic ms   int8 / float   dynamic / float",
);
for (const family of ["mobilenet_v1", "mobilenet_v2"]) {
  const variants = ["float", "int8", "dynamic"];
  if (!variants.every((variant) => interpreters.has(`${family}.${variant}`))) continue;
  const medians = interleaved(family, variants, 30);
  const [float, int8, dynamic] = variants.map((variant) => medians.get(variant)!);
  console.log(
    `${family.padEnd(27)} ${float.toFixed(2).padStart(8)} ${int8.toFixed(2).padStart(9)} ${
      dynamic.toFixed(2).padStart(12)
    } ${(int8 / float).toFixed(2).padStart(13)}x ${(dynamic / float).toFixed(2).padStart(16)}x`,
  );
}
