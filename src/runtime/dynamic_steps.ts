/**
 * Dynamic tensors, as TensorFlow Lite's kTfLiteDynamic: the steps of a subgraph whose tensors'
 * shapes are known only at invoke. An op declares its outputs dynamic at prepare by returning a
 * `reshape` (WHERE on a run-time condition, SPLIT on a run-time axis); the operators that read a
 * dynamic tensor, directly or not, are prepared at invoke, as TFLite prepares the ops after a
 * dynamic one, and their outputs are dynamic too. Everything else keeps the static plan and runs
 * first: a dynamic step reads only tensors that live to the end of the arena. Once a step that
 * may touch state (variables, control flow, custom ops) waits for invoke, every later one does,
 * so that such steps keep their order. What must last is never placed at invoke: a CALL_ONCE
 * that would wait is refused at load, a variable whose place would be fixed there is an
 * `InvokeError`.
 *
 * At invoke the steps run in order. A step not yet prepared is prepared for the shapes at hand
 * (its shape checks run again, its constants are placed, its outputs and scratch get memory) in a
 * dynamic range of the interpreter's memory (`KernelMemory.beginDynamic`). A step with `reshape`
 * computes its output shapes from its inputs' values before it runs; when they differ from those
 * its outputs were placed for, its outputs' range and every later one are given back, and the
 * steps after it are prepared again. Equal shapes run the prepared steps as they are. Whatever
 * fails there (a shape past `maxElements`, memory past `memoryBudget`, a shape check) is an
 * `InvokeError` naming the operator.
 */
import { ModelFormatError } from "../format/errors.ts";
import type { Operator } from "../format/ir.ts";
import { InvokeError, UnsupportedModelError } from "./errors.ts";
import type { KernelMemory } from "./memory.ts";
import type { PreparedOp } from "./op.ts";
import { byteLengthOf, type RuntimeTensor } from "./tensor.ts";

/** A prepared operator: how it runs, its tensors and its scratch (-1 until placed). */
export interface Step {
  prepared: PreparedOp;
  inputs: (RuntimeTensor | null)[];
  outputs: RuntimeTensor[];
  scratch: number;
}

/** What the subgraph does for its dynamic steps. */
export interface StepHost {
  /** The operator's tensors: inputs (null where omitted), outputs and intermediates. */
  tensorsOf(operator: Operator): {
    inputs: (RuntimeTensor | null)[];
    outputs: RuntimeTensor[];
    intermediates: RuntimeTensor[];
  };
  /** Prepares an operator for the current shapes: its step, or null when it ran now (folded). */
  prepareOperator(operator: Operator, label: string): Step | null;
  /** Scratch bytes a step needs (with threads, each chunk's). */
  scratchBytes(step: Step): number;
  /** Runs a step (split among threads when it divides). */
  runStep(step: Step): void;
}

/** Ops that read or write state: their order against each other is kept. */
const ORDERED_OPS = new Set([
  "ASSIGN_VARIABLE",
  "IF",
  "READ_VARIABLE",
  "VAR_HANDLE",
  "WHILE",
]);

/** A tensor's place before a step was prepared, restored when the step is dropped. */
interface Saved {
  tensor: RuntimeTensor;
  shape: number[] | null;
  offset: number;
  constant: boolean;
}

interface DynamicStep {
  operator: Operator;
  label: string;
  /** The step prepared for the current shapes, null when not (or when it ran at prepare). */
  step: Step | null;
  prepared: boolean;
  /** Prepared at load (its inputs static): never prepared again. */
  fixed: boolean;
  saved: Saved[];
  /** For a step with `reshape`: the output shapes its outputs were placed for, and where. */
  placedFor: string | null;
  placement: number;
}

/** The dynamic steps of one subgraph (see the module comment). */
export class DynamicSteps {
  /** Tensors whose shapes are known only at invoke. */
  readonly tensors = new Set<RuntimeTensor>();
  /** Tensors the dynamic steps read that the static plan holds: they live to its end. */
  readonly staticReads = new Set<RuntimeTensor>();
  private readonly steps: DynamicStep[] = [];
  private ordered = false;

  constructor(private readonly host: StepHost, private readonly memory: KernelMemory) {}

  /** True when `operator` must wait for invoke (see the module comment). */
  defers(operator: Operator): boolean {
    return this.ordered ||
      this.host.tensorsOf(operator).inputs.some((tensor) =>
        tensor !== null && this.tensors.has(tensor)
      );
  }

  /** Adds a step prepared at load whose outputs get their shapes at invoke (it has `reshape`). */
  addReshaping(operator: Operator, label: string, step: Step): void {
    this.add(operator, label, step.inputs, step.outputs);
    const entry = this.steps[this.steps.length - 1];
    entry.step = step;
    entry.prepared = true;
    entry.fixed = true;
  }

  /**
   * Adds an operator to prepare at invoke; CALL_ONCE is refused there (prepared again, it would
   * run again).
   */
  defer(operator: Operator, label: string): void {
    if (operator.op === "CALL_ONCE") {
      throw new UnsupportedModelError(
        label,
        "it follows an operator prepared at invoke (after a tensor whose shape is known only then); liteq runs CALL_ONCE from the static plan",
      );
    }
    const { inputs, outputs } = this.host.tensorsOf(operator);
    this.add(operator, label, inputs, outputs);
    if (operator.custom || ORDERED_OPS.has(operator.op)) this.ordered = true;
  }

  private add(
    operator: Operator,
    label: string,
    inputs: (RuntimeTensor | null)[],
    outputs: RuntimeTensor[],
  ): void {
    for (const tensor of inputs) {
      if (tensor && !this.tensors.has(tensor) && !tensor.constant) this.staticReads.add(tensor);
    }
    for (const tensor of outputs) this.tensors.add(tensor);
    this.steps.push({
      operator,
      label,
      step: null,
      prepared: false,
      fixed: false,
      saved: [],
      placedFor: null,
      placement: -1,
    });
  }

  /** Runs the steps in order, preparing and placing what the shapes at hand need. */
  run(): void {
    for (let position = 0; position < this.steps.length; position++) {
      const entry = this.steps[position];
      if (!entry.prepared) this.prepare(position);
      const step = entry.step;
      if (!step) continue;
      if (step.prepared.reshape) this.reshape(position);
      this.host.runStep(step);
    }
  }

  private prepare(position: number): void {
    const entry = this.steps[position];
    const { inputs, outputs, intermediates } = this.host.tensorsOf(entry.operator);
    entry.saved = [
      ...outputs.map((tensor) => ({ tensor, shape: [...tensor.shape], ...placeOf(tensor) })),
      ...[...inputs, ...intermediates].flatMap((tensor) =>
        tensor && tensor.offset < 0 ? [{ tensor, shape: null, ...placeOf(tensor) }] : []
      ),
    ];
    const start = this.memory.beginDynamic(() => this.dropFrom(position));
    entry.prepared = true;
    try {
      entry.step = this.host.prepareOperator(entry.operator, entry.label);
      if (entry.step && !entry.step.prepared.reshape) this.place(entry.step);
    } catch (error) {
      this.memory.release(start);
      throw invokeError(entry.label, error);
    }
  }

  private reshape(position: number): void {
    const entry = this.steps[position];
    const step = entry.step!;
    try {
      step.prepared.reshape!();
    } catch (error) {
      throw invokeError(entry.label, error);
    }
    const shapes = step.outputs.map((tensor) => tensor.shape.join()).join(";");
    if (entry.placedFor === shapes) return;
    if (entry.placedFor !== null) this.memory.release(entry.placement);
    entry.placement = this.memory.beginDynamic(() => {
      entry.placedFor = null;
      for (const tensor of step.outputs) if (!tensor.isVariable) tensor.offset = -1;
      this.dropFrom(position + 1);
    });
    try {
      this.place(step);
    } catch (error) {
      this.memory.release(entry.placement);
      throw invokeError(entry.label, error);
    }
    entry.placedFor = shapes;
  }

  /** Gives a step's outputs (but variables, placed at load) and scratch their memory. */
  private place(step: Step): void {
    for (const tensor of step.outputs) {
      if (!tensor.isVariable) tensor.offset = this.memory.allocate(byteLengthOf(tensor));
    }
    const scratch = this.host.scratchBytes(step);
    step.scratch = scratch > 0 ? this.memory.allocate(scratch) : -1;
  }

  /** Forgets the preparation of the steps from `position` on, latest first (their range is gone). */
  private dropFrom(position: number): void {
    for (let at = this.steps.length - 1; at >= position; at--) {
      const entry = this.steps[at];
      if (!entry.prepared || entry.fixed) continue;
      for (const { tensor, shape, offset, constant } of entry.saved.toReversed()) {
        if (shape) tensor.shape = shape;
        tensor.offset = offset;
        tensor.constant = constant;
      }
      entry.prepared = false;
      entry.step = null;
      entry.placedFor = null;
    }
  }
}

function placeOf(tensor: RuntimeTensor): { offset: number; constant: boolean } {
  return { offset: tensor.offset, constant: tensor.constant };
}

/** What went wrong preparing or placing a step at invoke, as an `InvokeError` at `where`. */
function invokeError(where: string, error: unknown): unknown {
  if (error instanceof InvokeError) return error;
  if (error instanceof UnsupportedModelError) return new InvokeError(where, error.reason);
  if (error instanceof ModelFormatError) {
    const problem = error.path ? error.message.slice(error.path.length + 2) : error.message;
    return new InvokeError(where, problem);
  }
  return error;
}
