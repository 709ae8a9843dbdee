/**
 * The "quantize in your browser" page's worker (bundled into `dist/web/worker.js` by
 * `deno task build:web`): it receives a float model, the calibration samples as the page got
 * them (a `.npy` file, image files, or a count of random samples), the settings and the labelled
 * samples; quantizes, compares the result with the float model layer by layer, and posts back
 * the file, the figures and the debugger's HTML report. Progress is posted as it goes, so the
 * page stays responsive.
 */
import {
  compareModels,
  type Model,
  type NpyArray,
  parseNpy,
  type QuantizeOptions,
  quantizeWithReport,
  readModel,
  type Sample,
  writeModel,
} from "../mod.ts";
import { comparisonReportHtml } from "../src/quantize/debug/report_html.ts";

/** Calibration samples as the page has them. */
export type Calibration =
  | { kind: "npy"; bytes: Uint8Array }
  | { kind: "images"; files: Blob[] }
  | { kind: "random"; count: number };

/** What the page asks for. */
export interface ConvertRequest {
  /** The float model's bytes and its file name. */
  model: Uint8Array;
  name: string;
  /** The settings, by `QuantizeOptions` key (`mode`, `inputType`, ...). */
  settings: Record<string, string>;
  calibration: Calibration;
  /** Labelled samples (`.npy` bytes) for accuracy, or null. */
  evaluation: { data: Uint8Array; labels: Uint8Array } | null;
}

/** What the worker posts back: progress, the result, or the error's message. */
export type WorkerMessage =
  | { type: "progress"; stage: string; done: number; total: number }
  | { type: "done"; result: ConvertResult }
  | { type: "error"; message: string };

/** The conversion's outcome. */
export interface ConvertResult {
  /** The quantized file, and the name to save it under. */
  bytes: Uint8Array;
  fileName: string;
  floatBytes: number;
  samples: number;
  quantized: number;
  keptFloat: number;
  /** Top-1 accuracy of each model on the labelled samples, or null without them. */
  top1: { float: number; quantized: number } | null;
  /** Layers measured against the float model (one bar each in the report's chart). */
  layersCompared: number;
  /** Output 0's SQNR in dB and the lowest layer SQNR (null when no layer was compared). */
  outputSqnr: number;
  worstLayer: { operator: number; op: string; sqnr: number } | null;
  /** The debugger's report: sizes, accuracy, the per-layer SQNR chart, histograms. */
  reportHtml: string;
}

/** The worker's global scope, as far as this file uses it. */
interface WorkerScope {
  onmessage: ((event: { data: ConvertRequest }) => void) | null;
  postMessage(message: WorkerMessage): void;
}

/** The canvas calls that turn an image into pixels at the model's input size. */
interface Canvas {
  getContext(kind: "2d"): {
    drawImage(image: unknown, x: number, y: number, width: number, height: number): void;
    getImageData(x: number, y: number, width: number, height: number): {
      data: Uint8ClampedArray;
    };
  };
}
interface ImageApis {
  OffscreenCanvas: new (width: number, height: number) => Canvas;
  createImageBitmap(image: Blob): Promise<{ close(): void }>;
}

const scope = globalThis as unknown as WorkerScope;
const images = globalThis as unknown as ImageApis;

function progress(stage: string, done: number, total: number): void {
  scope.postMessage({ type: "progress", stage, done, total });
}

/** The model's first input shape without its batch dimension: [H, W] or [H, W, C]. */
function sampleShapeOf(model: Model): number[] {
  const subgraph = model.subgraphs[0];
  const shape = subgraph.tensors[subgraph.inputs[0]].shape;
  return shape.length > 2 && shape[0] === 1 ? shape.slice(1) : shape;
}

/** Each image resized to the input (H x W), grey or RGB by its channels, scaled to [0, 1]. */
async function imageSamples(files: Blob[], shape: number[]): Promise<Float32Array[]> {
  const [height, width, channels = 1] = shape;
  if (channels !== 1 && channels !== 3) {
    throw new Error(`the input [${shape}] takes neither grey nor RGB images`);
  }
  const canvas = new images.OffscreenCanvas(width, height);
  const context = canvas.getContext("2d");
  const samples: Float32Array[] = [];
  for (const file of files) {
    const bitmap = await images.createImageBitmap(file);
    context.drawImage(bitmap, 0, 0, width, height);
    bitmap.close();
    const rgba = context.getImageData(0, 0, width, height).data;
    const sample = new Float32Array(width * height * channels);
    for (let pixel = 0; pixel < width * height; pixel++) {
      const [red, green, blue] = rgba.subarray(pixel * 4, pixel * 4 + 3);
      if (channels === 1) sample[pixel] = (red + green + blue) / (3 * 255);
      else sample.set([red / 255, green / 255, blue / 255], pixel * 3);
    }
    samples.push(sample);
    progress("reading images", samples.length, files.length);
  }
  return samples;
}

/** The samples stacked in a `.npy` array, one per leading index. */
function npySamples(array: NpyArray): Sample[] {
  const count = array.shape[0];
  const size = array.data.length / count;
  return Array.from({ length: count }, (_, index) => {
    const values = array.data.subarray(index * size, (index + 1) * size) as ArrayLike<number>;
    return Float32Array.from(values, Number);
  });
}

async function calibrationSamples(calibration: Calibration, shape: number[]): Promise<Sample[]> {
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  switch (calibration.kind) {
    case "npy":
      return npySamples(parseNpy(calibration.bytes));
    case "images":
      return await imageSamples(calibration.files, shape);
    case "random":
      return Array.from({ length: calibration.count }, () => {
        return Float32Array.from({ length: size }, () => Math.random());
      });
  }
}

/** `model.tflite` quantized in mode `int8` is saved as `model.int8.tflite`. */
function quantizedName(name: string, mode: string): string {
  return `${name.replace(/\.tflite$/, "")}.${mode}.tflite`;
}

/** Samples of the input's shape stacked on a leading axis, as `compareModels` takes them. */
function stack(samples: Sample[], shape: number[]): NpyArray {
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  const data = new Float32Array(samples.length * size);
  samples.forEach((sample, index) => data.set(sample as ArrayLike<number>, index * size));
  return { dtype: "float32", shape: [samples.length, ...shape], data };
}

async function convert(request: ConvertRequest): Promise<ConvertResult> {
  const model = readModel(request.model);
  const mode = request.settings.mode as QuantizeOptions["mode"];
  const shape = sampleShapeOf(model);
  const samples = await calibrationSamples(request.calibration, shape);
  const calibrated = mode === "int8" || mode === "int16x8";
  const options = {
    ...request.settings,
    representativeDataset: calibrated ? samples : undefined,
    onProgress: (done: number) => progress("calibrating", done, samples.length),
  } as QuantizeOptions;
  const { model: quantized, report } = await quantizeWithReport(model, options);
  const bytes = writeModel(quantized);
  const evaluation = request.evaluation;
  const comparison = await compareModels(
    model,
    bytes,
    [evaluation ? parseNpy(evaluation.data) : stack(samples, shape)],
    {
      labels: evaluation ? parseNpy(evaluation.labels) : undefined,
      onSample: (done, total) => progress("comparing layer by layer", done, total),
    },
  );
  const fileName = quantizedName(request.name, mode);
  const worst = comparison.layers.toSorted((a, b) => a.sqnr - b.sqnr)[0];
  const top1 = comparison.top1;
  return {
    bytes,
    fileName,
    floatBytes: request.model.byteLength,
    samples: report.samples,
    quantized: report.quantized.length,
    keptFloat: report.float.length,
    top1,
    layersCompared: comparison.layers.length,
    outputSqnr: comparison.outputs[0].sqnr,
    worstLayer: worst ? { operator: worst.operator, op: worst.op, sqnr: worst.sqnr } : null,
    reportHtml: comparisonReportHtml(comparison, [
      { name: request.name, bytes: request.model.byteLength, top1: top1?.float ?? null },
      { name: fileName, bytes: bytes.byteLength, top1: top1?.quantized ?? null },
    ], `${request.name} in ${mode}`),
  };
}

scope.onmessage = async ({ data: request }) => {
  try {
    scope.postMessage({ type: "done", result: await convert(request) });
  } catch (error) {
    scope.postMessage({ type: "error", message: (error as Error).message ?? String(error) });
  }
};
