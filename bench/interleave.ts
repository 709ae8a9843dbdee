/**
 * Interleaved timing: several runners (one inference each) alternate single runs, round by
 * round, so that a shared machine's drift hits them all alike; the median of each runner's
 * times is its figure, and ratios between runners of the same rounds stay meaningful on a busy
 * machine where absolute times do not.
 */

/** One inference: sync (liteq) or async (LiteRT.js). */
export type Runner = () => unknown;

/** How many rounds to take. */
export interface RoundOptions {
  /** Warm-up rounds (not in the medians); their median estimates a round's time. */
  warmup: number;
  /** Wall time to aim the timed rounds at, in milliseconds. */
  budgetMs: number;
  /** Fewest timed rounds, whatever the budget. */
  minRounds: number;
  /** Most timed rounds. */
  maxRounds: number;
}

/** Medians (ms) of each runner, in the runners' order, and the number of timed rounds. */
export interface Interleaved {
  medians: number[];
  rounds: number;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Milliseconds one call of `runner` takes. */
async function timeOne(runner: Runner): Promise<number> {
  const start = performance.now();
  const result = runner();
  if (result instanceof Promise) await result;
  return performance.now() - start;
}

/**
 * Warms every runner up, then times rounds of one run each; the order within a round rotates
 * from round to round, so no runner always follows the same other one.
 */
export async function interleave(runners: Runner[], options: RoundOptions): Promise<Interleaved> {
  const warmRounds: number[] = [];
  for (let round = 0; round < options.warmup; round++) {
    const roundStart = performance.now();
    for (const runner of runners) await timeOne(runner);
    warmRounds.push(performance.now() - roundStart);
  }
  const roundMs = warmRounds.length > 0 ? median(warmRounds) : 0;
  const rounds = Math.min(
    options.maxRounds,
    Math.max(options.minRounds, Math.round(options.budgetMs / Math.max(roundMs, 1e-3))),
  );
  const times = runners.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (let step = 0; step < runners.length; step++) {
      const which = (round + step) % runners.length;
      times[which].push(await timeOne(runners[which]));
    }
  }
  return { medians: times.map(median), rounds };
}
