/**
 * Forged files: byte flips, truncations, splices and forged lengths and offsets of every fixture
 * (the byte mutations of `tests/fuzz/`). The only exception the reader may throw is
 * ModelFormatError; a hang or a huge allocation would stall or crash this test.
 */
import assert from "node:assert/strict";
import { ModelFormatError, readModel } from "../../mod.ts";
import { FIXTURES, modelsIn, readBytesSync } from "../helpers.ts";
import { byteMutations } from "../fuzz/bytes.ts";
import { Random } from "../fuzz/random.ts";

Deno.test("forged files end in ModelFormatError or a valid model, never anything else", () => {
  const fixtures = [...modelsIn(`${FIXTURES}/robustness`), ...modelsIn(`${FIXTURES}/models`)]
    .map(([name, path]) => [name, readBytesSync(path)] as const)
    .filter(([, bytes]) => bytes.length <= 200_000);
  const random = new Random(20261123);
  const deadline = performance.now() + 15_000;
  let runs = 0;
  let refused = 0;
  while (performance.now() < deadline && runs < 20_000) {
    for (const [name, original] of fixtures) {
      for (const mutation of byteMutations(original.length, random)) {
        runs++;
        try {
          readModel(mutation.apply(original));
        } catch (error) {
          if (!(error instanceof ModelFormatError)) {
            assert.fail(`${name}, ${mutation.describe}: threw ${(error as Error).stack}`);
          }
          refused++;
        }
      }
    }
  }
  console.log(`${runs} forged files, ${refused} refused with ModelFormatError, the rest valid`);
  assert.ok(runs >= 1000, `only ${runs} forged files in the time allowed`);
  assert.ok(refused > 0);
});
