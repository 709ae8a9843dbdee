/**
 * Threads: every model fixture, and every op fixture with a convolution or a binary op, gives
 * the same bits on 1, 2 and 3 threads (with every op that can split split, however small), and so
 * do batches with the chunks run in lockstep (no chunk writes where another reads); the
 * option's bad values are refused naming them; the fallback without shared memory; `dispose`; a
 * worker that cannot start fails the load with the reason; a process with live workers exits
 * without a call to `dispose`; the `--threads` flag, and `run` and `convert` with it.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { elementCount, type TensorData } from "../../src/format/dtype.ts";
import { Interpreter, type TensorDetails } from "../../src/runtime/interpreter.ts";
import { KernelMemory, sharedWasmMemory } from "../../src/runtime/memory.ts";
import { setLockstepChunks, setMinSplitWork, ThreadPool } from "../../src/runtime/threads/pool.ts";
import { rowRanges } from "../../src/runtime/threads/split.ts";
import { loadSharedKernels } from "../../src/runtime/wasm.ts";
import { readModel } from "../../src/format/reader.ts";
import { UsageError } from "../../src/cli/arguments.ts";
import { threadsFlag } from "../../src/cli/load.ts";
import { assertOneLineError, liteq } from "../cli/cli_harness.ts";
import { FIXTURES, modelsIn, readBytesSync, ROOT, SHARED } from "../helpers.ts";

/** Values spread over an input's range (a fixed pseudo-random sequence). */
function inputValues(detail: TensorDetails): number[] {
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const [low, high] = detail.dtype === "int8"
    ? [-128, 127]
    : detail.dtype === "uint8"
    ? [0, 255]
    : detail.dtype === "int16"
    ? [-2000, 2000]
    : detail.dtype === "bool" || detail.dtype.startsWith("int")
    ? [0, 1]
    : [-1, 1];
  const integer = detail.dtype !== "float32" && detail.dtype !== "float64";
  return Array.from({ length: elementCount(detail.shape) }, () => {
    const value = low + next() * (high - low);
    return integer ? Math.round(value) : value;
  });
}

/**
 * The outputs' bytes after one run on `threads` threads (with `inputShapes` when given), and the
 * threads it ran on: those asked for, or one where no op divides.
 */
async function outputBytes(
  path: string,
  threads: number,
  inputShapes?: number[][],
): Promise<{ bytes: Uint8Array[]; count: number }> {
  using interpreter = await Interpreter.load(path, { threads, inputShapes });
  const { count, fallback } = interpreter.threads;
  if (count !== threads) assert.match(fallback!, /^no op of this model has work enough/);
  const outputs = interpreter.run(interpreter.inputDetails().map(inputValues)) as TensorData[];
  return {
    bytes: outputs.map((output) =>
      new Uint8Array(output.buffer, output.byteOffset, output.byteLength)
    ),
    count,
  };
}

/**
 * Asserts that `path` gives the same output bits on 1, 2 and 3 threads; returns whether it ran
 * on several (some op divides).
 */
async function assertSameOnThreads(path: string, inputShapes?: number[][]): Promise<boolean> {
  const one = await outputBytes(path, 1, inputShapes);
  let several = false;
  for (const threads of [2, 3]) {
    const other = await outputBytes(path, threads, inputShapes);
    assert.deepEqual(other.bytes, one.bytes, `${path} on ${threads} threads`);
    several ||= other.count === threads;
  }
  return several;
}

const shared = SHARED
  ? modelsIn(`${SHARED}/models`).filter(([name]) => name.startsWith("mobilenet"))
  : [];
const opFolders = readdirSync(FIXTURES).filter((folder) => folder.startsWith("ops"));
/**
 * The ops that divide among threads (the binary ops by elements): op fixtures without them run
 * on one thread anyway.
 */
const SPLIT_OPS = new Set([
  "CONV_2D",
  "DEPTHWISE_CONV_2D",
  "FULLY_CONNECTED",
  "QUANTIZE",
  "ADD",
  "SUB",
  "MUL",
  "DIV",
  "MAXIMUM",
  "MINIMUM",
  "SQUARED_DIFFERENCE",
]);

/**
 * Op fixture folders none of whose models divides among threads (uint8 convolutions, hybrid
 * layers and the graph fixtures' ops run whole): their models must give the same bits all the
 * same.
 */
const RUN_WHOLE = new Set(["ops_uint8", "ops_dynamic", "ops_graph"]);

/** The models of an op fixture folder with an op that divides among threads. */
function splittingModels(folder: string): [string, string][] {
  return modelsIn(folder).filter(([, path]) => {
    const { subgraphs } = readModel(readBytesSync(path));
    return subgraphs.some(({ operators }) => operators.some(({ op }) => SPLIT_OPS.has(op)));
  });
}

for (
  const [label, models, divide] of [
    ["tests/fixtures/models", modelsIn(`${FIXTURES}/models`), true],
    ...opFolders.map((folder) => [
      `tests/fixtures/${folder} with a convolution or a binary op`,
      splittingModels(`${FIXTURES}/${folder}`),
      !RUN_WHOLE.has(folder),
    ]),
    ["the MobileNets of ../shared", shared, true],
  ] as [string, [string, string][], boolean][]
) {
  Deno.test(`every model of ${label} gives the same bits on 1, 2 and 3 threads`, async () => {
    const previous = setMinSplitWork(0);
    try {
      let split = 0;
      for (const [, path] of models) {
        // Models that cannot run at all are the robustness tests' concern.
        const loads = await Interpreter.load(path).then((interpreter) => {
          interpreter.dispose();
          return true;
        }, () => false);
        if (loads && await assertSameOnThreads(path)) split++;
      }
      if (divide) assert.ok(models.length === 0 || split > 0, "no model ran on several threads");
    } finally {
      setMinSplitWork(previous);
    }
  });
}

const SEED_MNIST = `${FIXTURES}/models/seed_mnist.float.tflite`;
/** The smallest fixture with an op heavy enough to divide among threads. */
const SEED_CIFAR = `${FIXTURES}/models/seed_cifar_arch.int8.tflite`;

Deno.test("a batch of 10 gives the same bits on 1, 2 and 3 threads (fully connected rows split)", async () => {
  const previous = setMinSplitWork(0);
  try {
    assert.ok(await assertSameOnThreads(SEED_MNIST, [[10, 28, 28]]));
    assert.ok(
      await assertSameOnThreads(`${FIXTURES}/models/mobile_mnist.int8.tflite`, [[10, 28, 28, 1]]),
    );
  } finally {
    setMinSplitWork(previous);
  }
});

Deno.test("an op's rows cut into a thread's share of shrinking chunks each, on the grain", () => {
  const cut = (rows: number, grain: number, parts: number, threads: number) =>
    rowRanges({ rows, grain, workPerRow: 1, scratchBytes: 0, runRows() {} }, parts, threads);
  const lengths = (ranges: [number, number][]) => ranges.map(([first, end]) => end - first);
  /** Whether `ranges` follow one another from row 0 to `rows`, each starting on the grain. */
  const covers = (ranges: [number, number][], rows: number, grain: number) =>
    ranges.every(([first, end], part) =>
      first % grain === 0 && end >= first && first === (part ? ranges[part - 1][1] : 0)
    ) && ranges[ranges.length - 1][1] === rows;
  // 250 grains of 4 rows: two shares of 125, each cut 4:3:2:1.
  assert.deepEqual(lengths(cut(1000, 4, 8, 2)), [200, 148, 100, 52, 200, 148, 100, 52]);
  // Chunks that are not a multiple of the threads are equal.
  assert.deepEqual(lengths(cut(1000, 4, 5, 2)), [200, 200, 200, 200, 200]);
  const shapes = [[1000, 4, 8, 2], [7, 4, 2, 2], [37, 1, 12, 3], [5, 1, 5, 5], [3, 1, 4, 4]];
  for (const [rows, grain, parts, threads] of shapes) {
    assert.ok(covers(cut(rows, grain, parts, threads), rows, grain), `${rows} rows`);
  }
});

Deno.test("chunks run in lockstep give the same bits: no chunk writes where another reads", async () => {
  const previous = setMinSplitWork(0);
  const previousLockstep = setLockstepChunks(true);
  try {
    assert.ok(await assertSameOnThreads(SEED_MNIST, [[10, 28, 28]]));
    assert.ok(
      await assertSameOnThreads(`${FIXTURES}/models/mobile_mnist.int8.tflite`, [[10, 28, 28, 1]]),
    );
    // Batch 1: the FULLY_CONNECTED layers, float and int8, divide by panels of output channels.
    assert.ok(await assertSameOnThreads(SEED_MNIST));
    assert.ok(await assertSameOnThreads(`${FIXTURES}/models/seed_mnist.int8.tflite`));
    assert.ok(await assertSameOnThreads(`${FIXTURES}/models/mobile_mnist.int8.tflite`));
  } finally {
    setLockstepChunks(previousLockstep);
    setMinSplitWork(previous);
  }
});

Deno.test("threads of 0, negative, fractional, too many or not a number are refused naming the value", async () => {
  for (const threads of [0, -2, 1.5, 65, Number.NaN, "two"]) {
    await assert.rejects(
      Interpreter.load(SEED_MNIST, { threads: threads as number }),
      (error: Error) =>
        error instanceof RangeError &&
        error.message.includes(`got ${typeof threads === "string" ? `"${threads}"` : threads}`),
    );
  }
});

Deno.test("threads default to 1, auto takes the reported cores", async () => {
  using single = await Interpreter.load(SEED_MNIST);
  assert.deepEqual(single.threads, { requested: 1, count: 1, fallback: null });
  using auto = await Interpreter.load(SEED_CIFAR, { threads: "auto" });
  assert.equal(auto.threads.count, Math.min(64, navigator.hardwareConcurrency));
});

Deno.test("a model none of whose ops divides runs on one thread, and says why", async () => {
  using interpreter = await Interpreter.load(SEED_MNIST, { threads: 2 });
  assert.deepEqual(interpreter.threads, {
    requested: 2,
    count: 1,
    fallback: "no op of this model has work enough to divide among threads (each is under " +
      "1048576 multiply-adds)",
  });
});

Deno.test("without shared memory (a page not cross-origin isolated) one thread runs and says why", async () => {
  const global = globalThis as { crossOriginIsolated?: boolean };
  global.crossOriginIsolated = false;
  try {
    using interpreter = await Interpreter.load(SEED_MNIST, { threads: 2 });
    assert.equal(interpreter.threads.count, 1);
    assert.equal(interpreter.threads.requested, 2);
    assert.match(interpreter.threads.fallback!, /cross-origin isolated/);
  } finally {
    delete global.crossOriginIsolated;
  }
});

Deno.test("a disposed interpreter refuses to run; dispose twice is harmless", async () => {
  const interpreter = await Interpreter.load(SEED_MNIST, { threads: 2 });
  interpreter.dispose();
  interpreter.dispose();
  assert.throws(() => interpreter.invoke(), /disposed/);
  assert.throws(() => interpreter.output(0), /disposed/);
});

Deno.test("a worker that cannot start fails with the reason, not a hang", async () => {
  const memory = new KernelMemory((await loadSharedKernels("simd", sharedWasmMemory())).kernels);
  await assert.rejects(
    ThreadPool.start(2, memory, new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9])),
    /liteq worker thread \d failed to start: .+/,
  );
});

Deno.test("a process with live worker threads exits without a call to dispose", async () => {
  const script = `import { Interpreter } from "${new URL("mod.ts", `file://${ROOT}`)}";
const interpreter = await Interpreter.load("${SEED_CIFAR}", { threads: 2 });
interpreter.run(interpreter.inputDetails().map((d) => new Float32Array(d.shape.reduce((a, b) => a * b))));
console.log(interpreter.threads.count);`;
  const command = new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => command.kill(), 30000);
  const { code, stdout } = await command.output();
  clearTimeout(timer);
  assert.equal(code, 0);
  assert.equal(new TextDecoder().decode(stdout).trim(), "2");
});

Deno.test("the threads builds are committed beside the others", () => {
  for (const build of ["simd_threads", "relaxed_threads"]) {
    assert.ok(existsSync(`${ROOT}build/liteq_${build}.wasm`), build);
  }
});

Deno.test("--threads takes a whole number from 1 to 64 or auto, and names a bad value", () => {
  assert.equal(threadsFlag(undefined), 1);
  assert.equal(threadsFlag("auto"), "auto");
  assert.equal(threadsFlag("3"), 3);
  for (const value of ["0", "-1", "1.5", "65", "two", ""]) {
    assert.throws(
      () => threadsFlag(value),
      (error: Error) => error instanceof UsageError && error.message.endsWith(`not ${value}`),
    );
  }
});

Deno.test("liteq run and convert with --threads 2 write what they write on one thread", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const model = `${FIXTURES}/models/mobile_mnist.float.tflite`;
    const data = `${FIXTURES}/reference/mobile_mnist.inputs.npy`;
    const written: Uint8Array[] = [];
    for (const threads of ["1", "2"]) {
      const outputs = `${folder}/outputs${threads}.npy`;
      const quantized = `${folder}/int8_${threads}.tflite`;
      const ran = await liteq(
        "run",
        model,
        "--input",
        data,
        "--output",
        outputs,
        "--threads",
        threads,
      );
      assert.equal(ran.code, 0, ran.stderr);
      const converted = await liteq(
        "convert",
        model,
        quantized,
        "--mode",
        "int8",
        "--calibration",
        data,
        "--threads",
        threads,
      );
      assert.equal(converted.code, 0, converted.stderr);
      written.push(readBytesSync(outputs), readBytesSync(quantized));
    }
    assert.deepEqual(written.slice(2), written.slice(0, 2));
    assertOneLineError(
      await liteq("bench", model, "--threads", "0"),
      /--threads must be a whole number from 1 to 64, or auto, not 0/,
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
