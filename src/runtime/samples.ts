/**
 * Running a model over many samples stacked on a leading axis (what `liteq run` and `eval` do):
 * each sample is reshaped to the model input, quantized when the model takes integers and the
 * samples are float32, run, and the outputs stacked the same way; on one interpreter, or also on
 * workers running whole samples. The range of float values, for calibration.
 */
import { elementCount, type TensorData, typedArrayOver } from "../format/dtype.ts";
import type { NpyArray } from "../io/npy.ts";
import type { Interpreter, InterpreterOptions, TensorDetails } from "./interpreter.ts";
import { quantizeValue, RANGES } from "./quantization/parameters.ts";
import { runSamplesOnThreads } from "./threads/sample_runner.ts";

/** Samples that do not fit the model: the message names the input and what differs. */
export class SampleError extends Error {
  /** An error with the message naming the input and what differs. */
  constructor(message: string) {
    super(message);
    this.name = "SampleError";
  }
}

/** A tensor's shape for one sample: without its leading batch dimension of 1. */
export function sampleShape(shape: number[]): number[] {
  return shape.length > 0 && shape[0] === 1 ? shape.slice(1) : shape;
}

/**
 * Float values quantized to an integer input by `quantizeValue`: clamp(round(x / scale) +
 * zeroPoint), as TFLite's QUANTIZE computes it.
 */
export function quantizeValues(values: Float32Array, detail: TensorDetails): TensorData {
  const range: [number, number] | undefined = RANGES[detail.dtype];
  const quantization = detail.quantization;
  if (!range || !quantization || quantization.scale.length !== 1) {
    throw new SampleError(
      `input "${detail.name}" is ${detail.dtype} without one scale and zero point; ` +
        `give its values in ${detail.dtype}`,
    );
  }
  const [scale] = quantization.scale;
  const [zeroPoint] = quantization.zeroPoint;
  const result = typedArrayOver(
    detail.dtype,
    new ArrayBuffer(values.length * 4),
    0,
    values.length,
  )!;
  for (let index = 0; index < values.length; index++) {
    result[index] = quantizeValue(values[index], scale, zeroPoint, range);
  }
  return result;
}

/** Checks stacked samples against a model input and returns how many there are. */
function sampleCount(samples: NpyArray, detail: TensorDetails, label: string): number {
  if (detail.dtype === "string") {
    throw new SampleError(
      `input "${detail.name}" holds strings, which .npy samples cannot give; set it through the API (setInput with strings)`,
    );
  }
  const perSample = elementCount(sampleShape(detail.shape));
  const shape = samples.shape;
  if (shape.length === 0) {
    throw new SampleError(`${label} is a scalar; it needs a leading sample axis`);
  }
  const count = shape[0];
  if (count === 0) throw new SampleError(`${label} holds no samples`);
  if (elementCount(shape.slice(1)) !== perSample) {
    throw new SampleError(
      `${label} has samples of shape [${shape.slice(1)}] (${
        elementCount(shape.slice(1))
      } values); ` +
        `input "${detail.name}" takes [${sampleShape(detail.shape)}] (${perSample} values)`,
    );
  }
  const integerInput = detail.dtype !== "float32";
  if (samples.dtype !== detail.dtype && !(integerInput && samples.dtype === "float32")) {
    throw new SampleError(
      `${label} is ${samples.dtype}; input "${detail.name}" takes ${detail.dtype}` +
        (integerInput ? " (or float32 to be quantized)" : ""),
    );
  }
  return count;
}

/** Stacked samples checked against a model's inputs, and their outputs stacked as they come. */
interface SampleRun {
  total: number;
  /** The inputs of sample `sample`, in input order (quantized where the model takes integers). */
  inputsOf(sample: number): TensorData[];
  /** Stores the outputs of sample `sample`, of `shapes`. */
  store(sample: number, outputs: TensorData[], shapes: number[][]): void;
  /** Each output stacked. */
  results(): NpyArray[];
}

/**
 * Checks `inputs` against the model's inputs and stacks its outputs: an output whose shape is
 * known only at invoke is stacked when every sample gives it one shape; a `SampleError` names it
 * otherwise.
 */
function sampleRun(
  inputDetails: TensorDetails[],
  outputDetails: TensorDetails[],
  inputs: NpyArray[],
): SampleRun {
  if (inputs.length !== inputDetails.length) {
    throw new SampleError(`the model takes ${inputDetails.length} inputs, got ${inputs.length}`);
  }
  const counts = inputs.map((samples, position) =>
    sampleCount(samples, inputDetails[position], `input ${position}`)
  );
  if (counts.some((count) => count !== counts[0])) {
    throw new SampleError(`the inputs hold different numbers of samples: ${counts.join(", ")}`);
  }
  const total = counts[0];
  const elementBytes = (detail: TensorDetails) =>
    detail.dtype === "int64" || detail.dtype === "float64" ? 8 : 4;
  for (const detail of outputDetails) {
    if (!typedArrayOver(detail.dtype, new ArrayBuffer(elementBytes(detail)), 0, 1)) {
      throw new SampleError(`output "${detail.name}" is ${detail.dtype}, which .npy cannot hold`);
    }
  }
  // Each output's values per sample, and its sample shape: that of the first sample, which the
  // others must keep (an output whose shape is known only at invoke may not).
  const collected = outputDetails.map((): TensorData[] => []);
  const sampleShapes: number[][] = [];
  return {
    total,
    inputsOf: (sample) =>
      inputs.map((samples, position) => {
        const detail = inputDetails[position];
        const perSample = elementCount(sampleShape(detail.shape));
        const values = samples.data.subarray(sample * perSample, (sample + 1) * perSample);
        return samples.dtype === detail.dtype
          ? values
          : quantizeValues(values as Float32Array, detail);
      }),
    store: (sample, outputs, shapes) =>
      outputs.forEach((output, position) => {
        const shape = sampleShape(shapes[position]);
        sampleShapes[position] ??= shape;
        if (shape.join() !== sampleShapes[position].join()) {
          throw new SampleError(
            `output "${outputDetails[position].name}" has shape [${shape}] for sample ${sample}, [${
              sampleShapes[position]
            }] for sample 0: a .npy stacks samples of one shape`,
          );
        }
        collected[position][sample] = output;
      }),
    results: () =>
      outputDetails.map((detail, position): NpyArray => {
        const shape = [total, ...(sampleShapes[position] ?? sampleShape(detail.shape))];
        const count = elementCount(shape);
        const bytes = Math.max(1, count * elementBytes(detail));
        const data = typedArrayOver(detail.dtype, new ArrayBuffer(bytes), 0, count)!;
        collected[position].forEach((values, sample) =>
          data.set(values as never, sample * values.length)
        );
        return { dtype: detail.dtype, shape, data };
      }),
  };
}

/**
 * Runs every sample through the model. `inputs` are stacked samples, one array per model input;
 * returns each model output stacked, in the output's own dtype. `onSample` reports progress.
 */
export function runSamples(
  interpreter: Interpreter,
  inputs: NpyArray[],
  onSample?: (done: number, total: number) => void,
): NpyArray[] {
  const run = sampleRun(interpreter.inputDetails(), interpreter.outputDetails(), inputs);
  for (let sample = 0; sample < run.total; sample++) {
    const outputs = interpreter.run(run.inputsOf(sample)) as TensorData[];
    run.store(sample, outputs, interpreter.outputDetails().map((detail) => detail.shape));
    onSample?.(sample + 1, run.total);
  }
  return run.results();
}

/**
 * `runSamples` on every thread `interpreter` was loaded with (`threads`), with the same outputs:
 * the first samples run on `interpreter` (each heavy op divided among its threads); when the rest
 * would take it long enough (its pace over 0.5 s says 2 s more), that many workers are started
 * for the call, each running whole samples on an interpreter of its own loaded with `options`
 * (give those `interpreter` was loaded with), and ended with it.
 *
 * ```ts
 * import { Interpreter, parseNpy, runSamplesInParallel } from "./mod.ts";
 * const options = { threads: 2 };
 * const interpreter = await Interpreter.load("model.tflite", options);
 * const images = parseNpy(await Deno.readFile("images.npy")); // [N, 28, 28] float32
 * const [scores] = await runSamplesInParallel(interpreter, [images], options);
 * ```
 */
export async function runSamplesInParallel(
  interpreter: Interpreter,
  inputs: NpyArray[],
  options: InterpreterOptions = {},
  onSample?: (done: number, total: number) => void,
): Promise<NpyArray[]> {
  const run = sampleRun(interpreter.inputDetails(), interpreter.outputDetails(), inputs);
  const samples = function* () {
    for (let sample = 0; sample < run.total; sample++) yield run.inputsOf(sample);
  };
  await runSamplesOnThreads({
    interpreter,
    options,
    workers: interpreter.threads.requested,
    samples: samples(),
    total: run.total,
    ranges: false,
    onResult: ({ outputs, shapes }, sample) => {
      run.store(sample, outputs as TensorData[], shapes!);
      onSample?.(sample + 1, run.total);
    },
  });
  return run.results();
}

/**
 * Checks classification labels against the model output that scores the classes: each must be a
 * whole number naming one of its classes. Throws `SampleError` naming the first that is not.
 */
export function checkLabels(labels: NpyArray, output: TensorDetails): void {
  const classes = elementCount(sampleShape(output.shape));
  for (let index = 0; index < labels.data.length; index++) {
    const label = Number(labels.data[index]);
    if (!Number.isInteger(label)) {
      throw new SampleError(`label ${index} is ${label}; labels must be whole class numbers`);
    }
    if (label < 0 || label >= classes) {
      throw new SampleError(
        `label ${index} is ${label}; output "${output.name}" scores ${classes} classes (0 to ${
          classes - 1
        })`,
      );
    }
  }
}

/** The range of an array of floats, up to the first value that is not finite. */
export interface FloatRange {
  /** The smallest value (the first of equal ones: -0 and 0 stay apart); Infinity when none. */
  min: number;
  /** The largest value (the first of equal ones); -Infinity when none. */
  max: number;
  /** The first value that is not finite (NaN, ±Infinity), or null when all are. */
  notFinite: number | null;
}

/**
 * The range of `values`, scanned in order: for ranges that are merged in the order their values
 * came (`mergeRange`), the same as one scan over all of them.
 */
export function floatRange(values: Float32Array): FloatRange {
  const range: FloatRange = { min: Infinity, max: -Infinity, notFinite: null };
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (!Number.isFinite(value)) {
      range.notFinite = value;
      break;
    }
    if (value < range.min) range.min = value;
    if (value > range.max) range.max = value;
  }
  return range;
}

/** Widens `into` by `range`, the range of values that came after those of `into`. */
export function mergeRange(into: { min: number; max: number }, range: FloatRange): void {
  if (range.min < into.min) into.min = range.min;
  if (range.max > into.max) into.max = range.max;
}
