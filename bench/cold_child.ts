/**
 * One cold start, run by `cold_start.ts` in a fresh `deno run`: imports a runtime, loads one
 * model and runs it once, and prints one JSON line of milliseconds from this file's first line:
 * `import`, `load`, `firstRun`, `total` (Deno's own start before that line shows only in the
 * wall time the parent measures).
 * Nothing is imported statically, so the first line runs before any of the runtime's code.
 *
 * `deno run --allow-read --allow-env --allow-sys bench/cold_child.ts liteq MODEL MOD_URL`
 * (`MOD_URL`: the `mod.ts` to import) or `... bench/cold_child.ts litert MODEL`. For LiteRT.js,
 * `import` includes loading its wasm runtime; for liteq, `load` includes instantiating the
 * kernel wasm, which happens on the first `Interpreter.load`.
 */
const start = performance.now();
const [runtime, modelPath, moduleUrl] = Deno.args;

/** A deterministic float input in [0, 1). */
const sampleInput = (count: number) =>
  Float32Array.from({ length: count }, (_, index) => ((index * 7919) % 1000) / 1000);
const elementCount = (shape: number[]) => shape.reduce((product, size) => product * size, 1);

let imported: number;
let loaded: number;
if (runtime === "liteq") {
  const liteq: typeof import("../mod.ts") = await import(moduleUrl);
  imported = performance.now();
  const interpreter = await liteq.Interpreter.load(modelPath);
  loaded = performance.now();
  interpreter.run([sampleInput(elementCount(interpreter.inputDetails()[0].shape))]);
} else if (runtime === "litert") {
  const { loadLiteRtModel, loadLiteRtRuntime } = await import("./litert.ts");
  await loadLiteRtRuntime();
  imported = performance.now();
  const model = await loadLiteRtModel(modelPath);
  loaded = performance.now();
  await model.run(sampleInput(elementCount(model.inputShape)));
} else {
  throw new RangeError(`unknown runtime "${runtime}": liteq or litert`);
}
const end = performance.now();
console.log(JSON.stringify({
  import: imported - start,
  load: loaded - imported,
  firstRun: end - loaded,
  total: end - start,
}));
