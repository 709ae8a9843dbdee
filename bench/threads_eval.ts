/**
 * Whole samples in parallel against one model on every core, for `eval` and the quantizer's
 * calibration, which run many samples: the time of a batch of MobileNet samples run one after
 * another on a 1-thread and on a 2-thread interpreter (ops split by rows, as `--threads 2` does),
 * and split in two halves between two workers each holding its own 1-thread interpreter (twice
 * the memory, no barrier per op). The three alternate, round by round; prints the medians.
 *
 * Run with `deno run --allow-read --allow-env --allow-sys bench/threads_eval.ts`; figures mean
 * something only on a quiet machine with 2 free cores.
 */
import { Interpreter } from "../mod.ts";
import { modelPath, ms, ratio, sampleInput, Table } from "./catalog.ts";
import { median } from "./interleave.ts";

const SAMPLES = 16;
const ROUNDS = 5;

/** A worker of `threads_eval_worker.ts` with `path` loaded; `run` sends it samples. */
async function startWorker(
  path: string,
): Promise<{ run(samples: Float32Array[]): Promise<unknown>; end(): void }> {
  const worker = new Worker(new URL("threads_eval_worker.ts", import.meta.url), { type: "module" });
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message));
    });
  const loaded = next();
  worker.postMessage({ kind: "load", path });
  await loaded;
  return {
    run(samples) {
      const answer = next();
      worker.postMessage({ kind: "run", samples });
      return answer;
    },
    end: () => worker.terminate(),
  };
}

const table = new Table([
  "model",
  `${SAMPLES} on 1T ms`,
  "on 2T ms",
  "2 workers ms",
  "2T / 1T",
  "workers / 1T",
]);
for (const name of ["mobilenet_v2.float", "mobilenet_v2.int8"]) {
  const [family, variant] = name.split(".");
  const path = modelPath(family, variant);
  if (!path) continue;
  const single = await Interpreter.load(path);
  const double = await Interpreter.load(path, { threads: 2 });
  const base = sampleInput(single.inputDetails()[0]) as Float32Array<ArrayBuffer>;
  const samples = Array.from(
    { length: SAMPLES },
    (_, index) => base.map((value) => (value + index / SAMPLES) % 1),
  );
  const workers = [await startWorker(path), await startWorker(path)];
  const runners = [
    () => samples.forEach((sample) => single.run([sample])),
    () => samples.forEach((sample) => double.run([sample])),
    () =>
      Promise.all(
        workers.map((worker, index) => worker.run(samples.filter((_, at) => at % 2 === index))),
      ),
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
  const [one, two, split] = times.map(median);
  table.row([name, ms(one), ms(two), ms(split), ratio(two / one), ratio(split / one)]);
  single.dispose();
  double.dispose();
  for (const worker of workers) worker.end();
}
