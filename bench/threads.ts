/**
 * Threads: liteq on 1, 2 and 3 threads, interleaved run by run in one process (see
 * `interleave.ts`), for the MobileNets (V2 and V1, float and int8) and the small models, where
 * ops below the split threshold stay on the calling thread and 2 threads must cost nothing. Each
 * model's outputs are first checked to be the same bits on every thread count. Prints each
 * median and the ratio to 1 thread. LiteRT.js's threaded build runs only in a browser (its
 * pthread workers expect one): `threads_browser.ts` compares the two there.
 *
 * Run with `deno task bench` (after `models.ts`), or alone with
 * `deno run --allow-read --allow-env --allow-sys bench/threads.ts`. Figures mean something only
 * on a quiet machine with at least 2 free cores.
 */
import * as liteq from "../mod.ts";
import { errorMessage, modelPath, ms, ratio, roundsFor, sampleInput, Table } from "./catalog.ts";
import { interleave } from "./interleave.ts";

/** The models timed, as [family, variant]. */
const MODELS: [string, string][] = [
  ["mobilenet_v2", "float"],
  ["mobilenet_v2", "int8"],
  ["mobilenet_v1", "float"],
  ["mobilenet_v1", "int8"],
  ["seed_mnist", "float"],
  ["seed_mnist", "int8"],
  ["mobile_mnist", "float"],
  ["mobile_mnist", "int8"],
];

/** The thread counts compared, 1 first. */
const THREADS = [1, 2, 3];

/** Whether two runs' outputs are the same bytes. */
function sameBits(a: liteq.TensorData[], b: liteq.TensorData[]): boolean {
  return a.length === b.length && a.every((output, index) => {
    const left = new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
    const right = new Uint8Array(b[index].buffer, b[index].byteOffset, b[index].byteLength);
    return left.length === right.length && left.every((byte, at) => byte === right[at]);
  });
}

console.log(
  `liteq on ${THREADS.join(", ")} threads (${navigator.hardwareConcurrency} cores reported), ` +
    "alternating single runs after warm-up, medians:",
);
const table = new Table([
  "model",
  ...THREADS.map((threads) => `${threads}T ms`),
  ...THREADS.slice(1).map((threads) => `${threads}T / 1T`),
  "rounds",
]);
for (const [family, variant] of MODELS) {
  const path = modelPath(family, variant);
  if (!path) continue;
  const interpreters: liteq.Interpreter[] = [];
  try {
    for (const threads of THREADS) {
      interpreters.push(await liteq.Interpreter.load(path, { threads }));
    }
    const input = sampleInput(interpreters[0].inputDetails()[0]);
    const outputs = interpreters.map((interpreter) =>
      interpreter.run([input]) as liteq.TensorData[]
    );
    if (!outputs.every((output) => sameBits(output, outputs[0]))) {
      throw new Error("outputs differ between thread counts");
    }
    const { medians, rounds } = await interleave(
      interpreters.map((interpreter) => () => interpreter.run([input])),
      roundsFor(family),
    );
    table.row([
      `${family}.${variant}`,
      ...medians.map(ms),
      ...medians.slice(1).map((median) => ratio(median / medians[0])),
      String(rounds),
    ]);
  } catch (error) {
    console.log(`${family}.${variant}: ${errorMessage(error)}`);
  } finally {
    for (const interpreter of interpreters) interpreter.dispose();
  }
}
