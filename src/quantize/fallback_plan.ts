/**
 * The float-fallback plan of full integer quantization, decided on the float graph before
 * calibration: which ops become integer, which stay float32 and why (no integer kernel, no int16
 * kernel in 16x8, denylisted, a float variable input, a fused activation without integer form,
 * control flow and what depends on it, or TensorFlow's two follow-on rules below). Ops that
 * touch no float activation (int32 shape arithmetic) are left as they are. The QUANTIZE/DEQUANTIZE placement follows from the plan: the rewrite puts a QUANTIZE
 * where a float tensor enters an integer op and a DEQUANTIZE where an integer tensor reaches a
 * float op, each right after the op that computes the tensor, as TensorFlow does.
 */
import type { Operator, Subgraph } from "../format/ir.ts";
import { QuantizeError } from "./errors.ts";
import { calledSubgraphs, describeOperator, producersOf } from "./graph.ts";
import { INTEGER_OPS } from "./integer_ops.ts";
import type { ActivationType } from "./integer_scheme.ts";

/** Which ops of subgraph 0 stay float, by operator index. */
export interface FallbackPlan {
  /** Whether the op touches float32 activations (ops that do not are left as they are). */
  touchesFloat: boolean[];
  /**
   * Whether calibration runs the op: not for control flow (calibration runs the main subgraph
   * alone, by design) nor for the ops that read what control flow computes.
   */
  calibrated: boolean[];
  /** Why the op stays float, or null when it becomes integer (or touches no float). */
  floatReasons: (string | null)[];
}

/** Why an op cannot be integer here, or null when it can. */
function blocker(
  subgraph: Subgraph,
  operator: Operator,
  dtype: ActivationType,
  denied: Set<string>,
  kept: string | undefined,
): string | null {
  if (kept) return kept;
  if (denied.has(operator.op)) return "denylisted";
  const spec = INTEGER_OPS[operator.op];
  if (!spec || operator.custom) return `no integer kernel for ${operator.op}`;
  if (dtype === "int16" && spec.int16 === false) {
    return `no int16-activation kernel for ${operator.op}`;
  }
  const names = [...operator.inputs, ...operator.outputs].filter((index) => index >= 0)
    .map((index) => subgraph.tensors[index].name);
  const deniedName = names.find((name) => denied.has(name));
  if (deniedName) return `tensor "${deniedName}" is denylisted`;
  const fused = operator.options?.fusedActivationFunction;
  if (spec.recurrent) {
    // Its variables are its states and its fused activation its cell's, integer with it.
    return fused === "TANH" ? null : `cell activation ${fused} has no integer form`;
  }
  const variable = operator.inputs.find((index) =>
    index >= 0 && subgraph.tensors[index].isVariable && subgraph.tensors[index].dtype === "float32"
  );
  if (variable !== undefined) {
    return `input "${
      subgraph.tensors[variable].name
    }" is a variable (it changes as the model runs)`;
  }
  if (fused === "TANH" || fused === "SIGN_BIT") return `fused ${fused} has no integer form`;
  return null;
}

/** Whether an op touches float32 activations at all (int32 shape arithmetic does not). */
function touchesFloat(subgraph: Subgraph, operator: Operator): boolean {
  return [...operator.inputs, ...operator.outputs].some((index) =>
    index >= 0 && subgraph.tensors[index].dtype === "float32" &&
    subgraph.tensors[index].data === null
  );
}

/**
 * As TensorFlow's quantizer does, an op with the "shared" rule (CONCATENATION, PACK, MAXIMUM,
 * MINIMUM) stays float when an op that stays float computes one of its inputs: it cannot put
 * that input on its range. In operator order, so that a chain of them stays float together.
 */
function keepSharedOpsAfterFloatOps(subgraph: Subgraph, floatReasons: (string | null)[]): void {
  const producers = producersOf(subgraph);
  subgraph.operators.forEach((operator, index) => {
    if (floatReasons[index] || INTEGER_OPS[operator.op]?.output !== "shared") return;
    const floatSource = operator.inputs.map((input) => producers.get(input))
      .find((source) => source !== undefined && floatReasons[source] !== null);
    if (floatSource !== undefined) {
      floatReasons[index] = `its input from ${subgraph.operators[floatSource].op} (operator ` +
        `${floatSource}) stays float`;
    }
  });
}

/**
 * Ops that follow (comparisons) stay float unless every float input is integer anyway, an
 * activation another integer op reads or writes (even an integer model input does not count:
 * TensorFlow dequantizes it for them).
 */
function keepFollowersOfFloatTensors(subgraph: Subgraph, floatReasons: (string | null)[]): void {
  const demanded = new Set<number>();
  subgraph.operators.forEach((operator, index) => {
    const spec = INTEGER_OPS[operator.op];
    if (floatReasons[index] || !spec || spec.follows) return;
    for (const tensor of [...operator.inputs, ...operator.outputs]) demanded.add(tensor);
  });
  subgraph.operators.forEach((operator, index) => {
    if (floatReasons[index] || !INTEGER_OPS[operator.op]?.follows) return;
    const alone = operator.inputs.find((input) =>
      input >= 0 && subgraph.tensors[input].dtype === "float32" && !demanded.has(input)
    );
    if (alone !== undefined) {
      floatReasons[index] = `input "${
        subgraph.tensors[alone].name
      }" is not integer for any other op`;
    }
  });
}

/**
 * Control flow stays float with its subgraphs, and so does every op that depends on what it
 * computes: liteq quantizes the main subgraph only, so calibration, which runs the main subgraph
 * alone, leaves them out by design. Returns which ops calibration runs.
 */
function keepControlFlowFloat(subgraph: Subgraph, floatReasons: (string | null)[]): boolean[] {
  const calibrated = subgraph.operators.map(() => true);
  /** The control-flow op behind each tensor that depends on one. */
  const sourceOf = new Map<number, number>();
  subgraph.operators.forEach((operator, index) => {
    const called = calledSubgraphs(operator);
    let source: number | undefined = called.length > 0 ? index : undefined;
    if (source !== undefined) {
      floatReasons[index] = `control flow: subgraph${called.length === 1 ? "" : "s"} ` +
        `${called.join(", ")} stay${called.length === 1 ? "s" : ""} float`;
    } else {
      source = operator.inputs.map((input) => sourceOf.get(input)).find((op) => op !== undefined);
      if (source === undefined) return;
      floatReasons[index] = `its input depends on ${subgraph.operators[source].op} (operator ` +
        `${source}), which stays float`;
    }
    calibrated[index] = false;
    for (const output of operator.outputs) sourceOf.set(output, source);
  });
  return calibrated;
}

/**
 * Plans which ops of `subgraph` (the float graph) stay float with `dtype` activations, the op
 * types and tensor names in `denied` staying float too, and the operators in `kept` (by index,
 * with the reason: the automatic fallback's choices).
 */
export function planFallback(
  subgraph: Subgraph,
  dtype: ActivationType,
  denied: Set<string>,
  kept: ReadonlyMap<number, string> = new Map(),
): FallbackPlan {
  const touches = subgraph.operators.map((operator) => touchesFloat(subgraph, operator));
  const floatReasons = subgraph.operators.map((operator, index) =>
    touches[index] ? blocker(subgraph, operator, dtype, denied, kept.get(index)) : null
  );
  const calibrated = keepControlFlowFloat(subgraph, floatReasons);
  keepSharedOpsAfterFloatOps(subgraph, floatReasons);
  keepFollowersOfFloatTensors(subgraph, floatReasons);
  return { touchesFloat: touches, calibrated, floatReasons };
}

/** Throws, listing every op that stays float and why, when the plan leaves any (`int8Only`). */
export function refuseFloatOps(subgraph: Subgraph, plan: FallbackPlan): void {
  const refused = plan.floatReasons.flatMap((reason, index) =>
    reason ? [`${describeOperator(subgraph, index)}: ${reason}`] : []
  );
  if (refused.length > 0) {
    throw new QuantizeError(
      `int8Only: ${refused.length} op${refused.length === 1 ? "" : "s"} cannot be quantized: ` +
        refused.join("; "),
    );
  }
}
