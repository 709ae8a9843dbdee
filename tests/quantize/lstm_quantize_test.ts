/**
 * liteq's int8 UNIDIRECTIONAL_SEQUENCE_LSTM against TensorFlow 2.21's: the same graph, dtypes,
 * op version and scales (of every input, intermediate and output) from the same calibration
 * samples, and liteq's file giving in liteq's runtime what it gives in TensorFlow's
 * (tools/make_quantizer_lstm_fixture.py, tools/run_quantizer_lstm_reference.py).
 */
import assert from "node:assert/strict";
import { type Model, parseNpy, readModel, type Tensor } from "../../mod.ts";
import { Interpreter } from "../../mod.ts";
import { writeModel } from "../../mod.ts";
import { convertLstmCase, LSTM_CASES } from "../../tools/quantizer_lstm_conversions.ts";
import { quantizeWithReport } from "../../src/quantize/quantize.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";
import { signatureOf } from "./graph_signature.ts";

const DIRECTORY = `${FIXTURES}/quantizer_lstm`;

/** liteq's int8 conversion of case `name`, with int8 input and output as TensorFlow's. */
const convert = (name: string): Promise<Model> => convertLstmCase(DIRECTORY, name);

/** The LSTM's tensors by role: inputs by position, intermediates, the output. */
function lstmTensors(model: Model): [string, Tensor | null][] {
  const subgraph = model.subgraphs[0];
  const lstm = subgraph.operators.find((op) => op.op === "UNIDIRECTIONAL_SEQUENCE_LSTM")!;
  const at = (index: number) => (index < 0 ? null : subgraph.tensors[index]);
  return [
    ...lstm.inputs.map((index, position): [string, Tensor | null] => [
      `input ${position}`,
      at(index),
    ]),
    ...lstm.intermediates.map((index, position): [string, Tensor | null] => [
      `intermediate ${position}`,
      at(index),
    ]),
    ["output", at(lstm.outputs[0])],
  ];
}

for (const name of LSTM_CASES) {
  Deno.test(`int8 LSTM ${name}: TensorFlow's graph, version and scales`, async () => {
    const ours = await convert(name);
    const theirs = readModel(readBytesSync(`${DIRECTORY}/${name}.int8.tflite`));
    assert.deepEqual(signatureOf(ours, true), signatureOf(theirs, true));
    const mine = lstmTensors(ours);
    lstmTensors(theirs).forEach(([role, tensor], position) => {
      const [, our] = mine[position];
      assert.equal(our?.dtype, tensor?.dtype, role);
      assert.deepEqual(our?.shape, tensor?.shape, role);
      const scale = tensor?.quantization?.scale ?? [];
      const ourScale = our?.quantization?.scale ?? [];
      assert.equal(ourScale.length, scale.length, `${role}: ${ourScale}, TF ${scale}`);
      scale.forEach((value, channel) => {
        const relative = Math.abs(ourScale[channel] / value - 1);
        assert.ok(relative <= 1e-6, `${role}: scale ${ourScale}, TF ${scale}`);
      });
      assert.deepEqual(our?.quantization?.zeroPoint ?? [], tensor?.quantization?.zeroPoint ?? []);
      assert.deepEqual([...(our?.data ?? [])], [...(tensor?.data ?? [])], `${role} values`);
    });
  });

  Deno.test(`int8 LSTM ${name}: liteq's file gives TensorFlow's outputs`, async () => {
    const reference = `${DIRECTORY}/${name}.liteq_int8.output0.npy`;
    const converted = await convert(name);
    // The file TensorFlow ran (tools/run_quantizer_lstm_reference.py) is this conversion's.
    assert.deepEqual(
      writeModel(converted),
      readBytesSync(`${DIRECTORY}/${name}.liteq_int8.tflite`),
    );
    const interpreter = await Interpreter.load(converted);
    const inputs = parseNpy(readBytesSync(`${DIRECTORY}/${name}.liteq_int8.input0.npy`));
    const outputs = parseNpy(readBytesSync(reference));
    const invocations = inputs.shape[0];
    const inSize = inputs.data.length / invocations;
    const outSize = outputs.data.length / invocations;
    for (let invocation = 0; invocation < invocations; invocation++) {
      interpreter.setInput(0, inputs.data.slice(invocation * inSize, (invocation + 1) * inSize));
      interpreter.invoke();
      assert.deepEqual(
        [...interpreter.output(0)],
        [...outputs.data.slice(invocation * outSize, (invocation + 1) * outSize)],
        `invocation ${invocation}`,
      );
    }
  });
}

Deno.test("16x8 leaves the LSTM float, as TensorFlow has no 16x8 form of it", async () => {
  const float = readModel(readBytesSync(`${DIRECTORY}/lstm.float.tflite`));
  const calibration = parseNpy(readBytesSync(`${DIRECTORY}/lstm.calibration.npy`))
    .data as Float32Array;
  const { model, report } = await quantizeWithReport(float, {
    mode: "int16x8",
    representativeDataset: [calibration.slice(0, calibration.length / 8)],
  });
  assert.deepEqual(report.float.map(({ op, detail }) => [op, detail]), [
    ["UNIDIRECTIONAL_SEQUENCE_LSTM", "no int16-activation kernel for UNIDIRECTIONAL_SEQUENCE_LSTM"],
  ]);
  assert.deepEqual(signatureOf(model), [
    "UNIDIRECTIONAL_SEQUENCE_LSTM(" + [
      "float32",
      ...Array(8).fill("float32"),
      "-",
      "-",
      "-",
      ...Array(4).fill("float32"),
      "-",
      "-",
      "float32",
      "float32",
      "-",
      "-",
      "-",
      "-",
    ] + ") -> float32",
  ]);
});
