/**
 * Developer measurement: the output SQNR of liteq's int8 conversions against the float model on
 * held-out samples, per calibration method, over the float models of ../shared (MNIST models on
 * MNIST images: calibration on the 100 calibration images, SQNR on 200 evaluation images; the
 * others on random uniform inputs in their range, different ones for calibration and SQNR) and
 * ../shared/realworld (selfie_segmentation, which the manifest gives no inputs for, on random
 * inputs in [0, 1] of its 256x256 RGB input); `mobilenet_v2_bn_logits` is `mobilenet_v2_bn`
 * without its final SOFTMAX, whose 1000 near-equal probabilities quantize to nothing, and
 * `selfie_segmentation_logits` is `selfie_segmentation` without its final LOGISTIC, whose
 * outputs on random inputs are about 1e-8 (no person anywhere), which int8 holds as 0. Each cell is the mean over the model's outputs
 * of their SQNR in dB. Prints a markdown table.
 *
 * usage: deno run -A tools/calibration_sqnr.ts [SHARED_DIR] [MODEL ...]
 */
import { type Model, parseNpy, readModel } from "../mod.ts";
import type { CalibrationMethod } from "../src/quantize/options.ts";
import { quantizeWithReport } from "../src/quantize/quantize.ts";
import { cloneModel, pruneModel } from "../src/quantize/graph.ts";
import { outputSqnr } from "../src/quantize/sqnr.ts";
import { widenFloat16Constants } from "../src/quantize/widen_float16.ts";

const METHODS: CalibrationMethod[] = ["minmax", "percentile", "mse", "entropy", "auto"];
const shared = Deno.args[0] ?? "../shared";
const only = Deno.args.slice(1);

/** Rows of a stacked .npy as samples. */
function stacked(path: string, count: number, offset = 0): Float32Array[] {
  const array = parseNpy(Deno.readFileSync(path));
  const size = array.data.length / array.shape[0];
  return Array.from(
    { length: Math.min(count, array.shape[0] - offset) },
    (_, index) =>
      Float32Array.from((array.data as Float32Array).subarray(
        (offset + index) * size,
        (offset + index + 1) * size,
      )),
  );
}

/** `count` samples of `size` values uniform in [low, high), from `seed`. */
function uniform(count: number, size: number, low: number, high: number, seed: number) {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return Array.from(
    { length: count },
    () => Float32Array.from({ length: size }, () => low + (high - low) * next()),
  );
}

/** Makes the input of the model's final SOFTMAX or LOGISTIC its output (the logits). */
function cutSoftmax(model: Model): void {
  const subgraph = model.subgraphs[0];
  const last = subgraph.operators.at(-1)!;
  if (last.op !== "SOFTMAX" && last.op !== "LOGISTIC") {
    throw new Error(`the last op is ${last.op}, not SOFTMAX or LOGISTIC`);
  }
  subgraph.operators.pop();
  subgraph.outputs = [last.inputs[0]];
  model.signatures = [];
  pruneModel(model);
}

interface Case {
  name: string;
  path: string;
  /** Measure the logits: the model's final SOFTMAX (or LOGISTIC) cut off. */
  logits?: boolean;
  calibration: Float32Array[];
  heldOut: Float32Array[];
  inputShapes?: number[][];
}

const data = `${shared}/data/mnist`;
const cases: Case[] = [
  ...["seed_mnist", "mobile_mnist"].map((name) => ({
    name,
    path: `${shared}/models/${name}.float.tflite`,
    calibration: stacked(`${data}/mnist_calib_x.npy`, 100),
    heldOut: stacked(`${data}/mnist_eval_x.npy`, 200),
  })),
  {
    name: "seed_cifar_arch",
    path: `${shared}/models/seed_cifar_arch.float.tflite`,
    calibration: stacked(`${data}/mnist32rgb_calib_x.npy`, 100),
    heldOut: stacked(`${data}/mnist32rgb_eval_x.npy`, 200),
  },
  {
    name: "tflm_hello_world_float",
    path: `${shared}/models/tflm_hello_world_float.tflite`,
    calibration: uniform(100, 1, 0, 2 * Math.PI, 1),
    heldOut: uniform(200, 1, 0, 2 * Math.PI, 2),
  },
  ...["mobilenet_v1", "mobilenet_v2", "mobilenet_v2_bn", "mobilenet_v2_bn_logits"].map((name) => ({
    name,
    path: `${shared}/models/${name.replace("_logits", "")}.float.tflite`,
    logits: name.endsWith("_logits"),
    calibration: uniform(16, 224 * 224 * 3, -1, 1, 1),
    heldOut: uniform(4, 224 * 224 * 3, -1, 1, 2),
  })),
];
const manifest = JSON.parse(Deno.readTextFileSync(`${shared}/realworld/manifest.json`)).models;
/** Inputs of the models the manifest gives none for (no TensorFlow reference outputs). */
const UNLISTED_INPUTS: Record<string, Record<string, unknown>> = {
  selfie_segmentation: { inputs: [{ shape: [1, 256, 256, 3] }], input_range_uniform: [0, 1] },
};
for (const [name, listed] of Object.entries<Record<string, unknown>>(manifest)) {
  const entry = { ...listed, ...UNLISTED_INPUTS[name] };
  const inputs = entry.inputs as { shape: number[] }[] | undefined;
  if (!inputs) continue;
  const inputShapes = entry.input_resized_to as number[][] | undefined;
  const shape = inputShapes?.[0] ?? inputs[0].shape;
  const size = shape.reduce((a, b) => a * b, 1);
  const [low, high] = entry.input_range_uniform as number[];
  const count = size > 100_000 ? 16 : 64;
  cases.push({
    name,
    path: `${shared}/realworld/${entry.file}`,
    calibration: uniform(count, size, low, high, 1),
    heldOut: uniform(count > 16 ? 32 : 4, size, low, high, 2),
    inputShapes,
  });
}

const selfie = cases.find((item) => item.name === "selfie_segmentation")!;
cases.push({ ...selfie, name: "selfie_segmentation_logits", logits: true });

console.log(`| model | ${METHODS.join(" | ")} | auto - minmax |`);
console.log(`| --- | ${METHODS.map(() => "---:").join(" | ")} | ---: |`);
for (const item of cases) {
  if (only.length > 0 && !only.includes(item.name)) continue;
  const float = readModel(Deno.readFileSync(item.path));
  if (item.logits) cutSoftmax(float);
  // The reference: float16 constants widened (liteq's interpreter runs no DENSIFY).
  const reference = cloneModel(float);
  widenFloat16Constants(reference);
  const cells: string[] = [];
  const decibels: number[] = [];
  try {
    for (const method of METHODS) {
      const { model } = await quantizeWithReport(float, {
        mode: "int8",
        calibration: method,
        representativeDataset: item.calibration,
        inputShapes: item.inputShapes,
      });
      const perOutput = await outputSqnr(reference, model, item.heldOut, {
        inputShapes: item.inputShapes,
      });
      const mean = perOutput.reduce((sum, value) => sum + value, 0) / perOutput.length;
      decibels.push(mean);
      cells.push(mean.toFixed(2));
    }
  } catch (error) {
    console.log(`| ${item.name} | ${(error as Error).message.slice(0, 120)} |`);
    continue;
  }
  const gain = decibels[METHODS.indexOf("auto")] - decibels[0];
  console.log(
    `| ${item.name} | ${cells.join(" | ")} | ${gain >= 0 ? "+" : ""}${gain.toFixed(2)} |`,
  );
}
