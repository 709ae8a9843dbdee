/**
 * Where the kernels come from: embedded by default, or given by the caller (`wasm`) as bytes, a
 * compiled module, a path, a `file:` URL, or both builds by variant; given to `quantize` and
 * `compareModels` too. And the library's static import graph holds no Node built-in: paths are
 * read by `src/io/files.ts`, imported only when one is named.
 */
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import {
  compareModels,
  FileError,
  Interpreter,
  type InterpreterOptions,
  quantize,
  readModel,
  writeModel,
} from "../../mod.ts";
import { readBytes } from "../../src/io/files_browser.ts";
import { relaxedSimdWorks } from "../../src/runtime/wasm.ts";
import { FIXTURES, readBytesSync, ROOT } from "../helpers.ts";
import { mnistSamples } from "../quantize/debug/mnist_samples.ts";

const MODEL = `${FIXTURES}/models/seed_mnist.float.tflite`;
const SIMD = `${ROOT}build/liteq_simd.wasm`;
const RELAXED = `${ROOT}build/liteq_relaxed.wasm`;
const RELAXED_EXACT = `${ROOT}build/liteq_relaxed_exact.wasm`;
const ALL = { simd: SIMD, relaxed: RELAXED, "relaxed-exact": RELAXED_EXACT };
const INPUT = Float32Array.from({ length: 784 }, (_, index) => (index % 11) / 11);

/** Output 0 of seed_mnist on INPUT, and the kernel build that ran it. */
async function runWith(options: InterpreterOptions): Promise<[string, number[]]> {
  const interpreter = await Interpreter.load(MODEL, options);
  return [interpreter.kernelVariant, Array.from(interpreter.run([INPUT])[0] as Float32Array)];
}

Deno.test("the wasm option takes the plain SIMD build as bytes, module, path or URL", async () => {
  const expected = await runWith({ kernels: "simd" });
  const bytes = readBytesSync(SIMD);
  for (
    const wasm of [
      bytes,
      bytes.slice().buffer,
      await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>),
      SIMD,
      pathToFileURL(SIMD),
    ]
  ) {
    assert.deepEqual(await runWith({ wasm }), expected);
  }
});

Deno.test("the wasm option takes every build; auto picks relaxed-exact where it works, else plain SIMD", async () => {
  const wasm = ALL;
  const variant = (await relaxedSimdWorks(wasm)) ? "relaxed-exact" : "simd";
  for (const kernels of ["simd", "relaxed", "relaxed-exact"] as const) {
    assert.deepEqual(await runWith({ wasm, kernels }), await runWith({ kernels }));
  }
  assert.equal((await runWith({ wasm }))[0], variant);
  // Without the relaxed-exact build among them, auto falls back to plain SIMD.
  assert.equal((await runWith({ wasm: { simd: SIMD, relaxed: RELAXED } }))[0], "simd");
});

Deno.test("the wasm option refuses a missing build, a missing file and a module that is not liteq's", async () => {
  await assert.rejects(runWith({ wasm: SIMD, kernels: "relaxed" }), /have no relaxed build/);
  const folder = await Deno.makeTempDir({ prefix: "liteq_kernels_" });
  const later = `${folder}/liteq_simd.wasm`;
  await assert.rejects(runWith({ wasm: later }), FileError);
  await Deno.copyFile(SIMD, later); // a failed read is not kept: once the file is there, it loads
  assert.equal((await runWith({ wasm: later }))[0], "simd");
  await Deno.remove(folder, { recursive: true });
  const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  await assert.rejects(runWith({ wasm: empty }), /lacks the kernel exports memory, /);
});

Deno.test("quantize and compareModels run on the kernels given", async () => {
  const model = readModel(readBytesSync(MODEL));
  const { data } = await mnistSamples(8);
  const samples = Array.from(
    { length: 8 },
    (_, index) => (data.data as Float32Array).subarray(index * 784, (index + 1) * 784),
  );
  const embedded = writeModel(
    await quantize(model, { mode: "int8", representativeDataset: samples }),
  );
  const given = writeModel(
    await quantize(model, { mode: "int8", representativeDataset: samples, wasm: ALL }),
  );
  assert.deepEqual(given, embedded);
  const comparison = await compareModels(model, given, [data], { wasm: readBytesSync(SIMD) });
  assert.ok(comparison.layers.length > 0);
  await assert.rejects(
    quantize(model, { mode: "int8", representativeDataset: samples, wasm: new Uint8Array(8) }),
    WebAssembly.CompileError,
  );
});

/** A module of `deno info --json`'s graph. */
interface GraphModule {
  specifier: string;
  dependencies?: { specifier: string; code?: { specifier: string }; isDynamic?: boolean }[];
}

Deno.test("mod.ts statically imports no Node built-in; a browser reads no path", async () => {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "mod.ts"],
    cwd: ROOT,
  }).output();
  const graph: { roots: string[]; modules: GraphModule[] } = JSON.parse(
    new TextDecoder().decode(stdout),
  );
  const modules = new Map(graph.modules.map((module) => [module.specifier, module]));
  const staticNodeImports: string[] = [];
  const reached = new Set(graph.roots);
  for (const specifier of reached) {
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      if (dependency.isDynamic) continue;
      if (dependency.specifier.startsWith("node:")) {
        staticNodeImports.push(`${specifier} imports ${dependency.specifier}`);
      } else if (dependency.code) reached.add(dependency.code.specifier);
    }
  }
  assert.deepEqual(staticNodeImports, []);
  await assert.rejects(readBytes("model.tflite"), /model.tflite: cannot read files by path/);
});
