/**
 * Whole samples on workers (`eval` and calibration on several threads), with workers started
 * after the first sample so that they run the rest: calibration on 1, 2 and 3 threads writes the
 * same bytes, with min/max ranges and with histograms, from an array and from an async generator,
 * and so does `auto` (its candidates measured on workers too) on 1 and 2 from an array;
 * eval's figures and the outputs stacked are the same; an error of sample k is reported for
 * sample k, as on one thread; a worker's errors come back as the interpreter's; a process exits
 * without a further call; Deno without leave to read liteq's files starts no workers; and
 * `liteq eval --threads 2` prints what it prints on one thread.
 * The work runs in `sample_threads_child.ts` under `deno run` (see there why).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { encodeNpy } from "../../mod.ts";
import { liteq } from "../cli/cli_harness.ts";
import { FIXTURES, ROOT } from "../helpers.ts";

/** Runs `deno run` on `script` (a path, or code with `eval`) and returns its printed text. */
async function denoRun(args: string[]): Promise<string> {
  const command = new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // A worker that hangs fails the test rather than the suite.
  const timer = setTimeout(() => command.kill(), 120000);
  const { code, stdout, stderr } = await command.output();
  clearTimeout(timer);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout);
}

let childReport: Promise<Record<string, Record<string, unknown>>> | undefined;

/** What `sample_threads_child.ts` printed (run once for every test here). */
function report(): Promise<Record<string, Record<string, unknown>>> {
  childReport ??= denoRun([
    "run",
    "--allow-read",
    "--allow-env",
    `${ROOT}tests/runtime/sample_threads_child.ts`,
  ]).then((text) => JSON.parse(text));
  return childReport;
}

Deno.test("workers run whole samples here", async () => {
  assert.equal((await report()).unavailable, null);
});

for (const [calibration, runs] of [["minmax", 6], ["percentile", 6], ["auto", 2]] as const) {
  Deno.test(`calibration (${calibration}) on several threads writes the same bytes`, async () => {
    const written = (await report())[calibration];
    assert.equal(Object.keys(written).length, runs);
    for (const [run, digest] of Object.entries(written)) {
      assert.equal(digest, written["1 array"], run);
    }
  });
}

Deno.test("eval's figures and the outputs stacked are the same on 1, 2 and 3 threads", async () => {
  const { evaluation } = await report();
  for (const threads of [2, 3]) {
    assert.deepEqual(evaluation[`${threads} accuracy`], evaluation["1 accuracy"]);
    assert.equal(evaluation[`${threads} outputs`], evaluation["1 outputs"]);
  }
});

Deno.test("an error of sample k is reported for sample k, as on one thread", async () => {
  const { errors } = await report();
  assert.match(
    errors["nan 1"] as string,
    /^QuantizeError: calibration sample 6: tensor "[^"]+" takes the value NaN$/,
  );
  assert.match(errors["short 1"] as string, /^QuantizeError: calibration sample 4, input 0: 5 /);
  assert.equal(errors["nan 2"], errors["nan 1"]);
  assert.equal(errors["short 2"], errors["short 1"]);
});

Deno.test("a worker's errors come back as the interpreter's, naming why", async () => {
  const { workerErrors } = await report();
  assert.match(workerErrors.load as string, /^ModelFormatError: .*too short/);
  assert.equal(workerErrors.run, "RangeError: the model takes 1 inputs, got 2");
});

Deno.test("a process evaluating on workers exits without a further call", async () => {
  const module = (path: string) => new URL(path, `file://${ROOT}`).href;
  const script = `import { Interpreter } from "${module("mod.ts")}";
import { runSamplesInParallel } from "${module("src/runtime/samples.ts")}";
import { setWorkerStart } from "${module("src/runtime/threads/sample_runner.ts")}";
setWorkerStart({ afterMs: 0, payOffMs: 0, wait: true });
const interpreter = await Interpreter.load("${FIXTURES}/models/mobile_mnist.float.tflite", {
  threads: 2,
});
const data = { dtype: "float32", shape: [8, 28, 28], data: new Float32Array(8 * 784) };
const [scores] = await runSamplesInParallel(interpreter, [data]);
console.log(scores.shape.join(","));`;
  assert.equal((await denoRun(["eval", script])).trim(), "8,10");
});

Deno.test("without leave to read liteq's files, Deno keeps every sample on the calling thread", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const script = `${folder}/unavailable.ts`;
    await Deno.writeTextFile(
      script,
      `import { wholeSamplesUnavailable } from "${
        new URL("src/runtime/threads/sample_pool.ts", `file://${ROOT}`).href
      }";\nconsole.log(wholeSamplesUnavailable());`,
    );
    assert.equal(
      (await denoRun(["run", "--allow-env", script])).trim(),
      "Deno may not read liteq's worker module (--allow-read)",
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("liteq eval --threads 2 prints what it prints on one thread", async () => {
  const folder = await Deno.makeTempDir();
  try {
    let state = 1;
    const data = Float32Array.from(
      { length: 40 * 784 },
      () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31,
    );
    writeFileSync(`${folder}/x.npy`, encodeNpy({ dtype: "float32", shape: [40, 784], data }));
    writeFileSync(
      `${folder}/y.npy`,
      encodeNpy({
        dtype: "int32",
        shape: [40],
        data: Int32Array.from({ length: 40 }, (_, index) => index % 10),
      }),
    );
    const printed = [];
    for (const threads of ["1", "2"]) {
      const result = await liteq(
        "eval",
        `${FIXTURES}/models/mobile_mnist.float.tflite`,
        "--data",
        `${folder}/x.npy`,
        "--labels",
        `${folder}/y.npy`,
        "--json",
        "--threads",
        threads,
      );
      assert.equal(result.code, 0, result.stderr);
      printed.push(result.stdout);
    }
    assert.equal(printed[1], printed[0]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
