/**
 * The per-layer debugger: runs a float model and its quantized version on the same samples and
 * measures, for every activation the quantized model computes, how far it is from the float
 * tensor it replaces (SQNR, RMSE, largest error), with the scale and range the file chose; plus
 * the model outputs' error, top-1 accuracy when labels are given, and the activation histograms
 * of the worst layers. Intermediate tensors are read by running a copy of each model whose main
 * subgraph lists them as outputs (outputs stay alive in the interpreter's arena).
 */
import { elementCount } from "../../format/dtype.ts";
import type { Model } from "../../format/ir.ts";
import type { NpyArray } from "../../io/npy.ts";
import { Interpreter, loadModelSource, type ModelSource } from "../../runtime/interpreter.ts";
import { UnsupportedModelError } from "../../runtime/errors.ts";
import { RANGES } from "../../runtime/quantization/parameters.ts";
import { runSamples, SampleError } from "../../runtime/samples.ts";
import type { KernelSources } from "../../runtime/wasm.ts";
import { ErrorAccumulator, type ErrorSummary, realValues } from "./error_stats.ts";
import {
  type ClipRange,
  type Histogram,
  HistogramAccumulator,
  observedClipRanges,
} from "./histogram.ts";
import { matchTensors } from "./match.ts";

/** Options of `compareModels`. */
export interface CompareOptions {
  /** One integer class per sample: top-1 accuracy of both models is measured on output 0. */
  labels?: NpyArray;
  /** Shapes for the inputs, by position, as `InterpreterOptions.inputShapes`. */
  inputShapes?: (number[] | undefined)[];
  /** How many layers (lowest SQNR first) get an activation histogram; 4 by default. */
  histogramLayers?: number;
  /** Bins of each histogram; 64 by default. */
  histogramBins?: number;
  /** Called after each sample of each pass with the samples done and the total of the pass. */
  onSample?: (done: number, total: number) => void;
  /** The kernels both models run on, as `InterpreterOptions.wasm` (the embedded ones if unset). */
  wasm?: KernelSources;
  /**
   * Whose integer arithmetic the quantized model runs in, as `InterpreterOptions.arithmetic`:
   * TensorFlow Lite's reference kernels (default) or XNNPACK's (LiteRT.js, TensorFlow's default
   * interpreter).
   */
  arithmetic?: "reference" | "xnnpack";
  /**
   * The ranges to draw on a layer's histogram, by the float model's tensor name (each
   * calibration method's choice, as `QuantizeReport.ranges` holds them), instead of the
   * observed min-max and percentile ranges; the file's range is drawn beside them.
   */
  clipRanges?: Record<string, ClipRange[]>;
}

/** A model output's error: float model against quantized model, position by position. */
export interface OutputComparison extends ErrorSummary {
  /** The float model's name for the output. */
  name: string;
}

/** One activation of the quantized model against the float tensor it replaces. */
export interface LayerComparison extends ErrorSummary {
  /** Index of the quantized model's operator that writes the tensor. */
  operator: number;
  /** That operator's op (`CONV_2D`). */
  op: string;
  /** The tensor's name in the quantized model. */
  tensor: string;
  /** Its twin's name in the float model. */
  floatTensor: string;
  /** How the twin was found: the same name, or the same place in the graph. */
  matchedBy: "name" | "position";
  /**
   * How the quantized model computes the tensor: in integers (`integer`), in float from integer
   * weights (`hybrid`, dynamic range), or kept float (`float`).
   */
  storage: "integer" | "hybrid" | "float";
  /** The tensor's scale, or null when it was kept float. */
  scale: number | null;
  /** The tensor's zero point, or null when it was kept float. */
  zeroPoint: number | null;
  /** Lowest real value the stored integers can hold, or null when kept float. */
  min: number | null;
  /** Highest real value the stored integers can hold, or null when kept float. */
  max: number | null;
  /** Lowest value the float twin took over the samples. */
  floatMin: number;
  /** Highest value the float twin took over the samples. */
  floatMax: number;
}

/** The float activations of one layer, binned, with the clip ranges drawn on them. */
export interface LayerHistogram {
  /** Index of the quantized model's operator (as in `LayerComparison.operator`). */
  operator: number;
  /** That operator's op. */
  op: string;
  /** The tensor's name in the quantized model. */
  tensor: string;
  /** The layer's SQNR in dB. */
  sqnr: number;
  /** The float twin's values over every sample, between their min and max. */
  histogram: Histogram;
  /**
   * The calibration methods' ranges (`CompareOptions.clipRanges`) or the observed min-max and
   * percentile ranges, and the file's range (`quantized`) if quantized.
   */
  clipRanges: ClipRange[];
}

/** What `compareModels` measured. */
export interface ModelComparison {
  /** How many samples both models ran. */
  samples: number;
  /** Each model output's error, in output order. */
  outputs: OutputComparison[];
  /** Each compared activation, in the quantized model's operator order. */
  layers: LayerComparison[];
  /** Top-1 accuracy of each model on output 0 when labels were given, else null. */
  top1: { float: number; quantized: number } | null;
  /** Histograms of the layers with the lowest SQNR, lowest first. */
  histograms: LayerHistogram[];
}

/** The two models cannot be compared: the message says how they differ. */
export class ModelMismatchError extends Error {
  /** An error with the message saying how the models differ. */
  constructor(message: string) {
    super(message);
    this.name = "ModelMismatchError";
  }
}

/** An interpreter of `model` whose outputs also include `tensors`, and where each one is. */
async function probe(
  role: "float" | "quantized",
  model: Model,
  tensors: number[],
  { inputShapes, wasm, arithmetic }: CompareOptions,
): Promise<{ interpreter: Interpreter; positionOf: (tensor: number) => number }> {
  const [main, ...others] = model.subgraphs;
  const outputs = [...new Set([...main.outputs, ...tensors])];
  const probed: Model = { ...model, subgraphs: [{ ...main, outputs }, ...others] };
  try {
    const interpreter = await Interpreter.load(probed, { inputShapes, wasm, arithmetic });
    return { interpreter, positionOf: (tensor) => outputs.indexOf(tensor) };
  } catch (error) {
    if (!(error instanceof UnsupportedModelError)) throw error;
    throw new UnsupportedModelError(`${role} model, ${error.where}`, error.reason);
  }
}

/** Sample `sample` of stacked samples, as a stack of one. */
function oneSample(samples: NpyArray, sample: number): NpyArray {
  const size = elementCount(samples.shape.slice(1));
  return {
    dtype: samples.dtype,
    shape: [1, ...samples.shape.slice(1)],
    data: samples.data.subarray(sample * size, (sample + 1) * size),
  };
}

/** Runs one sample and returns every output's real values (integers dequantized). */
function realOutputs(interpreter: Interpreter, data: NpyArray[], sample: number): Float64Array[] {
  const details = interpreter.outputDetails();
  return runSamples(interpreter, data.map((samples) => oneSample(samples, sample)))
    .map((output, position) =>
      realValues(output.data, details[position].quantization, details[position].shape)
    );
}

/** The index of the largest value (the first of equals). */
function argmax(values: Float64Array): number {
  let best = 0;
  for (let index = 1; index < values.length; index++) {
    if (values[index] > values[best]) best = index;
  }
  return best;
}

/**
 * Runs `float` and `quantized` (a quantized version of it: liteq's or TensorFlow's) on every
 * sample of `data` (stacked samples, one array per model input, as `runSamples` takes them) and
 * compares them layer by layer.
 *
 * ```ts
 * import { compareModels, parseNpy } from "./mod.ts";
 * const images = parseNpy(await Deno.readFile("images.npy")); // [N, 28, 28] float32
 * const result = await compareModels("model.tflite", "model.int8.tflite", [images]);
 * const worst = result.layers.toSorted((a, b) => a.sqnr - b.sqnr)[0];
 * console.log(`output SQNR ${result.outputs[0].sqnr.toFixed(1)} dB; worst layer: ` +
 *   `operator ${worst.operator} ${worst.op} at ${worst.sqnr.toFixed(1)} dB`);
 * ```
 * @throws SampleError when the samples or labels do not fit the models
 * @throws ModelMismatchError when the models have different numbers of outputs
 * @throws UnsupportedModelError when a model cannot run; its `where` starts with `float model`
 *   or `quantized model`
 */
export async function compareModels(
  float: ModelSource,
  quantized: ModelSource,
  data: NpyArray[],
  options: CompareOptions = {},
): Promise<ModelComparison> {
  const floatModel = await loadModelSource(float);
  const quantizedModel = await loadModelSource(quantized);
  const matches = matchTensors(floatModel, quantizedModel);
  const floatRun = await probe(
    "float",
    floatModel,
    matches.map((match) => match.floatTensor),
    options,
  );
  const quantizedRun = await probe(
    "quantized",
    quantizedModel,
    matches.map((match) => match.tensor),
    options,
  );
  const total = data[0]?.shape[0] ?? 0;
  if (total === 0) throw new SampleError("input 0 holds no samples");
  if (data.some((samples) => samples.shape[0] !== total)) {
    throw new SampleError(
      `the inputs hold different numbers of samples: ${data.map((samples) => samples.shape[0])}`,
    );
  }
  const labels = options.labels;
  if (labels && elementCount(labels.shape) !== total) {
    throw new SampleError(`${elementCount(labels.shape)} labels for ${total} samples`);
  }
  const outputCount = floatModel.subgraphs[0].outputs.length;
  if (quantizedModel.subgraphs[0].outputs.length !== outputCount) {
    throw new ModelMismatchError(
      `the float model has ${outputCount} outputs, the quantized one ${
        quantizedModel.subgraphs[0].outputs.length
      }`,
    );
  }
  const outputErrors = Array.from({ length: outputCount }, () => new ErrorAccumulator());
  const layerErrors = matches.map(() => new ErrorAccumulator());
  const correct = { float: 0, quantized: 0 };
  for (let sample = 0; sample < total; sample++) {
    const floatValues = realOutputs(floatRun.interpreter, data, sample);
    const quantizedValues = realOutputs(quantizedRun.interpreter, data, sample);
    outputErrors.forEach((errors, position) =>
      errors.add(floatValues[position], quantizedValues[position])
    );
    matches.forEach((match, position) =>
      layerErrors[position].add(
        floatValues[floatRun.positionOf(match.floatTensor)],
        quantizedValues[quantizedRun.positionOf(match.tensor)],
      )
    );
    if (labels) {
      const label = Number(labels.data[sample]);
      if (argmax(floatValues[0]) === label) correct.float++;
      if (argmax(quantizedValues[0]) === label) correct.quantized++;
    }
    options.onSample?.(sample + 1, total);
  }
  const floatGraph = floatModel.subgraphs[0];
  const quantizedGraph = quantizedModel.subgraphs[0];
  const layers = matches.map((match, position): LayerComparison => {
    const tensor = quantizedGraph.tensors[match.tensor];
    const errors = layerErrors[position];
    const quantization = tensor.quantization?.scale.length ? tensor.quantization : null;
    const range = RANGES[tensor.dtype];
    const [scale, zeroPoint] = quantization && range
      ? [quantization.scale[0], quantization.zeroPoint[0] ?? 0]
      : [null, null];
    const hybrid = quantizedGraph.operators[match.operator].inputs.some((input) =>
      input >= 0 && quantizedGraph.tensors[input].data !== null &&
      quantizedGraph.tensors[input].dtype === "int8"
    );
    return {
      operator: match.operator,
      op: match.op,
      tensor: tensor.name,
      floatTensor: floatGraph.tensors[match.floatTensor].name,
      matchedBy: match.matchedBy,
      ...errors.summary(),
      storage: scale !== null ? "integer" : hybrid ? "hybrid" : "float",
      scale,
      zeroPoint,
      min: scale === null ? null : scale * (range[0] - zeroPoint!),
      max: scale === null ? null : scale * (range[1] - zeroPoint!),
      floatMin: errors.floatMin,
      floatMax: errors.floatMax,
    };
  });
  return {
    samples: total,
    outputs: outputErrors.map((errors, position) => ({
      name: floatGraph.tensors[floatGraph.outputs[position]].name,
      ...errors.summary(),
    })),
    layers,
    top1: labels ? { float: correct.float / total, quantized: correct.quantized / total } : null,
    histograms: histogramsOfWorst(
      layers,
      matches.map((match) => floatRun.positionOf(match.floatTensor)),
      floatRun.interpreter,
      data,
      options,
    ),
  };
}

/**
 * Runs the float model once more and bins the float activations of the `histogramLayers` layers
 * with the lowest SQNR between the values they took.
 */
function histogramsOfWorst(
  layers: LayerComparison[],
  positions: number[],
  interpreter: Interpreter,
  data: NpyArray[],
  options: CompareOptions,
): LayerHistogram[] {
  const worst = layers.map((_, index) => index)
    .sort((a, b) => layers[a].sqnr - layers[b].sqnr)
    .slice(0, options.histogramLayers ?? 4);
  if (worst.length === 0) return [];
  const bins = options.histogramBins ?? 64;
  const accumulators = worst.map((index) =>
    new HistogramAccumulator(layers[index].floatMin, layers[index].floatMax, bins)
  );
  const total = data[0].shape[0];
  for (let sample = 0; sample < total; sample++) {
    const values = realOutputs(interpreter, data, sample);
    worst.forEach((index, position) => accumulators[position].add(values[positions[index]]));
    options.onSample?.(sample + 1, total);
  }
  return worst.map((index, position) => {
    const layer = layers[index];
    const histogram = accumulators[position].histogram();
    const given = options.clipRanges?.[layer.floatTensor];
    const clipRanges = given ? [...given] : observedClipRanges(histogram);
    if (layer.min !== null && layer.max !== null) {
      clipRanges.push({ method: "quantized", low: layer.min, high: layer.max });
    }
    return {
      operator: layer.operator,
      op: layer.op,
      tensor: layer.tensor,
      sqnr: layer.sqnr,
      histogram,
      clipRanges,
    };
  });
}
