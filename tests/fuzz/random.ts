/** A small deterministic generator (xorshift32), so that every fuzz case can be replayed. */

/** Seeded pseudo-random numbers and choices. */
export class Random {
  private state: number;

  /** @param seed any integer; 0 is taken as 1 (xorshift has no zero state) */
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** The generator of case `index` of a run seeded with `seed`: cases do not depend on each other. */
  static forCase(seed: number, index: number): Random {
    const random = new Random(
      Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35),
    );
    for (let warm = 0; warm < 4; warm++) random.next();
    return random;
  }

  /** A number in [0, 1). */
  next(): number {
    let state = this.state;
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    this.state = state >>> 0;
    return this.state / 2 ** 32;
  }

  /** An integer in [0, count). */
  below(count: number): number {
    return Math.floor(this.next() * count);
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }
}
