/**
 * int8 BATCH_MATMUL and MEAN in the "xnnpack" arithmetic against TensorFlow 2.21's default
 * interpreter (its XNNPACK delegate) on tests/fixtures/ops_int8_xnnpack
 * (`tools/make_xnnpack_fixtures.py`): BATCH_MATMUL with right operands whose zero points are far
 * from 0 (which XNNPACK ignores), constant or not, adj_x / adj_y, broadcast batches, rank 4; MEAN
 * over a last axis and over axis 1. Bit-exact; the reference arithmetic differs on the same files.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { Interpreter } from "../../mod.ts";
import { parseNpy } from "../../src/io/npy.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

const folder = `${FIXTURES}/ops_int8_xnnpack`;
const names = readdirSync(folder).filter((name) => name.endsWith(".tflite")).map((name) =>
  name.slice(0, -".tflite".length)
).sort();

/** Output 0 of `name` in one arithmetic, and TensorFlow's default interpreter's. */
async function outputs(name: string, arithmetic: "reference" | "xnnpack") {
  const interpreter = await Interpreter.load(`${folder}/${name}.tflite`, { arithmetic });
  const inputs = interpreter.inputDetails().map((_, position) =>
    parseNpy(readBytesSync(`${folder}/${name}.input${position}.npy`)).data
  );
  const expected = Array.from(
    parseNpy(readBytesSync(`${folder}/${name}.output0.npy`)).data,
    Number,
  );
  return { actual: Array.from(interpreter.run(inputs)[0], Number), expected };
}

for (const name of names) {
  Deno.test(`ops_int8_xnnpack model ${name} is bit-exact with TensorFlow's default interpreter`, async () => {
    const { actual, expected } = await outputs(name, "xnnpack");
    assert.deepEqual(actual, expected);
  });
}

Deno.test("the reference arithmetic differs from XNNPACK's on the non-zero right zero points", async () => {
  const { actual, expected } = await outputs("bmm_rhs_zero_point", "reference");
  assert.notDeepEqual(actual, expected);
});
