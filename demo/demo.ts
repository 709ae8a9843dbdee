/**
 * `deno task demo`: the seed walkthrough. The bundled float MNIST model is converted to float16,
 * dynamic range, full int8 (float I/O) and full int8 (uint8 I/O), calibrated on 100 MNIST test
 * images; the files go to the folder printed; then one table: bytes, size ratio, accuracy on the
 * 2,000 evaluation images (8,000-9,999) and median latency, every figure measured by this run.
 */
import { mkdir } from "node:fs/promises";
import process from "node:process";
import { ProgressBar } from "../src/cli/progress.ts";
import { readModel } from "../src/format/reader.ts";
import { writeModel } from "../src/format/writer.ts";
import { readBytes, writeBytesAtomic } from "../src/io/files.ts";
import { parseIdx } from "../src/io/idx.ts";
import type { NpyArray } from "../src/io/npy.ts";
import { quantize } from "../src/quantize/quantize.ts";
import type { QuantizeOptions } from "../src/quantize/options.ts";
import { evaluateAccuracy, measureLatency } from "../src/runtime/evaluate.ts";
import { Interpreter } from "../src/runtime/interpreter.ts";
import { UnsupportedModelError } from "../src/runtime/op.ts";

const root = new URL("../", import.meta.url);
const outFolder = new URL("out/demo/", root);
const path = (url: URL) => decodeURIComponent(url.pathname);

const images = await parseIdx(
  await readBytes(path(new URL("data/mnist/t10k-images-idx3-ubyte.gz", root))),
);
const labels = await parseIdx(
  await readBytes(path(new URL("data/mnist/t10k-labels-idx1-ubyte.gz", root))),
);
const pixels = 28 * 28;
/** MNIST images `start..end` as float32 in [0, 1], stacked. */
function imagesFrom(start: number, end: number): NpyArray {
  const data = new Float32Array((end - start) * pixels);
  for (let index = 0; index < data.length; index++) {
    data[index] = images.data[start * pixels + index] / 255;
  }
  return { dtype: "float32", shape: [end - start, 28, 28], data };
}
const calibration = imagesFrom(0, 100);
const evaluation = imagesFrom(8000, 10000);
const evaluationLabels: NpyArray = {
  dtype: "uint8",
  shape: [2000],
  data: labels.data.slice(8000, 10000),
};
const samples = Array.from(
  { length: 100 },
  (_, index) => (calibration.data as Float32Array).subarray(index * pixels, (index + 1) * pixels),
);

const floatBytes = await readBytes(path(new URL("data/seed_mnist.float.tflite", root)));
const floatModel = readModel(floatBytes);
await mkdir(path(outFolder), { recursive: true });

const variants: [string, QuantizeOptions | null][] = [
  ["float32", null],
  ["float16", { mode: "float16" }],
  ["dynamic range", { mode: "dynamicRange" }],
  ["int8", { mode: "int8", representativeDataset: samples }],
  ["int8, uint8 I/O", {
    mode: "int8",
    representativeDataset: samples,
    inputType: "uint8",
    outputType: "uint8",
  }],
];

interface Row {
  name: string;
  file: string;
  bytes: number;
  accuracy: number | null;
  latency: number | null;
  note: string;
}
const rows: Row[] = [];
for (const [name, options] of variants) {
  let bytes: Uint8Array = floatBytes;
  if (options) {
    const progress = options.representativeDataset
      ? new ProgressBar(`calibrating ${name}`, 100)
      : null;
    const model = await quantize(floatModel, {
      ...options,
      onProgress: (done) => progress?.update(done),
    });
    progress?.finish();
    bytes = writeModel(model);
  }
  const file = path(new URL(`seed_mnist.${name.replace(/[^a-z0-9]+/g, "_")}.tflite`, outFolder));
  await writeBytesAtomic(file, bytes);
  let interpreter: Interpreter;
  try {
    interpreter = await Interpreter.load(bytes);
  } catch (error) {
    if (!(error instanceof UnsupportedModelError)) throw error;
    rows.push({
      name,
      file,
      bytes: bytes.byteLength,
      accuracy: null,
      latency: null,
      note: error.reason,
    });
    continue;
  }
  const progress = new ProgressBar(`evaluating ${name}`, 2000);
  const { top1 } = evaluateAccuracy(
    interpreter,
    evaluation,
    evaluationLabels,
    (done) => progress.update(done),
  );
  progress.finish();
  const latency = measureLatency(interpreter, 200, 20).medianMs;
  rows.push({ name, file, bytes: bytes.byteLength, accuracy: top1, latency, note: "" });
}

const base = rows[0];
console.log(`wrote ${rows.length} models to ${path(outFolder)}\n`);
console.log("variant           bytes    size   top-1 (2,000 images)   change   median latency");
for (const row of rows) {
  const ratio = `${((row.bytes / base.bytes) * 100).toFixed(1)}%`;
  const accuracy = row.accuracy === null ? "—" : `${(row.accuracy * 100).toFixed(2)}%`;
  const change = row.accuracy === null
    ? "—"
    : `${row.accuracy >= base.accuracy! ? "+" : ""}${
      ((row.accuracy - base.accuracy!) * 100).toFixed(2)
    }`;
  const latency = row.latency === null ? "—" : `${row.latency.toFixed(3)} ms`;
  console.log(
    `${row.name.padEnd(16)} ${String(row.bytes).padStart(6)} ${ratio.padStart(7)} ${
      accuracy.padStart(22)
    } ${change.padStart(8)} ${latency.padStart(16)}${row.note ? `   (${row.note})` : ""}`,
  );
}
process.exit(0);
