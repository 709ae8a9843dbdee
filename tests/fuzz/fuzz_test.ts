/**
 * The fuzzer in CI: a few hundred seeded structure-aware cases over the fixtures, each in a worker
 * with a 10 s limit. Every case must end in a valid run or a typed error, without a hang or a
 * crash, and within the memory budget. `deno task fuzz` runs the same cases for longer.
 */
import assert from "node:assert/strict";
import { formatSummary, fuzz } from "./driver.ts";

Deno.test("300 fuzz cases end in a valid run or a typed error, never a hang or a crash", async () => {
  const memoryBudget = 2 ** 25;
  const summary = await fuzz({
    cases: 300,
    seed: 20261201,
    jobs: 2,
    timeoutMs: 10_000,
    memoryBudget,
    outDir: null,
  });
  console.log(formatSummary(summary));
  const { outcomes } = summary;
  assert.equal(Object.values(outcomes).reduce((sum, count) => sum + count, 0), 300);
  assert.equal(outcomes.timeout, 0, "hangs");
  assert.equal(outcomes.crash, 0, "crashes");
  assert.equal(outcomes.untyped, 0, "untyped errors");
  assert.ok(outcomes.ok > 30 && outcomes.typed > 100, "the cases reach every stage");
  assert.ok(summary.maxMemoryBytes <= memoryBudget);
});
