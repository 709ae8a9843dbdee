/**
 * What the model benchmarks run: the model families and variants in ../shared/models, how many
 * interleaved rounds each gets, a deterministic input for each model, every model loaded and
 * warmed up on a liteq, and the aligned tables they print.
 */
import { existsSync } from "node:fs";
import type * as liteq from "../mod.ts";
import type { RoundOptions, Runner } from "./interleave.ts";

/** The models folder of ../shared beside the worktree. */
const SHARED_MODELS = new URL("../../shared/models/", import.meta.url);

/** Each family's variants (the `MODE` of `NAME.MODE.tflite`), float first. */
export const FAMILIES: Record<string, string[]> = {
  mobilenet_v1: ["float", "int8", "dynamic"],
  mobilenet_v2: ["float", "int8", "dynamic"],
  seed_mnist: ["float", "int8", "int8_uint8io", "dynamic", "int16x8"],
  mobile_mnist: ["float", "int8", "int8_uint8io", "dynamic", "int16x8"],
};

/** The path of `family.variant` in ../shared/models, or null (with a printed line) if absent. */
export function modelPath(family: string, variant: string): string | null {
  const path = new URL(`${family}.${variant}.tflite`, SHARED_MODELS).pathname;
  if (existsSync(path)) return path;
  console.log(`skipped ${family}.${variant}: ${path} is absent`);
  return null;
}

/**
 * Rounds per measurement: about 8 s of timed rounds for a MobileNet (tens of milliseconds a run), 2 s for
 * the small models (well under 1 ms), so the whole `deno task bench` stays within 3 minutes;
 * `scale` multiplies the time (the A/B mode takes longer for a finer ratio).
 */
export function roundsFor(family: string, scale = 1): RoundOptions {
  return family.startsWith("mobilenet")
    ? { warmup: 3, budgetMs: 8000 * scale, minRounds: 15, maxRounds: 400 * scale }
    : { warmup: 50, budgetMs: 2000 * scale, minRounds: 100, maxRounds: 5000 * scale };
}

/** A deterministic input for `details`: floats in [0, 1), or integers spread over uint8. */
export function sampleInput(
  details: liteq.TensorDetails,
): Float32Array<ArrayBuffer> | Uint8Array<ArrayBuffer> {
  const count = details.shape.reduce((product, size) => product * size, 1);
  if (details.dtype === "uint8") {
    return Uint8Array.from({ length: count }, (_, index) => (index * 7919) % 256);
  }
  if (details.dtype !== "float32") throw new RangeError(`no sample input for ${details.dtype}`);
  return Float32Array.from({ length: count }, (_, index) => ((index * 7919) % 1000) / 1000);
}

/** The message of a thrown value. */
export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** A model loaded on a liteq and warmed up. */
export interface LoadedModel {
  /** `family.variant`. */
  name: string;
  family: string;
  path: string;
  input: Float32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;
  /** One inference on `input`. */
  run: Runner;
  /** For int8 variants: one inference in the "xnnpack" arithmetic. */
  runXnnpack?: Runner;
}

/**
 * Loads every model of `FAMILIES` on `module` (a liteq's `mod.ts`) and runs each its warm-up
 * count, before any timing: the JIT compiles liteq's JavaScript for what it has seen so far (a
 * model with uint8 I/O makes seed_mnist int8 run 1.5x as long), so all figures are measured
 * after every model has run, whatever their order. Models that are absent or that liteq cannot
 * run are printed and left out.
 */
export async function loadModels(module: typeof liteq): Promise<LoadedModel[]> {
  const models: LoadedModel[] = [];
  for (const [family, variants] of Object.entries(FAMILIES)) {
    for (const variant of variants) {
      const name = `${family}.${variant}`;
      const path = modelPath(family, variant);
      if (!path) continue;
      try {
        const interpreter = await module.Interpreter.load(path);
        const input = sampleInput(interpreter.inputDetails()[0]);
        const run = () => interpreter.run([input]);
        const xnnpack = variant.startsWith("int8")
          ? await module.Interpreter.load(path, { arithmetic: "xnnpack" })
          : null;
        const runXnnpack = xnnpack ? () => xnnpack.run([input]) : undefined;
        for (let round = 0; round < roundsFor(family).warmup; round++) {
          run();
          runXnnpack?.();
        }
        models.push({ name, family, path, input, run, runXnnpack });
      } catch (error) {
        console.log(`skipped ${name}: liteq cannot run it: ${errorMessage(error)}`);
      }
    }
  }
  return models;
}

/** Milliseconds: three decimals under 1 ms, two from there. */
export const ms = (value: number): string => value.toFixed(value < 1 ? 3 : 2);

/** A ratio with two decimals and an `x`. */
export const ratio = (value: number): string => `${value.toFixed(2)}x`;

/** A table printed row by row: the first column left-aligned, the others right-aligned. */
export class Table {
  private readonly widths: number[];

  /** Prints the header. */
  constructor(header: string[], firstWidth = 26) {
    this.widths = header.map((name, index) => index === 0 ? firstWidth : Math.max(name.length, 9));
    this.row(header);
  }

  /** Prints one row. */
  row(cells: string[]): void {
    console.log(
      cells.map((cell, index) =>
        index === 0 ? cell.padEnd(this.widths[0]) : cell.padStart(this.widths[index])
      ).join("  "),
    );
  }
}
