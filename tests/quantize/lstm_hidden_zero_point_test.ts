/**
 * The int8 LSTM's hidden state before projection (intermediate 4): at TensorFlow's parameters
 * (int8 from its calibrated range, as liteq's default writes it) TensorFlow Lite's kernel applies
 * its zero point with the wrong sign, so a hidden state that is never negative (zero point -128)
 * vanishes and the output is the projection's bias; `auto` calibration measures it zero-centred
 * (zero point 0, which the kernel runs right) and keeps that, and `minSqnr` keeps the LSTM float.
 */
import assert from "node:assert/strict";
import { Interpreter, type Model, parseNpy, readModel, writeModel } from "../../mod.ts";
import { quantizeWithReport } from "../../src/quantize/quantize.ts";
import { outputSqnr } from "../../src/quantize/sqnr.ts";
import { convertLstmCase, floatLstmCase } from "../../tools/quantizer_lstm_conversions.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";
import { calibrationSamples } from "./op_calibration.ts";

/** TensorFlow's robustness LSTM: 2 cells, layer norm, projection; input (1, 2, 2). */
const NAME = "unidirectional_sequence_lstm";
const float = readModel(readBytesSync(`${FIXTURES}/ops/${NAME}.tflite`));
const input = parseNpy(readBytesSync(`${FIXTURES}/ops/${NAME}.input0.npy`)).data as Float32Array;
const expected = parseNpy(readBytesSync(`${FIXTURES}/ops/${NAME}.output0.npy`))
  .data as Float32Array;

/** The LSTM of `model`. */
function lstmOf(model: Model) {
  const subgraph = model.subgraphs[0];
  return {
    subgraph,
    lstm: subgraph.operators.find((op) => op.op === "UNIDIRECTIONAL_SEQUENCE_LSTM")!,
  };
}

/** The parameters of the hidden state intermediate of the LSTM of int8 `model`. */
function hiddenOf(model: Model) {
  const { lstm, subgraph } = lstmOf(model);
  const { scale, zeroPoint } = subgraph.tensors[lstm.intermediates[4]].quantization!;
  return { scale: scale[0], zeroPoint: zeroPoint[0] };
}

/** The ops fixture converted to int8 (float input and output) with `options`. */
async function convert(options: Record<string, unknown>) {
  const { model, report } = await quantizeWithReport(float, {
    mode: "int8",
    representativeDataset: calibrationSamples([input], NAME),
    ...options,
  });
  const output = (await Interpreter.load(writeModel(model))).run([input])[0] as Float32Array;
  return { model, report, output: [...output] };
}

/** The int8 output's scale (the LSTM's output tensor). */
const outputStep = (model: Model) => {
  const { lstm, subgraph } = lstmOf(model);
  return subgraph.tensors[lstm.outputs[0]].quantization!.scale[0];
};

Deno.test("int8 LSTM at TensorFlow's parameters: a hidden state at zero point -128 leaves the projection's bias", async () => {
  const { model, output } = await convert({});
  assert.equal(hiddenOf(model).zeroPoint, -128);
  const { lstm, subgraph } = lstmOf(float);
  const bias = subgraph.tensors[lstm.inputs[17]].data as Float32Array;
  const step = outputStep(model);
  // Both time steps give the bias (less the projection of one hidden step), whatever the input.
  output.forEach((value, index) =>
    assert.ok(Math.abs(value - bias[index % 2]) <= step, `${value}`)
  );
  assert.ok(
    Math.max(...output.map((value, index) => Math.abs(value - expected[index]))) > 80 * step,
  );
});

Deno.test("int8 LSTM with auto calibration: the zero-centred hidden state gives float within one step", async () => {
  const { model, report, output } = await convert({ calibration: "auto" });
  assert.equal(hiddenOf(model).zeroPoint, 0);
  assert.ok(report.notes.some((note) => note.includes("minmax with zero-centred LSTM hidden")));
  const step = outputStep(model);
  output.forEach((value, index) =>
    assert.ok(Math.abs(value - expected[index]) <= step, `${value}`)
  );
});

Deno.test("int8 LSTM with minSqnr: the LSTM is kept float", async () => {
  const { report, output } = await convert({ minSqnr: 30 });
  assert.deepEqual(report.fallback?.layers.map(({ op }) => op), ["UNIDIRECTIONAL_SEQUENCE_LSTM"]);
  output.forEach((value, index) => assert.ok(Math.abs(value - expected[index]) < 1e-6));
});

Deno.test("int8 LSTM with projection (hidden zero point -44): auto is 10 dB above TensorFlow's parameters", async () => {
  const directory = `${FIXTURES}/quantizer_lstm`;
  const name = "lstm_projection";
  const tensorflows = await convertLstmCase(directory, name);
  const auto = await convertLstmCase(directory, name, { calibration: "auto" });
  assert.equal(hiddenOf(tensorflows).zeroPoint, -44);
  assert.equal(hiddenOf(auto).zeroPoint, 0);
  // Held-out samples: uniform in ±1.7 (variance 1, as the normal calibration samples).
  let seed = 11;
  const uniform = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed / 2147483648) * 3.4 - 1.7;
  };
  const size = 4 * 4;
  const samples = Array.from({ length: 16 }, () => [Float32Array.from({ length: size }, uniform)]);
  const model = floatLstmCase(directory, name);
  const [before] = await outputSqnr(model, tensorflows, samples);
  const [after] = await outputSqnr(model, auto, samples);
  assert.ok(after > before + 10, `auto ${after} dB, TensorFlow's parameters ${before} dB`);
});
