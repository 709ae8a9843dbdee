/**
 * The fuzz driver: makes cases, runs each in a worker with a time limit (a worker that does not
 * answer in time is terminated and replaced: a timeout), counts outcomes by pipeline stage, groups
 * untyped errors, timeouts and crashes into kinds, and saves each failing file with a note.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import type { CaseResult, Outcome } from "./case.ts";
import { type Fixture, type FuzzCase, loadFixtures, makeCase } from "./generate.ts";
import type { CaseMessage } from "./worker.ts";

/** What to run. */
export interface FuzzOptions {
  cases: number;
  seed: number;
  /** Workers running at once. */
  jobs: number;
  /** Milliseconds a case may take before it counts as a hang. */
  timeoutMs: number;
  /** The interpreter's memory budget in each case. */
  memoryBudget: number;
  /** Where failing files are saved (none when null). */
  outDir: string | null;
}

/** A kind of failure: how often it happened and its first case. */
export interface FailureKind {
  count: number;
  first: FuzzCase & { result: CaseResult; saved?: string };
}

/** What a run found. */
export interface FuzzSummary {
  /** Cases by outcome, and by outcome and stage (`write` for mutations the writer refused). */
  outcomes: Record<Outcome | "unwritable", number>;
  stages: Record<string, Record<string, number>>;
  /** Untyped errors, timeouts and crashes, grouped by stage, error and source frame. */
  failures: Map<string, FailureKind>;
  maxMemoryBytes: number;
  seconds: number;
}

/** A worker that runs one case at a time, replaced when it hangs or dies. */
class CaseRunner {
  private worker!: Worker;
  private ready!: Promise<void>;

  constructor() {
    this.spawn();
  }

  private spawn(): void {
    this.worker = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
    this.ready = new Promise((resolve) => (this.worker.onmessage = () => resolve()));
  }

  async run(message: CaseMessage, timeoutMs: number): Promise<CaseResult> {
    await this.ready;
    return await new Promise((resolve) => {
      const finish = (result: CaseResult, replace: boolean) => {
        clearTimeout(timer);
        if (replace) {
          this.worker.terminate();
          this.spawn();
        }
        resolve(result);
      };
      const timer = setTimeout(
        () => finish({ outcome: "timeout", stage: "done", error: `over ${timeoutMs} ms` }, true),
        timeoutMs,
      );
      this.worker.onmessage = (event) => finish(event.data.result, false);
      this.worker.onerror = (event) => {
        event.preventDefault();
        finish({ outcome: "crash", stage: "done", error: event.message }, true);
      };
      this.worker.postMessage(message);
    });
  }

  close(): void {
    this.worker.terminate();
  }
}

/** The key grouping a failure with others of its kind: digits and quoted names left out. */
function kindOf(fuzzCase: FuzzCase, result: CaseResult): string {
  const message = (result.error ?? "").replace(/"[^"]*"/g, '"…"').replace(/-?\d+(\.\d+)?/g, "N");
  if (result.outcome === "timeout" || result.outcome === "crash") {
    return `${result.outcome} ${fuzzCase.fixture.split("/")[0]} ${fuzzCase.families.join("+")}`;
  }
  return `${result.stage} ${message.slice(0, 160)} @ ${result.frames?.[0] ?? "?"}`;
}

function save(outDir: string, fuzzCase: FuzzCase, result: CaseResult): string {
  mkdirSync(outDir, { recursive: true });
  const path = `${outDir}/${result.outcome}-${fuzzCase.index}`;
  if (fuzzCase.bytes) writeFileSync(`${path}.tflite`, fuzzCase.bytes);
  writeFileSync(
    `${path}.txt`,
    [
      `case ${fuzzCase.index} of ${fuzzCase.fixture}`,
      ...fuzzCase.mutations.map((line) => `  ${line}`),
      `run: ${JSON.stringify(fuzzCase.plan)}`,
      `${result.outcome} at ${result.stage}: ${result.error ?? ""}`,
      ...(result.frames ?? []).map((frame) => `  at ${frame}`),
    ].join("\n") + "\n",
  );
  return `${path}.tflite`;
}

/** Runs `options.cases` cases; `onCase` sees each as it ends. */
export async function fuzz(
  options: FuzzOptions,
  onCase?: (done: number, summary: FuzzSummary) => void,
  fixtures: Fixture[] = loadFixtures(),
): Promise<FuzzSummary> {
  const start = performance.now();
  const summary: FuzzSummary = {
    outcomes: { ok: 0, typed: 0, untyped: 0, timeout: 0, crash: 0, unwritable: 0 },
    stages: {},
    failures: new Map(),
    maxMemoryBytes: 0,
    seconds: 0,
  };
  const record = (fuzzCase: FuzzCase, result: CaseResult, outcome: Outcome | "unwritable") => {
    summary.outcomes[outcome]++;
    const byStage = summary.stages[outcome] ??= {};
    byStage[result.stage] = (byStage[result.stage] ?? 0) + 1;
    summary.maxMemoryBytes = Math.max(summary.maxMemoryBytes, result.memoryBytes ?? 0);
    if (outcome === "ok" || outcome === "typed" || outcome === "unwritable") return;
    const key = kindOf(fuzzCase, result);
    const saved = options.outDir ? save(options.outDir, fuzzCase, result) : undefined;
    const kind = summary.failures.get(key);
    if (kind) kind.count++;
    else summary.failures.set(key, { count: 1, first: { ...fuzzCase, result, saved } });
  };
  let next = 0;
  let done = 0;
  const runners = Array.from({ length: options.jobs }, () => new CaseRunner());
  await Promise.all(runners.map(async (runner) => {
    while (next < options.cases) {
      const fuzzCase = makeCase(fixtures, options.seed, next++, options.memoryBudget);
      if (fuzzCase.bytes === null) {
        const typed = fuzzCase.unwritable!.startsWith("ModelFormatError");
        const result: CaseResult = {
          outcome: typed ? "typed" : "untyped",
          stage: "write",
          error: fuzzCase.unwritable,
        };
        record(fuzzCase, result, typed ? "unwritable" : "untyped");
      } else {
        const message = { index: fuzzCase.index, bytes: fuzzCase.bytes, plan: fuzzCase.plan };
        const result = await runner.run(message, options.timeoutMs);
        record(fuzzCase, result, result.outcome);
      }
      summary.seconds = (performance.now() - start) / 1000;
      onCase?.(++done, summary);
    }
    runner.close();
  }));
  summary.seconds = (performance.now() - start) / 1000;
  return summary;
}

/** The outcome table: one row per outcome, one column per stage where cases ended. */
export function formatSummary(summary: FuzzSummary): string {
  const stages = ["write", "read", "load", "invoke", "rewrite", "done"];
  const header = ["outcome", "cases", ...stages].map((cell) => cell.padStart(9)).join(" ");
  const rows = Object.entries(summary.outcomes).map(([outcome, count]) =>
    [
      outcome,
      String(count),
      ...stages.map((stage) => String(summary.stages[outcome]?.[stage] ?? 0)),
    ]
      .map((cell) => cell.padStart(9)).join(" ")
  );
  const failures = [...summary.failures].map(([key, { count, first }]) =>
    `${String(count).padStart(6)}  ${key}\n        first: case ${first.index}, ${first.fixture}: ${
      first.mutations.join("; ")
    }${first.saved ? `\n        saved: ${first.saved}` : ""}\n        ${first.result.error ?? ""}`
  );
  return [
    header,
    ...rows,
    `${
      summary.seconds.toFixed(1)
    } s; most wasm memory held by one case: ${summary.maxMemoryBytes} bytes`,
    ...(failures.length ? ["failures (untyped, timeout, crash) by kind:", ...failures] : []),
  ].join("\n");
}
