/**
 * Forged files: byte flips, truncations and forged lengths and offsets of every fixture. The only
 * exception the reader may throw is ModelFormatError; a hang or a huge allocation would stall or
 * crash this test.
 */
import assert from "node:assert/strict";
import { ModelFormatError, readModel } from "../../mod.ts";
import { FIXTURES, modelsIn, readBytesSync } from "../helpers.ts";

/** A small deterministic generator (xorshift32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const FORGED_WORDS = [
  0,
  1,
  0x7f,
  0x80,
  0xff,
  0xffff,
  0x7fffffff,
  0x80000000,
  0xfffffffc,
  0xffffffff,
];

type Mutation = { describe: string; apply: (bytes: Uint8Array) => Uint8Array };

function mutations(size: number, next: () => number): Mutation[] {
  const at = () => Math.floor(next() * size);
  const list: Mutation[] = [];
  for (let flips = 1; flips <= 8; flips *= 2) {
    const positions = Array.from({ length: flips }, at);
    const values = positions.map(() => Math.floor(next() * 256));
    list.push({
      describe: `set bytes ${positions} to ${values}`,
      apply: (bytes) => {
        const copy = bytes.slice();
        positions.forEach((position, index) => (copy[position] = values[index]));
        return copy;
      },
    });
  }
  const cut = at();
  list.push({ describe: `truncate to ${cut} bytes`, apply: (bytes) => bytes.slice(0, cut) });
  // Forge a 32-bit word at a 4-aligned place: offsets, lengths, counts and sizes live there.
  const word = at() & ~3;
  const value = FORGED_WORDS[Math.floor(next() * FORGED_WORDS.length)];
  list.push({
    describe: `set the word at ${word} to ${value}`,
    apply: (bytes) => {
      const copy = bytes.slice();
      if (word + 4 <= copy.length) new DataView(copy.buffer).setUint32(word, value, true);
      return copy;
    },
  });
  return list;
}

Deno.test("forged files end in ModelFormatError or a valid model, never anything else", () => {
  const fixtures = [...modelsIn(`${FIXTURES}/robustness`), ...modelsIn(`${FIXTURES}/models`)]
    .map(([name, path]) => [name, readBytesSync(path)] as const)
    .filter(([, bytes]) => bytes.length <= 200_000);
  const next = random(20261123);
  const deadline = performance.now() + 15_000;
  let runs = 0;
  let refused = 0;
  while (performance.now() < deadline && runs < 20_000) {
    for (const [name, original] of fixtures) {
      for (const mutation of mutations(original.length, next)) {
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
