/**
 * How a fuzz case runs its model: the interpreter's limits, input shapes scaled up, the input
 * values of each invoke (repeated cycles of value patterns, so that dynamic shapes change from
 * one invoke to the next and back), whether outputs are read before the first invoke and whether
 * the signature runners are made after it. Drawn from the case's generator, so it is replayed
 * with the case.
 */
import type { Random } from "./random.ts";

/**
 * The values one invoke gives every input. Numbers: `ramp` (the first case's small repeating
 * values), `ones` (every condition true), `zeros`, `negative` (-1: a valid axis from the end),
 * `alternate` (0 and 1), `edge` (integers where axes and shapes break). Strings: `ramp` digits,
 * `ones` "1", `zeros` empty strings, `negative` bytes that are not UTF-8, `alternate` empty and
 * multi-byte strings, `edge` one 64 KiB string among short ones.
 */
export type Fill = "ramp" | "ones" | "zeros" | "negative" | "alternate" | "edge";

/** Every fill, in a fixed order. */
export const FILLS: readonly Fill[] = ["ramp", "ones", "zeros", "negative", "alternate", "edge"];

/** How one case runs (see the module comment). */
export interface RunPlan {
  /** The interpreter's memory budget. */
  memoryBudget: number;
  /** The interpreter's `maxElements`, or undefined for its default. */
  maxElements?: number;
  /** Factor the first dimension of every input of rank 1 or more is multiplied by (option inputShapes). */
  inputScale: number;
  /** One invoke per entry: `cycle` patterns repeated `fills.length / cycle` times. */
  fills: Fill[];
  /** The length of the repeated cycle of fills (memory must settle from its second repetition). */
  cycle: number;
  /** Read every output before the first invoke (a dynamic one has no values then). */
  readBeforeInvoke: boolean;
  /** Make the signature runners after the first invoke (then invoke and run them). */
  runnersAfterInvoke: boolean;
}

/** The plan the fuzzer has always run: one invoke of `ramp` values, runners made at load. */
export function plainPlan(memoryBudget: number): RunPlan {
  return {
    memoryBudget,
    inputScale: 1,
    fills: ["ramp"],
    cycle: 1,
    readBeforeInvoke: false,
    runnersAfterInvoke: false,
  };
}

/** The plan of one case: the plain one seven times in ten, else one stressing invoke. */
export function drawPlan(random: Random, memoryBudget: number): RunPlan {
  const plan = plainPlan(memoryBudget);
  if (random.chance(0.7)) return plan;
  if (random.chance(0.3)) plan.maxElements = random.pick([2 ** 10, 2 ** 14, 2 ** 18]);
  if (random.chance(0.1)) {
    plan.memoryBudget = Math.min(memoryBudget, random.pick([2 ** 21, 2 ** 23]));
  }
  if (random.chance(0.3)) plan.inputScale = random.pick([16, 256, 4096]);
  const cycle = 1 + random.below(3);
  const patterns = Array.from({ length: cycle }, () => random.pick(FILLS));
  const repeats = cycle === 1 ? random.pick([1, 3]) : 3;
  plan.fills = Array.from({ length: repeats }, () => patterns).flat();
  plan.cycle = cycle;
  plan.readBeforeInvoke = random.chance(0.5);
  plan.runnersAfterInvoke = random.chance(0.5);
  return plan;
}

/** Integers that break axes and shapes, taken in turn by `edge` fills. */
const EDGE_VALUES = [7, -9, 2 ** 31 - 1, -(2 ** 31), 65535, 3, -3, 100_000];

/** The number `fill` gives element `index` of an input of integers or floats. */
export function numberFill(fill: Fill, index: number, float: boolean): number {
  switch (fill) {
    case "ramp":
      return float ? ((index % 7) - 3) / 3 : index % 5;
    case "ones":
      return 1;
    case "zeros":
      return 0;
    case "negative":
      return -1;
    case "alternate":
      return index % 2;
    case "edge":
      return EDGE_VALUES[index % EDGE_VALUES.length];
  }
}

const UTF8 = new TextEncoder();
const NOT_UTF8 = new Uint8Array([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]);
const LONG = new Uint8Array(2 ** 16).fill(0x61);

/** The byte string `fill` gives element `index` of a string input. */
export function stringFill(fill: Fill, index: number): Uint8Array {
  switch (fill) {
    case "ramp":
      return UTF8.encode(`${index % 5}`);
    case "ones":
      return UTF8.encode("1");
    case "zeros":
      return new Uint8Array(0);
    case "negative":
      return NOT_UTF8;
    case "alternate":
      return index % 2 ? new Uint8Array(0) : UTF8.encode("\u{1F600}\u0000é");
    case "edge":
      return index === 0 ? LONG : UTF8.encode(`${index}`);
  }
}
