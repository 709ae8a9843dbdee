/**
 * Running a model over many samples stacked on a leading axis (what `liteq run` and `eval` do):
 * each sample is reshaped to the model input, quantized when the model takes integers and the
 * samples are float32, run, and the outputs stacked the same way.
 */
import { elementCount, type TensorData, typedArrayOver } from "../format/dtype.ts";
import type { NpyArray } from "../io/npy.ts";
import type { Interpreter, TensorDetails } from "./interpreter.ts";
import { quantizeValue, RANGES } from "./quantization/parameters.ts";

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

/**
 * Runs every sample through the model. `inputs` are stacked samples, one array per model input;
 * returns each model output stacked, in the output's own dtype. `onSample` reports progress. An
 * output whose shape is known only at invoke is stacked when every sample gives it one shape; a
 * `SampleError` names it otherwise.
 */
export function runSamples(
  interpreter: Interpreter,
  inputs: NpyArray[],
  onSample?: (done: number, total: number) => void,
): NpyArray[] {
  const inputDetails = interpreter.inputDetails();
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
  const outputDetails = interpreter.outputDetails();
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
  const shapes: number[][] = [];
  for (let sample = 0; sample < total; sample++) {
    inputs.forEach((samples, position) => {
      const detail = inputDetails[position];
      const perSample = elementCount(sampleShape(detail.shape));
      const values = samples.data.subarray(sample * perSample, (sample + 1) * perSample);
      interpreter.setInput(
        position,
        samples.dtype === detail.dtype ? values : quantizeValues(values as Float32Array, detail),
      );
    });
    interpreter.invoke();
    interpreter.outputDetails().forEach((detail, position) => {
      const shape = sampleShape(detail.shape);
      shapes[position] ??= shape;
      if (shape.join() !== shapes[position].join()) {
        throw new SampleError(
          `output "${detail.name}" has shape [${shape}] for sample ${sample}, [${
            shapes[position]
          }] for sample 0: a .npy stacks samples of one shape`,
        );
      }
      collected[position].push(interpreter.output(position) as TensorData);
    });
    onSample?.(sample + 1, total);
  }
  return outputDetails.map((detail, position): NpyArray => {
    const shape = [total, ...shapes[position]];
    const count = elementCount(shape);
    const bytes = Math.max(1, count * elementBytes(detail));
    const data = typedArrayOver(detail.dtype, new ArrayBuffer(bytes), 0, count)!;
    collected[position].forEach((values, sample) =>
      data.set(values as never, sample * values.length)
    );
    return { dtype: detail.dtype, shape, data };
  });
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
