/**
 * TensorFlow's dynamic-range conversions of single-op models (tests/fixtures/ops_dynamic, made by
 * `tools/make_op_fixtures.py --dynamic`): hybrid FULLY_CONNECTED, BATCH_MATMUL (with and
 * without a transposed right side), CONV_2D and DEPTHWISE_CONV_2D give TensorFlow's float
 * outputs bit for bit, except where its reference and optimized kernels round the final float
 * product differently (DEPTHWISE_CONV_2D and BATCH_MATMUL's second batch: one ulp, liteq
 * following the optimized kernels that MobileNet's references come from). hybrid_lstm is
 * TensorFlow's own test LSTM (tests/fixtures/robustness; layer norm, projection, cell clip)
 * with its constants replaced by random values, quantized by liteq (dynamic range,
 * minWeightElements 0), with TensorFlow's output for it.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { Interpreter } from "../../mod.ts";
import { parseNpy } from "../../src/io/npy.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";
import { assertClose } from "./compare.ts";

/** Fixtures within a few ulps of TensorFlow rather than bit-exact (see above). */
const ULPS_APART = new Set(["hybrid_batch_matmul", "hybrid_depthwise", "hybrid_lstm"]);

const folder = `${FIXTURES}/ops_dynamic`;
const names = readdirSync(folder).filter((name) => name.endsWith(".tflite")).map((name) =>
  name.slice(0, -".tflite".length)
).sort();

for (const name of names) {
  const claim = ULPS_APART.has(name) ? "within 1e-6" : "bit for bit";
  Deno.test(`dynamic-range op model ${name} matches TensorFlow ${claim}`, async () => {
    const interpreter = await Interpreter.load(`${folder}/${name}.tflite`);
    const op = interpreter.model.subgraphs[0].operators[0];
    const tensors = interpreter.model.subgraphs[0].tensors;
    assert.equal(tensors[op.inputs[1]].dtype, "int8", "the op is hybrid");
    const inputs = interpreter.inputDetails().map((_, position) =>
      parseNpy(readBytesSync(`${folder}/${name}.input${position}.npy`)).data
    );
    const [actual] = interpreter.run(inputs);
    const expected = parseNpy(readBytesSync(`${folder}/${name}.output0.npy`));
    if (ULPS_APART.has(name)) {
      assertClose(actual, expected.data, name, 1e-6);
    } else {
      assert.deepEqual(actual, expected.data);
    }
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
