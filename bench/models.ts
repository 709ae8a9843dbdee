/**
 * Whole-model latency at batch 1 in one process, every figure from interleaved runs: every model
 * is loaded and warmed up first (see `loadModels`), then the runtimes compared alternate single
 * runs round by round, so a shared machine's drift hits them alike and their ratio stays
 * meaningful when absolute times wander; each figure is the median of its runs. Prints:
 * - liteq against LiteRT.js (XNNPACK in wasm) per model of ../shared/models, and the ratio; a
 *   model LiteRT.js cannot run shows `ERROR`, and the `ERROR` line it logged or threw below;
 * - liteq's int8 and dynamic-range variants against its float one, per model family;
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
    peer = await loadLiteRtModel(model.path);
    await peer.run(model.input);
    return peer;
  } catch (error) {
    peer?.delete();
    notes.push(`${model.name}: ${errorMessage(error)}`);
    return null;
  }
}

/** The liteq / LiteRT.js table, model by model. */
async function againstLiteRt(models: LoadedModel[]): Promise<void> {
  console.log(
    "liteq and LiteRT.js 2.5.3 (XNNPACK, wasm), alternating single runs after warm-up, medians:",
  );
  const table = new Table(["model", "liteq ms", "LiteRT.js ms", "liteq / LiteRT.js", "rounds"]);
  const notes: string[] = [];
  for (const model of models) {
    const peer = await loadPeer(model, notes);
    const { medians: [liteqMs, litertMs], rounds } = await interleave(
      peer ? [model.run, () => peer.run(model.input)] : [model.run],
      roundsFor(model.family),
    );
    peer?.delete();
    const [theirs, relative] = peer ? [ms(litertMs), ratio(liteqMs / litertMs)] : ["ERROR", ""];
    table.row([model.name, ms(liteqMs), theirs, relative, String(rounds)]);
  }
  for (const note of notes) console.log(note);
}

/** liteq's int8 and dynamic variants against float, per family, interleaved. */
async function variantRatios(models: LoadedModel[]): Promise<void> {
  console.log("\nliteq's quantized variants against its float ones, interleaved the same way:");
  const header = ["model", "float ms", "int8 ms", "dynamic ms", "int8 / float", "dynamic / float"];
  const table = new Table([...header, "rounds"]);
  for (const family of Object.keys(FAMILIES)) {
    const variants = ["float", "int8", "dynamic"].map((variant) =>
      models.find((model) => model.name === `${family}.${variant}`)
    );
    if (variants.some((model) => !model)) continue;
    const { medians: [float, int8, dynamic], rounds } = await interleave(
      variants.map((model) => model!.run),
      roundsFor(family),
    );
    const cells = [ms(float), ms(int8), ms(dynamic), ratio(int8 / float), ratio(dynamic / float)];
    table.row([family, ...cells, String(rounds)]);
  }
}

/**
 * Cold starts: liteq on seed_mnist (an edge function's start; LiteRT.js cannot run it, see
 * `againstLiteRt`) and both runtimes on MobileNet V2 int8.
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
