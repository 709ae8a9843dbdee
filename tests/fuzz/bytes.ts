/**
 * Byte-level mutations of a model file: bytes set at random, truncation, a forged 32-bit word
 * where offsets, lengths and counts live, and a splice of one stretch of the file over another.
 */
import type { Random } from "./random.ts";

/** Words that make offsets, lengths and counts point outside, to zero or to themselves. */
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

/** One byte-level mutation: what it does, and a function making the mutated copy. */
export interface ByteMutation {
  describe: string;
  apply: (bytes: Uint8Array) => Uint8Array;
}

/** One of each kind of byte mutation for a file of `size` bytes (8 flips of 1 to 8 bytes). */
export function byteMutations(size: number, random: Random): ByteMutation[] {
  const at = () => random.below(size);
  const list: ByteMutation[] = [];
  for (let flips = 1; flips <= 8; flips *= 2) {
    const positions = Array.from({ length: flips }, at);
    const values = positions.map(() => random.below(256));
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
  const value = random.pick(FORGED_WORDS);
  list.push({
    describe: `set the word at ${word} to ${value}`,
    apply: (bytes) => {
      const copy = bytes.slice();
      if (word + 4 <= copy.length) new DataView(copy.buffer).setUint32(word, value, true);
      return copy;
    },
  });
  const [from, to] = [at() & ~3, at() & ~3];
  const length = 4 * (1 + random.below(16));
  list.push({
    describe: `copy ${length} bytes from ${from} over ${to}`,
    apply: (bytes) => {
      const copy = bytes.slice();
      copy.set(bytes.subarray(from, from + length).subarray(0, copy.length - to), to);
      return copy;
    },
  });
  return list;
}
