/**
 * Calibration for full integer quantization: the float model runs in liteq's interpreter over
 * the representative dataset, every float activation kept as an output, and the minimum and
 * maximum of each over the whole dataset are recorded (and its histogram, when asked for); an
 * LSTM's gates, hidden and cell states too, through the float kernel's hook (`integer_lstm.ts`).
 */
import { elementCount } from "../format/dtype.ts";
import type { Model } from "../format/ir.ts";
import { UnsupportedModelError } from "../runtime/errors.ts";
import { Interpreter, type InterpreterOptions } from "../runtime/interpreter.ts";
import { floatRange, mergeRange } from "../runtime/samples.ts";
import type { SampleResult } from "../runtime/threads/sample_pool.ts";
import { runSamplesOnThreads } from "../runtime/threads/sample_runner.ts";
import type { KernelSources } from "../runtime/wasm.ts";
import { QuantizeError } from "./errors.ts";
import { cloneModel, isFloatActivation } from "./graph.ts";
import { Histogram } from "./histogram.ts";
import { recordLstmIntermediates } from "./integer_lstm.ts";
import type { Sample } from "./options.ts";

/** The observed range of one tensor. */
export interface Range {
  min: number;
  max: number;
}

/** Ranges by tensor index of subgraph 0, their shapes as run, and how many samples were seen. */
export interface Calibration {
  ranges: Map<number, Range>;
  /** The shape each calibrated tensor had (the file's, or as `inputShapes` resolve it). */
  shapes: Map<number, number[]>;
  /** The histogram of each calibrated tensor, when asked for (`histograms`). */
  histograms: Map<number, Histogram>;
  /** The first samples (as many as `keepSamples` asks), split per input. */
  kept: ArrayLike<number>[][];
  samples: number;
}

/** How calibration runs the model. */
export interface CalibrationOptions {
  /** Shapes of the model inputs, in order (for inputs whose shape is dynamic). */
  inputShapes?: number[][];
  /** Which operators of subgraph 0 to run (all unless said): the others and their outputs stay out. */
  calibrated?: boolean[];
  /** Called after each sample with the number done so far. */
  onProgress?: (done: number) => void;
  /** Collect a histogram of each activation (for calibration methods other than min/max). */
  histograms?: boolean;
  /** How many of the first samples to keep for a later look (0 unless said). */
  keepSamples?: number;
  /** The kernels' wasm, when not liteq's embedded builds (as `InterpreterOptions.wasm`). */
  wasm?: KernelSources;
  /** Threads to calibrate on (as `InterpreterOptions.threads`). */
  threads?: number | "auto";
}

/** The float activations of subgraph 0 (float32 tensors without constant data) that `operators` compute or that are inputs. */
export function floatActivations(model: Model, operators = model.subgraphs[0].operators): number[] {
  const subgraph = model.subgraphs[0];
  const produced = new Set([...subgraph.inputs, ...operators.flatMap((op) => op.outputs)]);
  return [...produced].filter((index) => index >= 0 && isFloatActivation(subgraph.tensors[index]))
    .sort((a, b) => a - b);
}

/** Refuses input shapes that do not fit the model's inputs (count, rank, fixed dimensions). */
function checkInputShapes(model: Model, shapes: number[][]): void {
  const subgraph = model.subgraphs[0];
  if (shapes.length !== subgraph.inputs.length) {
    throw new QuantizeError(
      `inputShapes gives ${shapes.length} shapes; the model has ${subgraph.inputs.length} inputs`,
    );
  }
  shapes.forEach((shape, position) => {
    const tensor = subgraph.tensors[subgraph.inputs[position]];
    const signature = tensor.shapeSignature ?? tensor.shape;
    const fits = shape.length === signature.length &&
      shape.every((size, axis) =>
        Number.isInteger(size) && size >= 0 && (signature[axis] < 0 || signature[axis] === size)
      );
    if (!fits) {
      throw new QuantizeError(
        `inputShapes[${position}] [${shape}] does not fit input "${tensor.name}" of shape ` +
          `[${signature}] (-1: any size)`,
      );
    }
  });
}

/** Splits a sample into one array per model input, checking counts. */
export function sampleInputs(
  sample: Sample,
  sizes: number[],
  position: number,
): ArrayLike<number>[] {
  const several = sizes.length > 1 || (Array.isArray(sample) && typeof sample[0] !== "number");
  const parts = (several ? sample : [sample]) as ArrayLike<number>[];
  if (parts.length !== sizes.length) {
    throw new QuantizeError(
      `calibration sample ${position} has ${parts.length} inputs; the model takes ${sizes.length}`,
      { sample: position },
    );
  }
  parts.forEach((part, input) => {
    if (part?.length !== sizes[input]) {
      throw new QuantizeError(
        `calibration sample ${position}, input ${input}: ${part?.length ?? 0} values; ` +
          `the model input takes ${sizes[input]}`,
        { sample: position },
      );
    }
  });
  return parts;
}

/** The interpreter for the calibration probe; what it cannot run is the quantizer's refusal. */
async function loadProbe(probe: Model, options: InterpreterOptions): Promise<Interpreter> {
  const { inputShapes } = options;
  try {
    return await Interpreter.load(probe, options);
  } catch (error) {
    if (!(error instanceof UnsupportedModelError)) throw error;
    const { inputs, tensors } = probe.subgraphs[0];
    const dynamic = !inputShapes &&
      inputs.some((index) => tensors[index].shapeSignature?.some((size) => size < 0));
    throw new QuantizeError(
      `calibration runs the float model in liteq's interpreter, which cannot run it: ${error.message}` +
        (dynamic
          ? " (its input shape is dynamic: give the shapes to calibrate with, inputShapes or --input-shape)"
          : ""),
      { cause: error },
    );
  }
}

/** The dataset's samples; an error the dataset throws becomes a `QuantizeError` naming the sample. */
async function* samplesOf(
  dataset: Iterable<Sample> | AsyncIterable<Sample>,
): AsyncGenerator<Sample> {
  const iterator = Symbol.asyncIterator in dataset
    ? dataset[Symbol.asyncIterator]()
    : dataset[Symbol.iterator]();
  for (let position = 0;; position++) {
    let step: IteratorResult<Sample>;
    try {
      step = await iterator.next();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new QuantizeError(
        `the representative dataset failed at calibration sample ${position}: ${reason}`,
        { cause: error, sample: position },
      );
    }
    if (step.done) return;
    yield step.value;
  }
}

/**
 * Runs the dataset through subgraph 0 of `model` (on `options.threads` threads: when the samples
 * take long enough, whole samples on workers of their own, `runSamplesOnThreads`) and records the
 * range of every float activation of the operators it runs: the same for any thread count.
 */
export async function calibrate(
  model: Model,
  dataset: Iterable<Sample> | AsyncIterable<Sample>,
  options: CalibrationOptions = {},
): Promise<Calibration> {
  const { inputShapes, calibrated, onProgress, keepSamples = 0 } = options;
  if (inputShapes) checkInputShapes(model, inputShapes);
  const probe = cloneModel(model);
  probe.subgraphs = [probe.subgraphs[0]];
  probe.signatures = [];
  const operators = probe.subgraphs[0].operators.filter((_, index) => calibrated?.[index] ?? true);
  probe.subgraphs[0].operators = operators;
  const cellStates = recordLstmIntermediates(probe.subgraphs[0]);
  const observed = floatActivations(probe, operators);
  probe.subgraphs[0].outputs = observed;
  using interpreter = await loadProbe(probe, {
    inputShapes,
    wasm: options.wasm,
    threads: options.threads,
  });
  const details = interpreter.inputDetails();
  for (const detail of details) {
    if (detail.dtype !== "float32") {
      throw new QuantizeError(
        `input "${detail.name}" is ${detail.dtype}; calibration needs float32 inputs`,
      );
    }
  }
  const sizes = details.map((detail) => elementCount(detail.shape));
  const outputDetails = interpreter.outputDetails();
  const names = outputDetails.map((detail) => detail.name);
  const shapes = new Map(observed.map((index, position) => [index, outputDetails[position].shape]));
  const ranges = new Map<number, Range>(
    observed.map((index) => [index, { min: Infinity, max: -Infinity }]),
  );
  const histograms = new Map<number, Histogram>(
    options.histograms ? observed.map((index) => [index, new Histogram()]) : [],
  );
  const kept: ArrayLike<number>[][] = [];
  const inputsOf = async function* () {
    let position = 0;
    for await (const sample of samplesOf(dataset)) {
      const inputs = sampleInputs(sample, sizes, position++).map((part) => Float32Array.from(part));
      if (kept.length < keepSamples) kept.push(inputs);
      yield inputs;
    }
  };
  // In sample order, whichever thread ran the sample: the ranges and histograms one thread gives.
  const observe = ({ outputs, ranges: seen }: SampleResult, sample: number) => {
    const floats = outputs as Float32Array[] | undefined;
    (seen ?? floats!.map(floatRange)).forEach((range, position) => {
      if (range.notFinite !== null) {
        throw new QuantizeError(
          `calibration sample ${sample}: tensor "${
            names[position]
          }" takes the value ${range.notFinite}`,
          { sample },
        );
      }
      mergeRange(ranges.get(observed[position])!, range);
      if (floats) histograms.get(observed[position])?.add(floats[position]);
    });
    onProgress?.(sample + 1);
  };
  const samples = await runSamplesOnThreads({
    interpreter,
    options: { inputShapes, wasm: options.wasm },
    workers: interpreter.threads.requested,
    samples: inputsOf(),
    total: Array.isArray(dataset) ? dataset.length : undefined,
    ranges: !options.histograms,
    onResult: observe,
  });
  if (samples === 0) throw new QuantizeError("the representative dataset is empty");
  for (const [record, cellState] of cellStates) {
    for (const map of [ranges, shapes, histograms] as Map<number, unknown>[]) {
      if (map.has(record)) map.set(cellState, map.get(record));
      map.delete(record);
    }
  }
  return { ranges, shapes, histograms, kept, samples };
}
