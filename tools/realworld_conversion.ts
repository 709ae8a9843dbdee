/**
 * liteq's own conversions of the real models in `../shared/realworld`: dynamic range, and int8
 * calibrated on fixed synthetic samples (the same on every run, in the model's input range), and
 * liteq's outputs of the converted file on the shared inputs. `tools/realworld_conversion_check.py`
 * runs each converted file in TensorFlow and compares; `tests/runtime/realworld_conversions_test.ts`
 * converts again and compares with the references committed from that check.
 *
 * usage: deno run --allow-read --allow-write --allow-env tools/realworld_conversion.ts SHARED_DIR
 * OUT_DIR NAME dynamic|int8 (writes OUT_DIR/NAME.MODE.tflite and liteq's outputs of it,
 * OUT_DIR/NAME.MODE.liteq.npy, .1.npy, ...).
 */
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { readModel } from "../src/format/reader.ts";
import { writeModel } from "../src/format/writer.ts";
import { encodeNpy, type NpyArray, parseNpy } from "../src/io/npy.ts";
import { quantize } from "../src/quantize/quantize.ts";
import { Interpreter } from "../src/runtime/interpreter.ts";
import { runSamples } from "../src/runtime/samples.ts";

/** The conversions checked. */
export type ConversionMode = "dynamic" | "int8";

/** What the conversion needs of a model's manifest entry. */
export interface RealworldEntry {
  /** The model file, in the realworld folder. */
  file: string;
  /** The model's inputs as the file gives them. */
  inputs: { shape: number[] }[];
  /** The shapes the open inputs are resized to. */
  input_resized_to?: number[][];
  /** The range the inputs are drawn from, uniformly. */
  input_range_uniform: [number, number];
  /** The stacked inputs TensorFlow's references were made on. */
  inputs_file?: string;
}

/** How many synthetic samples int8 calibration takes. */
export const CALIBRATION_SAMPLES = 4;

/**
 * `count` samples of `shape` in [low, high): a 32-bit xorshift from a fixed seed, so that every
 * run calibrates on the same values.
 */
export function syntheticSamples(
  shape: number[],
  low: number,
  high: number,
  count: number,
): Float32Array[] {
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  let state = 0x2545f491;
  return Array.from({ length: count }, () => {
    const sample = new Float32Array(size);
    for (let index = 0; index < size; index++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      sample[index] = low + (high - low) * ((state >>> 0) / 2 ** 32);
    }
    return sample;
  });
}

/** The input shapes the model runs with: the resized ones, or the file's. */
export function inputShapesOf(entry: RealworldEntry): number[][] {
  return entry.input_resized_to ?? entry.inputs.map(({ shape }) => shape);
}

/** The file liteq writes for `mode` of the model in `bytes`. */
export async function convertRealworld(
  bytes: Uint8Array,
  mode: ConversionMode,
  entry: RealworldEntry,
): Promise<Uint8Array> {
  const model = readModel(bytes);
  if (mode === "dynamic") return writeModel(await quantize(model, { mode: "dynamicRange" }));
  const shapes = inputShapesOf(entry);
  const [low, high] = entry.input_range_uniform;
  return writeModel(
    await quantize(model, {
      mode: "int8",
      representativeDataset: syntheticSamples(shapes[0], low, high, CALIBRATION_SAMPLES),
      inputShapes: entry.input_resized_to,
    }),
  );
}

/** liteq's outputs of `bytes` on the stacked `inputs`, each output stacked. */
export async function runConverted(
  bytes: Uint8Array,
  entry: RealworldEntry,
  inputs: NpyArray,
): Promise<NpyArray[]> {
  const interpreter = await Interpreter.load(bytes, { inputShapes: entry.input_resized_to });
  return runSamples(interpreter, [inputs]);
}

if (import.meta.main) {
  const [shared, out, name, mode] = process.argv.slice(2);
  if (mode !== "dynamic" && mode !== "int8") {
    throw new Error("usage: realworld_conversion.ts SHARED_DIR OUT_DIR NAME dynamic|int8");
  }
  const folder = `${shared}/realworld`;
  const entry: RealworldEntry =
    JSON.parse(readFileSync(`${folder}/manifest.json`, "utf8")).models[name];
  const converted = await convertRealworld(readFileSync(`${folder}/${entry.file}`), mode, entry);
  writeFileSync(`${out}/${name}.${mode}.tflite`, converted);
  const inputs = parseNpy(readFileSync(`${folder}/${entry.inputs_file}`));
  const outputs = await runConverted(converted, entry, inputs);
  outputs.forEach((output, position) => {
    const suffix = position === 0 ? "" : `.${position}`;
    writeFileSync(`${out}/${name}.${mode}.liteq${suffix}.npy`, encodeNpy(output));
  });
}
