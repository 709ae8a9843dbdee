/**
 * Calibration for full integer quantization: the float model runs in liteq's interpreter over
 * the representative dataset, every float activation kept as an output, and the minimum and
 * maximum of each over the whole dataset are recorded.
 */
import { elementCount } from "../format/dtype.ts";
import type { Model } from "../format/ir.ts";
import { Interpreter } from "../runtime/interpreter.ts";
import { QuantizeError } from "./errors.ts";
import { cloneModel, isFloatActivation } from "./graph.ts";
import type { Sample } from "./options.ts";

/** The observed range of one tensor. */
export interface Range {
  min: number;
  max: number;
}

/** Ranges by tensor index of subgraph 0, and how many samples were seen. */
export interface Calibration {
  ranges: Map<number, Range>;
  samples: number;
}

/** The float activations of subgraph 0: float32 tensors without constant data. */
export function floatActivations(model: Model): number[] {
  const subgraph = model.subgraphs[0];
  const produced = new Set([...subgraph.inputs, ...subgraph.operators.flatMap((op) => op.outputs)]);
  return [...produced].filter((index) => index >= 0 && isFloatActivation(subgraph.tensors[index]))
    .sort((a, b) => a - b);
}

/** Splits a sample into one array per model input, checking counts. */
function sampleInputs(sample: Sample, sizes: number[], position: number): ArrayLike<number>[] {
  const several = sizes.length > 1 || (Array.isArray(sample) && typeof sample[0] !== "number");
  const parts = (several ? sample : [sample]) as ArrayLike<number>[];
  if (parts.length !== sizes.length) {
    throw new QuantizeError(
      `calibration sample ${position} has ${parts.length} inputs; the model takes ${sizes.length}`,
    );
  }
  parts.forEach((part, input) => {
    if (part?.length !== sizes[input]) {
      throw new QuantizeError(
        `calibration sample ${position}, input ${input}: ${part?.length ?? 0} values; ` +
          `the model input takes ${sizes[input]}`,
      );
    }
  });
  return parts;
}

/**
 * Runs the dataset through `model` (on `threads` threads) and records the range of every float
 * activation.
 */
export async function calibrate(
  model: Model,
  dataset: Iterable<Sample> | AsyncIterable<Sample>,
  onProgress?: (done: number) => void,
  threads?: number | "auto",
): Promise<Calibration> {
  const observed = floatActivations(model);
  const probe = cloneModel(model);
  probe.subgraphs = [probe.subgraphs[0]];
  probe.signatures = [];
  probe.subgraphs[0].outputs = observed;
  using interpreter = await Interpreter.load(probe, { threads });
  const details = interpreter.inputDetails();
  for (const detail of details) {
    if (detail.dtype !== "float32") {
      throw new QuantizeError(
        `input "${detail.name}" is ${detail.dtype}; calibration needs float32 inputs`,
      );
    }
  }
  const sizes = details.map((detail) => elementCount(detail.shape));
  const names = interpreter.outputDetails().map((detail) => detail.name);
  const ranges = new Map<number, Range>(
    observed.map((index) => [index, { min: Infinity, max: -Infinity }]),
  );
  let samples = 0;
  for await (const sample of dataset) {
    const outputs = interpreter.run(sampleInputs(sample, sizes, samples));
    outputs.forEach((values, position) => {
      const range = ranges.get(observed[position])!;
      const floats = values as Float32Array;
      for (let index = 0; index < floats.length; index++) {
        const value = floats[index];
        if (!Number.isFinite(value)) {
          throw new QuantizeError(
            `calibration sample ${samples}: tensor "${names[position]}" takes the value ${value}`,
          );
        }
        if (value < range.min) range.min = value;
        if (value > range.max) range.max = value;
      }
    });
    samples++;
    onProgress?.(samples);
  }
  if (samples === 0) throw new QuantizeError("the representative dataset is empty");
  return { ranges, samples };
}
