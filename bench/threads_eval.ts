/**
 * Many samples against one model on every core, as `eval` and the quantizer's calibration run
 * them: the time of a batch of MobileNet samples on a 1-thread interpreter, on a 2-thread one
 * (each op divided by rows, what `--threads 2` does for a single `run`), by the path `eval` and
 * calibration take with `--threads 2` (`runSamplesInParallel`: the first samples on the 2-thread
 * interpreter, then, when the rest would take it 2 s more, whole samples on two workers with an
 * interpreter each, started by the call and ended with it), by that path made to start its
 * workers after the first sample whatever the count, and on two such workers started beforehand
 * (the same without the start). The five alternate, round by round; prints the medians.
 *
 * Run with `deno run --allow-read --allow-env --allow-sys bench/threads_eval.ts`; figures mean
 * something only on a quiet machine with 2 free cores.
 */
import { writeModel } from "../mod.ts";
import type { NpyArray } from "../src/io/npy.ts";
import { Interpreter } from "../src/runtime/interpreter.ts";
import { runSamples, runSamplesInParallel } from "../src/runtime/samples.ts";
import { SamplePool } from "../src/runtime/threads/sample_pool.ts";
import { setWorkerStart, type WorkerStart } from "../src/runtime/threads/sample_runner.ts";
import { modelPath, ms, ratio, sampleInput, Table } from "./catalog.ts";
import { median } from "./interleave.ts";

const SAMPLES = 32;
const ROUNDS = 3;
/** Workers started after the first sample, the calling thread running samples meanwhile. */
const AT_ONCE: WorkerStart = { afterMs: 0, payOffMs: 0, wait: false };

const table = new Table([
  "model",
  `${SAMPLES} on 1T ms`,
  "2T ms",
  "eval path ms",
  "forced ms",
  "workers ms",
  "2T / 1T",
  "eval / 1T",
  "forced / 1T",
  "workers / 1T",
]);
for (const name of ["mobilenet_v2.float", "mobilenet_v2.int8"]) {
  const [family, variant] = name.split(".");
  const path = modelPath(family, variant);
  if (!path) continue;
  using single = await Interpreter.load(path);
  using double = await Interpreter.load(path, { threads: 2 });
  const base = sampleInput(single.inputDetails()[0]) as Float32Array<ArrayBuffer>;
  const data = new Float32Array(SAMPLES * base.length);
  for (let sample = 0; sample < SAMPLES; sample++) {
    data.set(base.map((value) => (value + sample / SAMPLES) % 1), sample * base.length);
  }
  const stacked: NpyArray = {
    dtype: "float32",
    shape: [SAMPLES, ...single.inputDetails()[0].shape.slice(1)],
    data,
  };
  using pool = await SamplePool.start(writeModel(single.model), {}, 2);
  const samples = function* () {
    for (let sample = 0; sample < SAMPLES; sample++) {
      yield [data.subarray(sample * base.length, (sample + 1) * base.length)];
    }
  };
  const runners = [
    () => runSamples(single, [stacked]),
    () => runSamples(double, [stacked]),
    () => runSamplesInParallel(double, [stacked]),
    async () => {
      const previous = setWorkerStart(AT_ONCE);
      try {
        await runSamplesInParallel(double, [stacked]);
      } finally {
        setWorkerStart(previous);
      }
    },
    () => pool.run(samples(), false, () => {}),
  ];
  const times = runners.map(() => [] as number[]);
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [which, runner] of runners.entries()) {
      const start = performance.now();
      await runner();
      // Round 0 warms up.
      if (round > 0) times[which].push(performance.now() - start);
    }
  }
  const [one, two, evalPath, forced, workers] = times.map(median);
  table.row([
    name,
    ms(one),
    ms(two),
    ms(evalPath),
    ms(forced),
    ms(workers),
    ratio(two / one),
    ratio(evalPath / one),
    ratio(forced / one),
    ratio(workers / one),
  ]);
}
