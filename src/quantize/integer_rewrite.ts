/**
 * The rewrite of full integer quantization: builds the integer graph from the float one, op by
 * op in order. Model inputs become integer under an integer `inputType` (uint8 through a QUANTIZE
 * to int8); ops the fallback plan keeps float read float versions of their inputs (DEQUANTIZEs);
 * every other op reads integer versions (QUANTIZEs, requantizations to a "shared" op's output
 * parameters, quantized constants, weights and bias) and writes its outputs at its rule's
 * parameters; model outputs get the `outputType` asked for (DEQUANTIZE to float32 by default,
 * QUANTIZE to uint8, or a QUANTIZE after a float op under an integer output type).
 */
import type { Operator, Quantization } from "../format/ir.ts";
import { QuantizeError } from "./errors.ts";
import type { FallbackPlan } from "./fallback_plan.ts";
import { addTensor, describeOperator, isFloatConstant, plainOperator } from "./graph.ts";
import { IntegerConstants } from "./integer_constants.ts";
import { integerLstmInputs } from "./integer_lstm.ts";
import { INTEGER_OPS, type IntegerSpec, setIntegerVersion } from "./integer_ops.ts";
import { asUint8 } from "./integer_scheme.ts";
import type { IntegerTensors } from "./integer_tensors.ts";
import type { QuantizeOptions, QuantizeReport } from "./options.ts";

/** A model input or output type under full integer quantization. */
type ModelIoType = NonNullable<QuantizeOptions["outputType"]>;

/** What the rewrite of one integer op needs. */
interface OperatorContext {
  tensors: IntegerTensors;
  constants: IntegerConstants;
  /** Per-channel weight scales (`perChannel`, true unless said). */
  perChannel: boolean;
  /** The model output type asked for (`outputType`, float32 unless said). */
  outputType: ModelIoType;
  /** The model's output tensors. */
  modelOutputs: Set<number>;
}

/** Model inputs at `inputType`: integer ones in place, uint8 ones through a QUANTIZE to int8. */
function rewriteModelInputs(tensors: IntegerTensors, inputType: ModelIoType): void {
  const { subgraph, scheme } = tensors;
  subgraph.inputs = subgraph.inputs.map((index) => {
    if (!tensors.isActivation(index) || inputType === "float32") return index;
    const params = tensors.calibrated(index);
    if (inputType === scheme.dtype) {
      tensors.makeInteger(index, params);
      return index;
    }
    // uint8 input: the uint8 tensor feeds a QUANTIZE to int8 (zero point shifted by 128).
    const inner = tensors.addInteger(index, "quantized", params);
    Object.assign(tensors.tensor(index), { dtype: "uint8", quantization: asUint8(params) });
    tensors.operators.push(plainOperator("QUANTIZE", 1, [index], [inner]));
    tensors.setIntegerTwin(index, inner);
    return index;
  });
}

/** The integer inputs of an integer op (converted, requantized, constants quantized). */
function integerInputs(
  context: OperatorContext,
  operator: Operator,
  spec: IntegerSpec,
  where: string,
): number[] {
  const { tensors, constants } = context;
  const sharedParams = spec.output === "shared"
    ? tensors.calibrated(operator.outputs[0])
    : undefined;
  const inputs = [...operator.inputs];
  inputs.forEach((input, position) => {
    if (input < 0) return;
    const twin = tensors.integerTwin(input);
    if (twin !== undefined) {
      inputs[position] = twin;
      return;
    }
    const tensor = tensors.tensor(input);
    if (tensor.dtype !== "float32") return;
    if (tensor.data === null) {
      inputs[position] = tensors.asInteger(input);
    } else if (position !== spec.weights?.position && position !== spec.bias) {
      // A constant an op passes through is stored at its output's parameters (the data of a
      // BROADCAST_TO), one beside that data (PADV2's padding value) at the data's: the kernel
      // copies it as it is.
      const params = sharedParams ??
        (spec.output !== "input"
          ? undefined
          : position === 0
          ? tensors.calibrated(operator.outputs[0])
          : tensors.paramsOf(inputs[0]));
      inputs[position] = constants.operand(input, where, params);
    }
  });
  if (sharedParams) {
    inputs.forEach((input, position) => {
      inputs[position] = tensors.atParams(input, sharedParams);
    });
  }
  // Weights, then the bias at input scale x weight scale.
  if (spec.weights) {
    const weightsIndex = operator.inputs[spec.weights.position];
    const weights = tensors.tensor(weightsIndex);
    if (!isFloatConstant(weights)) {
      throw new QuantizeError(`${where}: weights "${weights.name}" must be a float32 constant`);
    }
    const axis = context.perChannel ? spec.weights.axis : null;
    const quantized = constants.weights(weightsIndex, where, axis);
    inputs[spec.weights.position] = quantized.index;
    const biasIndex = spec.bias === undefined ? -1 : operator.inputs[spec.bias] ?? -1;
    if (biasIndex >= 0 && tensors.tensor(biasIndex).data !== null) {
      const inputScale = tensors.paramsOf(inputs[spec.data ?? 0])!.scale[0];
      inputs[spec.bias!] = constants.bias(biasIndex, where, inputScale, quantized.scale);
    }
  }
  return inputs;
}

/** The parameters of an integer op's output by its rule. */
function outputParams(
  tensors: IntegerTensors,
  spec: IntegerSpec,
  operator: Operator,
  output: number,
): Quantization {
  switch (spec.output) {
    case "fixed":
      return tensors.scheme.fixed(operator.op);
    case "input": {
      const input = operator.inputs.find((index) => index >= 0 && tensors.paramsOf(index));
      return input === undefined ? tensors.calibrated(output) : tensors.paramsOf(input)!;
    }
    default:
      return tensors.calibrated(output);
  }
}

/** Rewrites op `index` to its integer form and adds it (and its output conversions). */
function rewriteIntegerOperator(
  context: OperatorContext,
  operator: Operator,
  index: number,
): void {
  const { tensors, outputType, modelOutputs } = context;
  const { scheme } = tensors;
  const spec = INTEGER_OPS[operator.op];
  const where = describeOperator(tensors.subgraph, index);
  operator.inputs = spec.recurrent
    ? integerLstmInputs(tensors, context.constants, operator, where)
    : integerInputs(context, operator, spec, where);
  setIntegerVersion(operator, spec, scheme.dtype);
  /** Model outputs this op writes: [integer twin, output, parameters]. */
  const converted: [number, number, Quantization][] = [];
  operator.outputs = operator.outputs.map((output) => {
    if (!tensors.isActivation(output) || spec.output === "none") return output;
    const params = outputParams(tensors, spec, operator, output);
    if (!modelOutputs.has(output) || outputType === scheme.dtype) {
      tensors.makeInteger(output, params);
      return output;
    }
    // A model output: the op writes an integer twin, converted after it.
    const integer = tensors.addInteger(output, "integerOutput", params);
    tensors.setIntegerTwin(output, integer);
    converted.push([integer, output, params]);
    return integer;
  });
  tensors.operators.push(operator);
  for (const [integer, output, params] of converted) {
    if (outputType === "uint8") {
      Object.assign(tensors.tensor(output), { dtype: "uint8", quantization: asUint8(params) });
      tensors.operators.push(plainOperator("QUANTIZE", 1, [integer], [output]));
    } else {
      tensors.operators.push(plainOperator("DEQUANTIZE", 2, [integer], [output]));
    }
  }
}

/**
 * Model outputs that float ops write, under an integer output type: the op writes a float
 * twin and a QUANTIZE turns it into the output (as TensorFlow does), so that the output keeps
 * its index, name and signature entry.
 */
function quantizeFloatOutputs(tensors: IntegerTensors, outputType: ModelIoType): void {
  if (outputType === "float32") return;
  const { subgraph, operators } = tensors;
  for (const output of subgraph.outputs) {
    const tensor = tensors.tensor(output);
    if (!tensors.isActivation(output) || !tensors.isCalibrated(output)) continue;
    const name = tensors.twinName(output, "floatOutput");
    const float = addTensor(subgraph, name, "float32", tensor, null);
    for (const operator of operators) {
      operator.inputs = operator.inputs.map((input) => (input === output ? float : input));
      operator.outputs = operator.outputs.map((index) => (index === output ? float : index));
    }
    const params = tensors.calibrated(output);
    Object.assign(tensor, {
      dtype: outputType,
      quantization: outputType === "uint8" ? asUint8(params) : params,
    });
    operators.push(plainOperator("QUANTIZE", 1, [float], [output]));
  }
}

/**
 * Rewrites the subgraph of `tensors` to integer by `plan`, with the model input and output
 * types and weight granularity of `options`; fills `report`.
 */
export function rewriteToInteger(
  tensors: IntegerTensors,
  plan: FallbackPlan,
  options: QuantizeOptions,
  report: QuantizeReport,
): void {
  const { subgraph, scheme } = tensors;
  const outputType = options.outputType ?? "float32";
  const context: OperatorContext = {
    tensors,
    constants: new IntegerConstants(tensors.model, scheme),
    perChannel: options.perChannel !== false,
    outputType,
    modelOutputs: new Set(subgraph.outputs),
  };
  rewriteModelInputs(tensors, options.inputType ?? "float32");
  subgraph.operators.forEach((operator, index) => {
    if (!plan.touchesFloat[index]) {
      // Integer-only ops (SHAPE of a uint8 model input, say) read the int8 twin too.
      operator.inputs = operator.inputs.map((input) => tensors.integerTwin(input) ?? input);
      tensors.operators.push(operator);
      return;
    }
    const reason = plan.floatReasons[index];
    if (reason) {
      operator.inputs = operator.inputs.map((input) => tensors.asFloat(input));
      tensors.operators.push(operator);
      report.float.push({ operator: index, op: operator.op, detail: reason });
      return;
    }
    rewriteIntegerOperator(context, operator, index);
    report.quantized.push({ operator: index, op: operator.op, detail: scheme.dtype });
  });
  quantizeFloatOutputs(tensors, outputType);
  subgraph.operators = tensors.operators;
}
