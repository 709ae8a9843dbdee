/**
 * TensorFlow's dynamic-range conversions of single-op models (tests/fixtures/ops_dynamic, made by
 * `tools/make_op_fixtures.py --dynamic`): hybrid FULLY_CONNECTED, BATCH_MATMUL (with and
 * without a transposed right side), CONV_2D and DEPTHWISE_CONV_2D give TensorFlow's float
 * outputs bit for bit. So does hybrid_lstm: TensorFlow's own test LSTM (tests/fixtures/robustness;
 * layer norm, projection, cell clip) with its constants replaced by random values, quantized by
 * liteq (dynamic range, minWeightElements 0), with TensorFlow's output for it.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { Interpreter } from "../../mod.ts";
import { parseNpy } from "../../src/io/npy.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

const folder = `${FIXTURES}/ops_dynamic`;
const names = readdirSync(folder).filter((name) => name.endsWith(".tflite")).map((name) =>
  name.slice(0, -".tflite".length)
).sort();

for (const name of names) {
  Deno.test(`dynamic-range op model ${name} matches TensorFlow bit for bit`, async () => {
    const interpreter = await Interpreter.load(`${folder}/${name}.tflite`);
    const op = interpreter.model.subgraphs[0].operators[0];
    const tensors = interpreter.model.subgraphs[0].tensors;
    assert.equal(tensors[op.inputs[1]].dtype, "int8", "the op is hybrid");
    const inputs = interpreter.inputDetails().map((_, position) =>
      parseNpy(readBytesSync(`${folder}/${name}.input${position}.npy`)).data
    );
    const [actual] = interpreter.run(inputs);
    const expected = parseNpy(readBytesSync(`${folder}/${name}.output0.npy`));
    assert.deepEqual(actual, expected.data);
  });
}

Deno.test("hybrid input quantization rounds ties up, as TensorFlow's kernels do", async () => {
  // Rows whose scale is 1 or 0.5 put several inputs exactly half-way between two int8 values.
  const interpreter = await Interpreter.load(`${folder}/hybrid_fully_connected.tflite`);
  const input = parseNpy(readBytesSync(`${folder}/hybrid_fully_connected.ties.input0.npy`));
  const expected = parseNpy(readBytesSync(`${folder}/hybrid_fully_connected.ties.output0.npy`));
  const [actual] = interpreter.run([input.data]);
  assert.deepEqual(actual, expected.data);
});
