/**
 * `auto` calibration: for each activation, the range among those of `minmax`, `percentile`, `mse`
 * and `entropy` that least disturbs the outputs of the ops that read it, measured on calibration
 * samples. For each method a probe model runs the float graph with, beside every reader of every
 * activation, a copy of the reader fed that activation quantized and dequantized at the method's
 * range; the probe's outputs are the summed squared differences between the copies' outputs and
 * the originals', and the originals' energies. An activation no op reads in float (a model
 * output, or one read by stateful ops only) is measured itself. Ties go to `minmax`, so each
 * activation's measured error is never above `minmax`'s. The choices are candidates for
 * `auto_selection.ts`, which measures them on the whole model.
 */
import type { Model, Operator, Subgraph } from "../format/ir.ts";
import { Interpreter } from "../runtime/interpreter.ts";
import { runSamplesOnThreads } from "../runtime/threads/sample_runner.ts";
import type { Calibration, Range } from "./calibrate.ts";
import { chooseRange, type RangeMethod } from "./calibration_methods.ts";
import { addTensor, cloneModel, isFloatActivation, plainOperator } from "./graph.ts";
import type { FallbackPlan } from "./fallback_plan.ts";
import { INTEGER_OPS } from "./integer_ops.ts";
import type { Scheme } from "./integer_scheme.ts";
import type { RunOptions } from "./sqnr.ts";

/** The methods `auto` chooses from, `minmax` first (it wins ties). */
const CANDIDATES: RangeMethod[] = ["minmax", "percentile", "mse", "entropy"];

/** One probe output: a sum of squared differences, or an energy, and the activation it is for. */
interface Term {
  tensor: number;
  energy: boolean;
  /** The output position of the energy this error is relative to (errors only). */
  relativeTo: number;
}

/** Builds the probe of `model` for `ranges` of the activations in `measured`. */
class ProbeBuilder {
  readonly probe: Model;
  private readonly subgraph: Subgraph;
  readonly operators: Operator[] = [];
  readonly terms: Term[] = [];
  private readonly outputs: number[] = [];
  private readonly energies = new Map<number, number>();

  constructor(model: Model, private readonly scheme: Scheme) {
    this.probe = cloneModel(model);
    this.probe.subgraphs = [this.probe.subgraphs[0]];
    this.probe.signatures = [];
    this.subgraph = this.probe.subgraphs[0];
  }

  /** A new activation shaped like tensor `like`. */
  private tensorLike(like: number, suffix: string, dtype = this.subgraph.tensors[like].dtype) {
    return addTensor(
      this.subgraph,
      `${this.subgraph.tensors[like].name}/${suffix}`,
      dtype,
      this.subgraph.tensors[like],
      null,
    );
  }

  /** Tensor `index` quantized at `range` and dequantized again, computed from here on. */
  fakeQuantized(index: number, range: Range): number {
    const integer = this.tensorLike(index, "auto_quantized", this.scheme.dtype);
    this.subgraph.tensors[integer].quantization = this.scheme.params(range);
    const float = this.tensorLike(index, "auto_dequantized", "float32");
    this.operators.push(plainOperator("QUANTIZE", 1, [index], [integer]));
    this.operators.push(plainOperator("DEQUANTIZE", 2, [integer], [float]));
    return float;
  }

  /** The sum over all elements of tensor `index`, as a new probe output. */
  private sum(index: number, term: Term): void {
    const rank = this.subgraph.tensors[index].shape.length;
    this.probe.buffers.push(new Uint8Array(0));
    const axes = this.tensorLike(index, "auto_axes", "int32");
    Object.assign(this.subgraph.tensors[axes], {
      shape: [rank],
      shapeSignature: null,
      data: Int32Array.from({ length: rank }, (_, axis) => axis),
      buffer: this.probe.buffers.length - 1,
    });
    const total = this.tensorLike(index, "auto_sum", "float32");
    Object.assign(this.subgraph.tensors[total], { shape: [], shapeSignature: null });
    this.operators.push({
      ...plainOperator("SUM", 1, [index, axes], [total]),
      optionsType: "ReducerOptions",
      options: { keepDims: false },
    });
    this.outputs.push(total);
    this.terms.push(term);
  }

  /** The probe output holding the energy of float tensor `index` (made once). */
  private energy(index: number, tensor: number): number {
    let position = this.energies.get(index);
    if (position === undefined) {
      const square = this.tensorLike(index, "auto_square", "float32");
      this.operators.push({
        ...plainOperator("MUL", 1, [index, index], [square]),
        optionsType: "MulOptions",
        options: { fusedActivationFunction: "NONE" },
      });
      position = this.outputs.length;
      this.sum(square, { tensor, energy: true, relativeTo: -1 });
      this.energies.set(index, position);
    }
    return position;
  }

  /** Measures how far `approximate` is from float tensor `exact`, for activation `tensor`. */
  measure(exact: number, approximate: number, tensor: number): void {
    const relativeTo = this.energy(exact, tensor);
    const difference = this.tensorLike(exact, "auto_difference", "float32");
    this.operators.push(plainOperator("SQUARED_DIFFERENCE", 1, [approximate, exact], [difference]));
    this.sum(difference, { tensor, energy: false, relativeTo });
  }

  /** A copy of `operator` reading `replacement` for `input`; returns its outputs. */
  copyReading(operator: Operator, input: number, replacement: number): number[] {
    const copy = structuredClone(operator);
    copy.inputs = operator.inputs.map((index) => (index === input ? replacement : index));
    copy.outputs = operator.outputs.map((index) => this.tensorLike(index, "auto_copy"));
    this.operators.push(copy);
    return copy.outputs;
  }

  /** The finished probe model. */
  finish(): Model {
    this.subgraph.operators = this.operators;
    this.subgraph.outputs = this.outputs;
    return this.probe;
  }
}

/**
 * The probe of subgraph 0 of `model` (its operators where `calibrated` says) for `ranges` of the
 * activations in `measured`.
 */
function buildProbe(
  model: Model,
  calibrated: boolean[],
  scheme: Scheme,
  ranges: Map<number, Range>,
  measured: Set<number>,
): { probe: Model; terms: Term[] } {
  const builder = new ProbeBuilder(model, scheme);
  const { tensors, operators, inputs } = model.subgraphs[0];
  const kept = operators.filter((_, index) => calibrated[index]);
  const stateful = (operator: Operator) =>
    [...operator.inputs, ...operator.outputs].some((index) =>
      index >= 0 && tensors[index].isVariable
    );
  const readers = new Map<number, Operator[]>();
  for (const operator of kept) {
    if (
      stateful(operator) || !operator.outputs.some((index) => isFloatActivation(tensors[index]))
    ) {
      continue;
    }
    for (const input of new Set(operator.inputs)) {
      readers.set(input, [...readers.get(input) ?? [], operator]);
    }
  }
  const approximations = new Map<number, number>();
  const approximate = (index: number) => {
    if (!measured.has(index)) return;
    const float = builder.fakeQuantized(index, ranges.get(index)!);
    approximations.set(index, float);
    if (!readers.has(index)) builder.measure(index, float, index);
  };
  inputs.forEach(approximate);
  for (const operator of kept) {
    builder.operators.push(operator);
    for (const input of new Set(operator.inputs)) {
      const float = approximations.get(input);
      if (float === undefined || !readers.get(input)?.includes(operator)) continue;
      const copies = builder.copyReading(operator, input, float);
      operator.outputs.forEach((output, position) => {
        if (isFloatActivation(tensors[output])) builder.measure(output, copies[position], input);
      });
    }
    operator.outputs.forEach(approximate);
  }
  return { probe: builder.finish(), terms: builder.terms };
}

/** Per measured activation, the summed relative error of its readers' outputs over `samples`. */
async function probeErrors(
  probe: Model,
  terms: Term[],
  samples: ArrayLike<number>[][],
  run: RunOptions,
): Promise<Map<number, number>> {
  using interpreter = await Interpreter.load(probe, run);
  const totals = new Float64Array(terms.length);
  // Summed in sample order, whichever thread ran the sample: the same totals on any count.
  await runSamplesOnThreads({
    interpreter,
    options: run,
    workers: interpreter.threads.requested,
    samples: samples.map((sample) => sample.map((part) => Float32Array.from(part))),
    total: samples.length,
    ranges: false,
    onResult: ({ outputs }) =>
      outputs!.forEach((value, position) => {
        totals[position] += (value as Float32Array)[0];
      }),
  });
  const errors = new Map<number, number>();
  terms.forEach((term, position) => {
    if (term.energy) return;
    const energy = totals[term.relativeTo];
    const relative = energy > 0 ? totals[position] / energy : totals[position];
    errors.set(term.tensor, (errors.get(term.tensor) ?? 0) + relative);
  });
  return errors;
}

/** A per-activation choice of ranges, and what it took (for the report). */
export interface RangeChoice {
  label: string;
  ranges: Map<number, Range>;
}

/** What `auto` needs to know of the quantization it calibrates for. */
export interface AutoContext {
  scheme: Scheme;
  plan: FallbackPlan;
  /** The ranges as the rewrite will use them (TensorFlow's adjustments applied to a copy). */
  adjusted: (ranges: Map<number, Range>) => Map<number, Range>;
  percentile: number;
  /** How the float model runs: shapes for dynamic inputs, where the kernels come from. */
  run: RunOptions;
}

/**
 * The activations whose parameters come from their own range: model inputs, outputs of float ops
 * (quantized where integer ops read them) and of integer ops with the "calibrated" or "shared"
 * rule; the others take their input's or fixed parameters.
 */
function ownRangeActivations(subgraph: Subgraph, plan: FallbackPlan): Set<number> {
  const derived = new Set<number>();
  subgraph.operators.forEach((operator, index) => {
    const rule = INTEGER_OPS[operator.op]?.output;
    const integer = plan.touchesFloat[index] && !plan.floatReasons[index];
    if (integer && (rule === "input" || rule === "fixed" || rule === "none")) {
      for (const output of operator.outputs) derived.add(output);
    }
  });
  return new Set(subgraph.tensors.map((_, index) => index).filter((index) => !derived.has(index)));
}

/**
 * The per-activation choices of `auto` for the activations of subgraph 0 of `model` from
 * `calibration` (with histograms and kept samples): the method of least measured error for each
 * activation whose parameters come from its own range, then each method where it measures better
 * than `minmax` (choices that take nothing but `minmax` are left out). Each candidate is measured
 * with the ranges adjusted as the rewrite adjusts them.
 */
export async function autoRanges(
  model: Model,
  calibration: Calibration,
  context: AutoContext,
): Promise<RangeChoice[]> {
  const { scheme, plan, adjusted, percentile, run } = context;
  const own = ownRangeActivations(model.subgraphs[0], plan);
  const rangesOf = (method: RangeMethod) =>
    new Map(
      [...calibration.histograms].map((
        [index, histogram],
      ) => [index, chooseRange(histogram, method, scheme, percentile)]),
    );
  const candidates = CANDIDATES.map(rangesOf);
  const [minmax] = candidates;
  const sameParams = (index: number, ranges: Map<number, Range>) =>
    scheme.params(ranges.get(index)!).scale[0] === scheme.params(minmax.get(index)!).scale[0] &&
    scheme.params(ranges.get(index)!).zeroPoint[0] ===
      scheme.params(minmax.get(index)!).zeroPoint[0];
  const differing = new Set(
    [...minmax.keys()].filter((index) =>
      own.has(index) && candidates.some((ranges) => !sameParams(index, ranges))
    ),
  );
  const errors: Map<number, number>[] = [];
  for (const ranges of candidates) {
    const measured = new Set(
      [...differing].filter((index) => ranges === minmax || !sameParams(index, ranges)),
    );
    const { probe, terms } = buildProbe(
      model,
      plan.calibrated,
      scheme,
      adjusted(ranges),
      measured,
    );
    errors.push(await probeErrors(probe, terms, calibration.kept, run));
  }
  // The choice with the least error per activation, then each method where it beats minmax.
  const choices: RangeChoice[] = [];
  const choose = (label: string, pick: (index: number) => number) => {
    const ranges = new Map(minmax);
    const counts = CANDIDATES.map(() => 0);
    for (const index of minmax.keys()) {
      const method = pick(index);
      ranges.set(index, candidates[method].get(index)!);
      counts[method]++;
    }
    const taken = counts.flatMap((count, method) =>
      method > 0 && count > 0 ? [`${CANDIDATES[method]} ${count}`] : []
    );
    if (taken.length > 0) choices.push({ label: `${label} (${taken.join(", ")})`, ranges });
  };
  const errorOf = (method: number, index: number) => errors[method].get(index) ?? Infinity;
  choose(
    "least error per activation",
    (index) =>
      candidates.reduce(
        (best, _, method) => errorOf(method, index) < errorOf(best, index) ? method : best,
        0,
      ),
  );
  CANDIDATES.forEach((name, method) => {
    if (method === 0) return;
    choose(
      `${name} where it measures better`,
      (index) => errorOf(method, index) < errorOf(0, index) ? method : 0,
    );
  });
  return choices;
}
