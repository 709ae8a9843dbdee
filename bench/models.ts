/**
 * Whole-model latency at batch 1 in one process, every figure from interleaved runs: every model
 * is loaded and warmed up first (see `loadModels`), then the runtimes compared alternate single
 * runs round by round, so a shared machine's drift hits them alike and their ratio stays
 * meaningful when absolute times wander; each figure is the median of its runs. Prints:
 * - liteq against LiteRT.js (XNNPACK in wasm) per model of ../shared/models, and the ratio, int8
 *   models in both of liteq's arithmetics ("reference", the default, and "xnnpack"); LiteRT.js
 *   gets each model with its -1 batch pinned to 1; a model it cannot run shows `ERROR`, and the
 *   `ERROR` line it logged or threw below;
 * - liteq's int8 (both arithmetics) and dynamic-range variants against its float one, and int16x8
 *   against int8 where ../shared has it, per family;
 * - cold starts, each in a fresh `deno run` (see `cold_start.ts`): import, load and first
 *   inference of seed_mnist (an edge function's start), and of MobileNet V2 int8 for both runtimes.
 *
 * Run with `deno task bench` (after the kernel benchmarks), or alone with
 * `deno run --allow-read --allow-env --allow-sys --allow-run bench/models.ts`.
 *
 * A/B mode, to check that a change keeps every figure within noise (see `compare.ts`):
 * `deno run --allow-read --allow-env --allow-sys --allow-run bench/models.ts --compare DIR`,
 * DIR being another checkout of liteq with its `node_modules` (say `git worktree add
 * /tmp/liteq-base HEAD~3 && ln -s "$PWD/node_modules" /tmp/liteq-base/`): imports DIR/mod.ts as
 * a second liteq, interleaves the two run by run on every model, and prints each model's
 * medians, the ratio this / DIR and the cold starts of both.
 */
import * as liteq from "../mod.ts";
import {
  errorMessage,
  FAMILIES,
  type LoadedModel,
  loadModels,
  modelPath,
  ms,
  ratio,
  roundsFor,
  Table,
} from "./catalog.ts";
import { type ColdJob, coldStarts, printColdStarts } from "./cold_start.ts";
import { compare } from "./compare.ts";
import { interleave } from "./interleave.ts";
import { type LiteRtModel, loadLiteRtModel } from "./litert.ts";

/** Loads `model` on LiteRT.js and runs it once; null, with the reason noted, if it cannot. */
async function loadPeer(model: LoadedModel, notes: string[]): Promise<LiteRtModel | null> {
  let peer: LiteRtModel | undefined;
  try {
    peer = await loadLiteRtModel(model.path, true);
    await peer.run(model.input);
    return peer;
  } catch (error) {
    peer?.delete();
    notes.push(`${model.name}: ${errorMessage(error)}`);
    return null;
  }
}

/**
 * The liteq / LiteRT.js table, model by model: liteq in its default ("reference") arithmetic and,
 * for int8 models, in the "xnnpack" one, alternating with LiteRT.js run by run.
 */
async function againstLiteRt(models: LoadedModel[]): Promise<void> {
  console.log(
    "liteq and LiteRT.js 2.5.3 (XNNPACK, wasm), alternating single runs after warm-up, medians " +
      '(xnnpack: liteq\'s "xnnpack" arithmetic, int8 models):',
  );
  const table = new Table([
    "model",
    "liteq ms",
    "xnnpack ms",
    "LiteRT.js ms",
    "liteq / LiteRT.js",
    "xnnpack / LiteRT.js",
    "rounds",
  ]);
  const notes: string[] = [];
  for (const model of models) {
    const peer = await loadPeer(model, notes);
    const runners = [model.run, ...(model.runXnnpack ? [model.runXnnpack] : [])];
    const { medians, rounds } = await interleave(
      peer ? [...runners, () => peer.run(model.input)] : runners,
      roundsFor(model.family),
    );
    peer?.delete();
    const liteqMs = medians[0];
    const xnnpackMs = model.runXnnpack ? medians[1] : undefined;
    const litertMs = peer ? medians[medians.length - 1] : undefined;
    table.row([
      model.name,
      ms(liteqMs),
      xnnpackMs === undefined ? "-" : ms(xnnpackMs),
      litertMs === undefined ? "ERROR" : ms(litertMs),
      litertMs === undefined ? "" : ratio(liteqMs / litertMs),
      litertMs === undefined || xnnpackMs === undefined ? "" : ratio(xnnpackMs / litertMs),
      String(rounds),
    ]);
  }
  for (const note of notes) console.log(note);
}

/**
 * liteq's int8 (both arithmetics), dynamic and, where the family has one, int16x8 variants
 * against float (int16x8 against int8), per family, interleaved.
 */
async function variantRatios(models: LoadedModel[]): Promise<void> {
  console.log("\nliteq's quantized variants against its float ones, interleaved the same way:");
  const header = [
    "model",
    "float ms",
    "int8 ms",
    "xnnpack ms",
    "dynamic ms",
    "int16x8 ms",
    "int8 / float",
    "xnnpack / float",
    "dynamic / float",
    "int16x8 / int8",
  ];
  const table = new Table([...header, "rounds"]);
  for (const family of Object.keys(FAMILIES)) {
    const [float, int8, dynamic, int16x8] = ["float", "int8", "dynamic", "int16x8"].map(
      (variant) => models.find((model) => model.name === `${family}.${variant}`),
    );
    if (!float || !int8?.runXnnpack || !dynamic) continue;
    const runners = [float.run, int8.run, int8.runXnnpack, dynamic.run];
    const { medians: [floatMs, int8Ms, xnnpackMs, dynamicMs, int16Ms], rounds } = await interleave(
      int16x8 ? [...runners, int16x8.run] : runners,
      roundsFor(family),
    );
    const cells = [ms(floatMs), ms(int8Ms), ms(xnnpackMs), ms(dynamicMs)];
    const ratios = [int8Ms / floatMs, xnnpackMs / floatMs, dynamicMs / floatMs].map(ratio);
    const int16Cells = int16x8 ? [ms(int16Ms), ratio(int16Ms / int8Ms)] : ["-", ""];
    table.row([
      family,
      ...cells,
      int16Cells[0],
      ...ratios,
      int16Cells[1],
      String(rounds),
    ]);
  }
}

/**
 * Cold starts: liteq on seed_mnist (an edge function's start; LiteRT.js needs its batch pinned
 * first, see `againstLiteRt`) and both runtimes on MobileNet V2 int8.
 */
async function coldStartTable(): Promise<void> {
  const moduleUrl = new URL("../mod.ts", import.meta.url);
  const seedMnist = modelPath("seed_mnist", "float");
  const mobilenet = modelPath("mobilenet_v2", "int8");
  const entries: [string, ColdJob][] = [];
  if (seedMnist) {
    entries.push(["liteq seed_mnist.float", { runtime: "liteq", modelPath: seedMnist, moduleUrl }]);
  }
  if (mobilenet) {
    entries.push(["liteq mobilenet_v2.int8", {
      runtime: "liteq",
      modelPath: mobilenet,
      moduleUrl,
    }]);
    entries.push(["LiteRT.js mobilenet_v2.int8", { runtime: "litert", modelPath: mobilenet }]);
  }
  const repeats = 5;
  console.log(
    `\nCold starts, fresh \`deno run\` from the warm module cache, medians of ${repeats} ms ` +
      "(import, load, 1st run, total: timed inside from the script's first line; wall: spawn " +
      "to exit; LiteRT.js's import includes its wasm runtime, liteq's load its kernels):",
  );
  const times = await coldStarts(entries.map(([, job]) => job), repeats);
  printColdStarts(entries.map(([label]) => label), times);
}

const compareAt = Deno.args.indexOf("--compare");
if (compareAt >= 0) {
  const dir = Deno.args[compareAt + 1];
  if (!dir) throw new RangeError("--compare needs a folder: another checkout of liteq");
  await compare(dir);
} else {
  const models = await loadModels(liteq);
  await againstLiteRt(models);
  await variantRatios(models);
  await coldStartTable();
}
