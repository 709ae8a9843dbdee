/**
 * Every single-op model in tests/fixtures/ops (made by tools/make_op_fixtures.py with TensorFlow)
 * runs in liteq within 1e-4 * max(1, |reference|) of TensorFlow's reference kernels.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { Interpreter } from "../../src/runtime/interpreter.ts";
import { parseNpy } from "../../src/io/npy.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";
import { assertClose } from "./compare.ts";

const folder = `${FIXTURES}/ops`;
const names = readdirSync(folder).filter((name) => name.endsWith(".tflite")).map((name) =>
  name.slice(0, -".tflite".length)
).sort();

for (const name of names) {
  Deno.test(`op model ${name} matches TensorFlow`, async () => {
    const interpreter = await Interpreter.load(`${folder}/${name}.tflite`);
    const inputs = interpreter.inputDetails().map((_, position) =>
      parseNpy(readBytesSync(`${folder}/${name}.input${position}.npy`))
    );
    interpreter.inputDetails().forEach((detail, position) => {
      assert.deepEqual(detail.shape, inputs[position].shape, `input ${position} shape`);
    });
    const outputs = interpreter.run(inputs.map((input) => input.data));
    outputs.forEach((actual, position) => {
      const expected = parseNpy(readBytesSync(`${folder}/${name}.output${position}.npy`));
      assert.deepEqual(interpreter.outputDetails()[position].shape, expected.shape, "output shape");
      assertClose(actual, expected.data, `${name} output ${position}`);
    });
  });
}
