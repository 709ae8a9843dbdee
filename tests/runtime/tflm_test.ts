/**
 * A second oracle that no one here wrote: TensorFlow Lite Micro's kernel tests, their hand-checked
 * inputs, weights and goldens ported as data into tests/fixtures/tflm (tools/port_tflm_cases.py,
 * one JSON file per TFLM test file). Each case is built here into a one-op model, its tensors
 * quantized as TFLM's test helpers quantize them (float32 arithmetic, C rounding), and liteq's
 * output must be within the case's tolerance of the golden, as TFLM's EXPECT_NEAR asks (a state
 * TFLM checks is read through a DEQUANTIZE after the op). A case ported but refused, as TFLite's
 * kernels lack its form, must be refused with the reason its file gives.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import type { DType, TensorData } from "../../src/format/dtype.ts";
import { Interpreter, UnsupportedModelError, writeModel } from "../../mod.ts";
import { FIXTURES } from "../helpers.ts";
import { buildModel, type TensorSpec } from "./model_builder.ts";

/** A tensor of a case, as tools/port_tflm_cases.py describes its recipes. */
interface CaseTensor {
  shape: number[];
  dtype: DType;
  values?: number[];
  float?: number[];
  scale?: number | number[];
  zeroPoint?: number | number[];
  quantizedDimension?: number;
  perChannel?: number;
  symmetricScale?: number[];
  biasFor?: [number, number];
  biasScale?: number;
  input?: boolean;
  variable?: boolean;
  /**
   * An output that is no output of the op but its variable input at this position after the run,
   * dequantized by a DEQUANTIZE after the op (a model output must be an op's output).
   */
  stateOf?: number;
}

interface TflmCase {
  name: string;
  kind?: "callOnce";
  invokes?: number[];
  initInvokesGolden?: number;
  /** Invocations in order (state carried along): the input and golden hold them one after the other. */
  steps?: number;
  op: string;
  optionsType?: string;
  options?: Record<string, string | number | boolean>;
  inputs: (CaseTensor | null)[];
  /** Tensors that carry only quantization for the op (TFLite's integer LSTM reads its scales there). */
  intermediates?: CaseTensor[];
  output?: CaseTensor;
  outputs?: CaseTensor[];
  golden?: number[];
  goldens?: number[][];
  custom?: boolean;
  customOptions?: number[];
  goldenValues?: number[];
  /** Float goldens of each output, compared with the dequantized output as TFLM compares them. */
  dequantizedGoldens?: number[][];
  /** With dequantizedGoldens: each output's tolerance, in its float units. */
  tolerances?: number[];
  tolerance?: number;
}

const f = Math.fround;
const RANGE: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [-(2 ** 63), 2 ** 63],
};

/** C's round: halves away from zero. */
function cRound(value: number): number {
  return Math.sign(value) * Math.floor(Math.abs(value) + 0.5);
}

function clamp(value: number, [low, high]: [number, number]): number {
  return Math.min(Math.max(value, low), high);
}

/** TFLM's FloatToQuantizedType: round(x / scale) + zero point, clamped to the type. */
function quantizeAffine(values: number[], scale: number, zeroPoint: number, dtype: DType) {
  return values.map((value) => clamp(cRound(f(f(value) / f(scale))) + zeroPoint, RANGE[dtype]!));
}

/** TFLM's FloatToSymmetricQuantizedType with one scale per element: clamped to [min + 1, max]. */
function quantizeSymmetric(values: number[], scaleOf: (index: number) => number, dtype: DType) {
  const [low, high] = RANGE[dtype]!;
  return values.map((value, index) => clamp(cRound(f(f(value) / scaleOf(index))), [low + 1, high]));
}

/** The channel of each element along `axis`. */
function channelOf(shape: number[], axis: number): (index: number) => number {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return (index) => Math.floor(index / inner) % shape[axis];
}

/** Quantizes one tensor of a case; returns its stored values and quantization. */
function materialize(tensor: CaseTensor, scalesOf: (position: number) => number[]) {
  const list = (value: number | number[] | undefined) =>
    value === undefined ? undefined : Array.isArray(value) ? value : [value];
  let values = tensor.values ?? [];
  let scale = list(tensor.scale);
  let zeroPoint = list(tensor.zeroPoint);
  // A bias's channels are its elements, along its last axis.
  const axis = tensor.perChannel ?? tensor.quantizedDimension ??
    (tensor.biasFor ? tensor.shape.length - 1 : 0);
  const channel = channelOf(tensor.shape, axis);
  if (tensor.float && tensor.perChannel !== undefined) {
    const qmax = RANGE[tensor.dtype]![1];
    const channels = tensor.shape[axis];
    const max = new Array<number>(channels).fill(0);
    tensor.float.forEach((value, index) => {
      max[channel(index)] = Math.max(max[channel(index)], Math.abs(f(value)));
    });
    scale = max.map((value) => f(value / qmax));
    values = quantizeSymmetric(tensor.float, (index) => scale![channel(index)], tensor.dtype);
  } else if (tensor.float && tensor.symmetricScale) {
    scale = tensor.symmetricScale.map(f);
    const scaleOf = scale.length === 1
      ? () => scale![0]
      : (index: number) => scale![channel(index)];
    values = quantizeSymmetric(tensor.float, scaleOf, tensor.dtype);
  } else if (tensor.float && tensor.biasFor) {
    const [input, filter] = tensor.biasFor.map(scalesOf);
    scale = filter.map((filterScale) => f(input[0] * filterScale));
    const perChannel = scale.length > 1;
    values = quantizeSymmetric(
      tensor.float,
      (index) => scale![perChannel ? index : 0],
      tensor.dtype,
    );
  } else if (tensor.float && tensor.biasScale !== undefined) {
    values = quantizeSymmetric(tensor.float, () => f(tensor.biasScale!), tensor.dtype);
  } else if (tensor.float) {
    values = quantizeAffine(tensor.float, scale![0], zeroPoint![0], tensor.dtype);
  }
  if (scale && !zeroPoint) zeroPoint = scale.map(() => 0);
  const quantization = scale && tensor.dtype !== "float32"
    ? { scale: scale.map(f), zeroPoint: zeroPoint!, quantizedDimension: axis }
    : undefined;
  return { values, quantization };
}

function typed(dtype: DType, values: number[]): TensorData {
  switch (dtype) {
    case "float32":
      return Float32Array.from(values);
    case "int8":
      return Int8Array.from(values);
    case "int16":
      return Int16Array.from(values);
    case "int32":
      return Int32Array.from(values);
    case "int64":
      return BigInt64Array.from(values, BigInt);
    default:
      throw new Error(`no typed array for ${dtype} here`);
  }
}

/**
 * The golden of each output: quantized as TFLM quantizes it, or as given (TFLM's float goldens are
 * float32 arrays).
 */
function goldensOf(testCase: TflmCase, outputs: CaseTensor[]): number[][] {
  if (testCase.goldens) return testCase.goldens.map((golden) => golden.map(f));
  if (testCase.goldenValues) return [testCase.goldenValues];
  const [output] = outputs;
  return [
    output.dtype === "float32" ? testCase.golden!.map(f) : quantizeAffine(
      testCase.golden!,
      output.scale as number,
      (output.zeroPoint as number) ?? 0,
      output.dtype,
    ),
  ];
}

/**
 * Builds a case's model, runs it (`steps` times, the runtime inputs' values split evenly between
 * the invocations) and returns each output's values, invocations one after the other, with the
 * goldens and tolerances (dequantized values and float goldens when the case gives
 * `dequantizedGoldens`).
 */
async function runCase(testCase: TflmCase) {
  const built: { values: number[]; quantization?: TensorSpec["quantization"] }[] = [];
  const scalesOf = (position: number) => built[position].quantization!.scale;
  const tensors: TensorSpec[] = [];
  const operatorInputs: number[] = [];
  const runtimeInputs: { index: number; data: TensorData }[] = [];
  testCase.inputs.forEach((tensor, position) => {
    if (!tensor) {
      built.push({ values: [] });
      operatorInputs.push(-1);
      return;
    }
    const made = materialize(tensor, scalesOf);
    built[position] = made;
    const data = typed(tensor.dtype, made.values);
    operatorInputs.push(tensors.length);
    if (tensor.input) runtimeInputs.push({ index: tensors.length, data });
    tensors.push({
      name: `input${position}`,
      dtype: tensor.dtype,
      shape: tensor.shape,
      data: tensor.input ? undefined : data,
      quantization: made.quantization,
      isVariable: tensor.variable,
    });
  });
  const intermediates = (testCase.intermediates ?? []).map((tensor, position) => {
    tensors.push({
      name: `intermediate${position}`,
      dtype: tensor.dtype,
      shape: tensor.shape,
      quantization: { scale: [f(tensor.scale as number)], zeroPoint: [tensor.zeroPoint as number] },
    });
    return tensors.length - 1;
  });
  const outputs = testCase.outputs ?? [testCase.output!];
  const outputIndices = outputs.map((output, position) => {
    if (output.stateOf !== undefined) {
      tensors.push({ name: `state${output.stateOf}`, dtype: "float32", shape: output.shape });
      return tensors.length - 1;
    }
    tensors.push({
      name: `output${position}`,
      dtype: output.dtype,
      shape: output.shape,
      quantization: output.scale === undefined ? undefined : {
        scale: [f(output.scale as number)],
        zeroPoint: [(output.zeroPoint as number) ?? 0],
      },
    });
    return tensors.length - 1;
  });
  const stateReads = outputs.flatMap((output, position) =>
    output.stateOf === undefined ? [] : [{
      op: "DEQUANTIZE",
      inputs: [operatorInputs[output.stateOf]],
      outputs: [outputIndices[position]],
    }]
  );
  const model = buildModel({
    tensors,
    operators: [{
      op: testCase.op,
      custom: testCase.custom,
      inputs: operatorInputs,
      outputs: outputIndices.filter((_, position) => outputs[position].stateOf === undefined),
      intermediates,
      optionsType: testCase.optionsType,
      options: testCase.options,
      customOptions: testCase.customOptions && new Uint8Array(testCase.customOptions),
    }, ...stateReads],
    inputs: runtimeInputs.map(({ index }) => index),
    outputs: outputIndices,
  });
  const interpreter = await Interpreter.load(writeModel(model), { kernels: "simd" });
  const steps = testCase.steps ?? 1;
  const actual: number[][] = outputs.map(() => []);
  for (let step = 0; step < steps; step++) {
    const values = runtimeInputs.map(({ data }) => {
      const perStep = data.length / steps;
      return data.slice(step * perStep, (step + 1) * perStep);
    });
    interpreter.run(values).forEach((output, position) => {
      actual[position].push(...Array.from(output as ArrayLike<number>, Number));
    });
  }
  if (!testCase.dequantizedGoldens) {
    const tolerances = outputs.map(() => testCase.tolerance!);
    return { actual, expected: goldensOf(testCase, outputs), tolerances };
  }
  // TFLM's Dequantize: (q - zero point) x scale, in float32.
  const dequantized = actual.map((values, position) => {
    const { quantization } = tensors[outputIndices[position]];
    if (!quantization) return values;
    return values.map((value) =>
      f((value - quantization!.zeroPoint[0]) * f(quantization!.scale[0]))
    );
  });
  return {
    actual: dequantized,
    expected: testCase.dequantizedGoldens.map((golden) => golden.map(f)),
    tolerances: testCase.tolerances!,
  };
}

/**
 * CALL_ONCE counted: the initialization subgraph adds 1 to a resource variable, the main graph
 * reads it; after each number of invocations the count must be TFLM's golden.
 */
async function checkCallOnce(testCase: TflmCase): Promise<void> {
  const handle = { container: "", sharedName: "count" };
  const model = buildModel({
    tensors: [{ dtype: "resource", shape: [] }, { name: "count", dtype: "float32", shape: [1] }],
    operators: [
      {
        op: "CALL_ONCE",
        inputs: [],
        outputs: [],
        optionsType: "CallOnceOptions",
        options: { initSubgraphIndex: 1 },
      },
      {
        op: "VAR_HANDLE",
        inputs: [],
        outputs: [0],
        optionsType: "VarHandleOptions",
        options: handle,
      },
      { op: "READ_VARIABLE", inputs: [0], outputs: [1] },
    ],
    inputs: [],
    outputs: [1],
  });
  const init = buildModel({
    tensors: [
      { dtype: "resource", shape: [] },
      { dtype: "float32", shape: [1] },
      { dtype: "float32", shape: [1], data: new Float32Array([1]) },
      { dtype: "float32", shape: [1] },
    ],
    operators: [
      {
        op: "VAR_HANDLE",
        inputs: [],
        outputs: [0],
        optionsType: "VarHandleOptions",
        options: handle,
      },
      { op: "READ_VARIABLE", inputs: [0], outputs: [1] },
      {
        op: "ADD",
        inputs: [1, 2],
        outputs: [3],
        optionsType: "AddOptions",
        options: { fusedActivationFunction: "NONE" },
      },
      { op: "ASSIGN_VARIABLE", inputs: [0, 3], outputs: [] },
    ],
    inputs: [],
    outputs: [],
  });
  model.subgraphs.push(init.subgraphs[0]);
  init.subgraphs[0].tensors[2].buffer = model.buffers.length;
  model.buffers.push(init.buffers[1]);
  for (const invokes of testCase.invokes!) {
    const interpreter = await Interpreter.load(writeModel(model));
    let count = 0;
    for (let invoke = 0; invoke < invokes; invoke++) count = Number(interpreter.run([])[0][0]);
    assert.equal(count, testCase.initInvokesGolden, `after ${invokes} invocations`);
  }
}

const folder = `${FIXTURES}/tflm`;
for (const file of readdirSync(folder).filter((name) => name.endsWith(".json")).sort()) {
  const { source, cases, notPorted } = JSON.parse(readFileSync(`${folder}/${file}`, "utf8")) as {
    source: string;
    cases: TflmCase[];
    notPorted: { name: string; case?: TflmCase; refusal?: string }[];
  };
  const testFile = source.split("/").pop();
  for (const testCase of cases) {
    Deno.test(`TFLM ${testFile} ${testCase.name}`, async () => {
      if (testCase.kind === "callOnce") return await checkCallOnce(testCase);
      const { actual, expected, tolerances } = await runCase(testCase);
      actual.forEach((values, output) => {
        assert.equal(values.length, expected[output].length);
        values.forEach((value, index) => {
          assert.ok(
            Math.abs(value - expected[output][index]) <= tolerances[output],
            `output ${output} element ${index} is ${value}, TFLM's golden ${
              expected[output][index]
            } (tolerance ${tolerances[output]}); got [${values}], golden [${expected[output]}]`,
          );
        });
      });
    });
  }
  // A case ported but not run, as liteq refuses what TFLite's kernels lack: the refusal says why.
  for (const { name, case: testCase, refusal } of notPorted) {
    if (!testCase || !refusal) continue;
    Deno.test(`TFLM ${testFile} ${name} is refused`, async () => {
      await assert.rejects(runCase(testCase), UnsupportedModelError, refusal);
    });
  }
}
