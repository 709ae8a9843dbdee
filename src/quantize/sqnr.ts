/**
 * How close a quantized model's outputs are to its float model's: the signal-to-quantization-
 * noise ratio (SQNR) in dB (`decibels` in `debug/error_stats.ts`, the one formula), per model
 * output over held-out samples. Integer inputs are fed the samples quantized with the input's
 * parameters, integer outputs are dequantized, so any mode and input/output type compare.
 */
import { elementCount } from "../format/dtype.ts";
import type { Model } from "../format/ir.ts";
import {
  Interpreter,
  type InterpreterOptions,
  type OutputValues,
  type TensorDetails,
} from "../runtime/interpreter.ts";
import { quantizeValues } from "../runtime/samples.ts";
import { runSamplesOnThreads } from "../runtime/threads/sample_runner.ts";
import { sampleInputs } from "./calibrate.ts";
import { decibels } from "./debug/error_stats.ts";
import type { Sample } from "./options.ts";

/**
 * How the models run: shapes for dynamic inputs, where the kernels come from, and on how many
 * threads (whole samples on workers when they take long enough, `runSamplesOnThreads`).
 */
export type RunOptions = Pick<InterpreterOptions, "inputShapes" | "wasm" | "threads">;

/** The SQNR in dB of `actual` against `expected` (Infinity when they are equal). */
export function sqnr(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  let signal = 0;
  let noise = 0;
  for (let index = 0; index < expected.length; index++) {
    signal += expected[index] * expected[index];
    noise += (actual[index] - expected[index]) ** 2;
  }
  return decibels(signal, noise);
}

/** An output's values as float (64-bit integers too): dequantized when integer with parameters. */
function floatValues(values: OutputValues, detail: TensorDetails): Float64Array {
  const quantization = detail.quantization;
  if (!quantization || quantization.scale.length === 0 || detail.dtype === "float32") {
    return Float64Array.from(values as ArrayLike<number>, Number);
  }
  const [scale] = quantization.scale;
  const [zeroPoint] = quantization.zeroPoint;
  return Float64Array.from(
    values as ArrayLike<number>,
    (value) => scale * (Number(value) - zeroPoint),
  );
}

/**
 * Every output of `model` for each sample, as float values concatenated over the samples (as
 * many as each gives: an output whose shape is known only at invoke may give another count each
 * time); `run.inputShapes` for models whose input shape is dynamic; on `run.threads` threads.
 */
export async function modelOutputs(
  model: Model,
  samples: Sample[],
  run: RunOptions = {},
): Promise<Float64Array[]> {
  using interpreter = await Interpreter.load(model, run);
  const inputs = interpreter.inputDetails();
  const outputs = interpreter.outputDetails();
  const sizes = inputs.map((detail) => elementCount(detail.shape));
  const collected = outputs.map((): Float64Array[] => []);
  const inputsOf = function* () {
    for (const [position, sample] of samples.entries()) {
      yield sampleInputs(sample, sizes, position).map((part, input) => {
        const floats = Float32Array.from(part);
        return inputs[input].dtype === "float32" ? floats : quantizeValues(floats, inputs[input]);
      });
    }
  };
  await runSamplesOnThreads({
    interpreter,
    options: run,
    workers: interpreter.threads.requested,
    samples: inputsOf(),
    total: samples.length,
    ranges: false,
    onResult: (result, position) =>
      result.outputs!.forEach((values, output) => {
        collected[output][position] = floatValues(values, outputs[output]);
      }),
  });
  return collected.map((parts) => {
    const joined = new Float64Array(parts.reduce((total, part) => total + part.length, 0));
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    return joined;
  });
}

/**
 * The SQNR in dB of each output of `quantized` against the same output of `float` (the model it
 * was made from) over `samples` (held-out inputs, float values as for calibration);
 * `run.inputShapes` for models whose input shape is dynamic.
 */
export async function outputSqnr(
  float: Model,
  quantized: Model,
  samples: Sample[],
  run: RunOptions = {},
): Promise<number[]> {
  const expected = await modelOutputs(float, samples, run);
  return sqnrAgainst(expected, quantized, samples, run);
}

/**
 * The SQNR in dB of each output of `quantized` over `samples` against `expected`, the float
 * model's outputs for them (as `modelOutputs` gives them).
 */
export async function sqnrAgainst(
  expected: Float64Array[],
  quantized: Model,
  samples: Sample[],
  run: RunOptions = {},
): Promise<number[]> {
  const actual = await modelOutputs(quantized, samples, run);
  return expected.map((values, output) => sqnr(values, actual[output]));
}
