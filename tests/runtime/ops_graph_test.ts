/**
 * Single-op models of ops TensorFlow's converter does not emit (tests/fixtures/ops_graph, made by
 * tools/make_graph_fixtures.py with TensorFlow's schema and interpreter: SVDF, the integer LSTM,
 * TFLite_Detection_PostProcess, EMBEDDING_LOOKUP, STRIDED_SLICE with ellipsis and new-axis
 * masks, WHERE of a constant): each runs once per entry of its inputs' first axis, variable state carried along, and
 * every invocation's outputs have TensorFlow's shapes and values, bit for bit.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { Interpreter } from "../../src/runtime/interpreter.ts";
import { parseNpy } from "../../src/io/npy.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

const folder = `${FIXTURES}/ops_graph`;
const names = readdirSync(folder).filter((name) => name.endsWith(".tflite")).map((name) =>
  name.slice(0, -".tflite".length)
).sort();

for (const name of names) {
  Deno.test(`graph op model ${name} matches TensorFlow at every invocation`, async () => {
    const interpreter = await Interpreter.load(`${folder}/${name}.tflite`, { kernels: "simd" });
    const inputs = interpreter.inputDetails().map((_, position) =>
      parseNpy(readBytesSync(`${folder}/${name}.input${position}.npy`))
    );
    const expected = interpreter.outputDetails().map((_, position) =>
      parseNpy(readBytesSync(`${folder}/${name}.output${position}.npy`))
    );
    const steps = inputs[0].shape[0];
    const slice = (
      data: ArrayLike<number | bigint> & { slice(a: number, b: number): unknown },
      step: number,
    ) => {
      const size = data.length / steps;
      return data.slice(step * size, (step + 1) * size);
    };
    interpreter.outputDetails().forEach((detail, position) => {
      assert.deepEqual(detail.shape, expected[position].shape.slice(1), `output ${position} shape`);
    });
    for (let step = 0; step < steps; step++) {
      const outputs = interpreter.run(inputs.map((input) => slice(input.data, step) as never));
      outputs.forEach((actual, position) => {
        const want = slice(expected[position].data, step) as typeof actual;
        const what = `${name} invocation ${step} output ${position}`;
        assert.deepEqual(Array.from(actual, Number), Array.from(want, Number), what);
      });
    }
  });
}
