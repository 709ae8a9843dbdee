/**
 * The A/B mode of `models.ts --compare DIR`: this checkout's liteq against the one in DIR
 * (another checkout, e.g. a git worktree of an older commit, with its own `node_modules`), both in
 * this process, alternating single runs on every model after warm-up, twice as many rounds as
 * `models.ts` takes; then both cold starts (fresh `deno run`s, alternating start by start). A
 * ratio near 1.00x on every row says the change kept the speed; run it against this checkout
 * itself to see the noise (on a loaded 2-core machine, MobileNets within about 5%).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as liteq from "../mod.ts";
import { loadModels, modelPath, ms, ratio, roundsFor, Table } from "./catalog.ts";
import { type ColdJob, coldStarts, printColdStarts } from "./cold_start.ts";
import { interleave } from "./interleave.ts";

/** Prints this liteq against the one in `dir`, model by model, then their cold starts. */
export async function compare(dir: string): Promise<void> {
  const otherUrl = pathToFileURL(resolve(dir, "mod.ts"));
  const other: typeof liteq = await import(otherUrl.href);
  const thisUrl = new URL("../mod.ts", import.meta.url);
  const [ours, theirs] = [await loadModels(liteq), await loadModels(other)];
  console.log(`this liteq (${thisUrl.pathname}) against ${otherUrl.pathname}, alternating`);
  console.log("single runs after warm-up, medians:");
  const table = new Table(["model", "this ms", "other ms", "this / other", "rounds"]);
  for (const model of ours) {
    const peer = theirs.find((candidate) => candidate.name === model.name);
    if (!peer) continue;
    const { medians: [thisMs, otherMs], rounds } = await interleave(
      [model.run, peer.run],
      roundsFor(model.family, 2),
    );
    table.row([model.name, ms(thisMs), ms(otherMs), ratio(thisMs / otherMs), String(rounds)]);
  }

  const entries: [string, ColdJob][] = [];
  for (const [family, variant] of [["seed_mnist", "float"], ["mobilenet_v2", "int8"]]) {
    const path = modelPath(family, variant);
    if (!path) continue;
    for (const [side, moduleUrl] of [["this", thisUrl], ["other", otherUrl]] as const) {
      entries.push([`${side} ${family}.${variant}`, {
        runtime: "liteq",
        modelPath: path,
        moduleUrl,
      }]);
    }
  }
  const repeats = 9;
  console.log(`\nCold starts (as in models.ts), medians of ${repeats} ms:`);
  printColdStarts(
    entries.map(([label]) => label),
    await coldStarts(entries.map(([, job]) => job), repeats),
  );
}
