/**
 * Cold starts: `cold_child.ts` in fresh `deno run` processes (import a runtime, load a model,
 * run it once), from Deno's warm module cache (one unrecorded start first), several jobs
 * alternating start by start like the inference benchmarks; the medians of each phase and of
 * the process's wall time (spawn to exit, as the parent sees it).
 */
import { median } from "./interleave.ts";

const ROOT = new URL("../", import.meta.url);
const CHILD = new URL("cold_child.ts", import.meta.url);

/** One kind of cold start: which runtime (and, for liteq, which `mod.ts`) loads which model. */
export interface ColdJob {
  runtime: "liteq" | "litert";
  modelPath: string;
  /** The `mod.ts` a liteq start imports. */
  moduleUrl?: URL;
}

/** The phases a child reports, in its order, and the process's wall time (spawn to exit). */
const PHASES = ["import", "load", "firstRun", "total", "wall"] as const;

/** Median milliseconds of each phase a child reports, and of the process's wall time. */
export type ColdTimes = Record<typeof PHASES[number], number>;

async function startOnce(job: ColdJob): Promise<ColdTimes> {
  const args = ["run", "--allow-read", "--allow-env", "--allow-sys", CHILD.href, job.runtime];
  args.push(job.modelPath);
  if (job.moduleUrl) args.push(job.moduleUrl.href);
  const spawned = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const wall = performance.now() - spawned;
  const text = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) {
    throw new Error(`cold start failed: ${new TextDecoder().decode(output.stderr).trim()}`);
  }
  return { ...JSON.parse(text.slice(text.lastIndexOf("\n") + 1)), wall };
}

/** Starts each job `repeats` times, alternating jobs start by start; the medians per job. */
export async function coldStarts(jobs: ColdJob[], repeats: number): Promise<ColdTimes[]> {
  for (const job of jobs) await startOnce(job);
  const samples = jobs.map(() => [] as ColdTimes[]);
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const [index, job] of jobs.entries()) samples[index].push(await startOnce(job));
  }
  return samples.map((times) =>
    Object.fromEntries(
      PHASES.map((phase) => [phase, median(times.map((sample) => sample[phase]))]),
    ) as ColdTimes
  );
}

/** Prints one line per job: label and the medians of its phases. */
export function printColdStarts(labels: string[], times: ColdTimes[]): void {
  const header = ["", "import", "load", "1st run", "total", "wall"];
  const width = Math.max(...labels.map((label) => label.length));
  console.log(
    [header[0].padEnd(width), ...header.slice(1).map((name) => name.padStart(8))].join(" "),
  );
  times.forEach((time, index) => {
    const cells = PHASES.map((phase) => time[phase].toFixed(1).padStart(8));
    console.log([labels[index].padEnd(width), ...cells].join(" "));
  });
}
