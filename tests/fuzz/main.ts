/**
 * `deno task fuzz [--cases N] [--seed S] [--jobs J] [--timeout SECONDS] [--memory-budget BYTES]
 * [--out DIR]`: a long fuzz run over the fixtures, printing the outcome table and each kind of
 * untyped error, timeout and crash; every failing file is saved in DIR (default `out/fuzz`) with
 * a note saying how it was made and what happened. Exit code 1 when anything broke the promise.
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { formatSummary, fuzz } from "./driver.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    cases: { type: "string", default: "1000" },
    seed: { type: "string", default: "1" },
    jobs: { type: "string", default: "2" },
    timeout: { type: "string", default: "10" },
    "memory-budget": { type: "string", default: String(2 ** 25) },
    out: { type: "string", default: "out/fuzz" },
  },
});

function whole(name: string, text: string, least: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < least) {
    console.error(`fuzz: --${name} must be a whole number of at least ${least}, not ${text}`);
    process.exit(2);
  }
  return value;
}

const options = {
  cases: whole("cases", values.cases, 1),
  seed: whole("seed", values.seed, 0),
  jobs: whole("jobs", values.jobs, 1),
  timeoutMs: whole("timeout", values.timeout, 1) * 1000,
  memoryBudget: whole("memory-budget", values["memory-budget"], 1),
  outDir: values.out,
};
const summary = await fuzz(options, (done, { outcomes }) => {
  if (done % 500 === 0 || done === options.cases) {
    console.error(
      `${done}/${options.cases}: ${outcomes.untyped} untyped, ${outcomes.timeout} timeouts, ${outcomes.crash} crashes`,
    );
  }
});
console.log(`fuzz: ${options.cases} cases, seed ${options.seed}`);
console.log(formatSummary(summary));
const broken = summary.outcomes.untyped + summary.outcomes.timeout + summary.outcomes.crash;
process.exit(broken > 0 ? 1 : 0);
