/**
 * TensorFlow's integer conversions of the single-op models run bit-exactly in liteq: full int8
 * (tests/fixtures/ops_int8, `tools/make_op_fixtures.py --int8`, int8 inputs and outputs), int16
 * activations with int8 weights (tests/fixtures/ops_int16x8, `--int16x8`, int16 I/O), and legacy
 * uint8 rewrites of the int8 ones (tests/fixtures/ops_uint8, `tools/make_uint8_fixtures.py`:
 * per-tensor asymmetric uint8 weights and activations), and TensorFlow's int8 conversions of ops
 * liteq's quantizer keeps float so far and of the ops added with them (tests/fixtures/
 * ops_int8_kernels and ops_int16x8_kernels, `tools/make_more_op_fixtures.py --int8` and
 * `--int16x8`: GATHER_ND, L2_NORMALIZATION, TOPK_V2, block-sparse FULLY_CONNECTED; GATHER with
 * batch dimensions and STRIDED_SLICE in int16).
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { Interpreter } from "../../mod.ts";
import { parseNpy } from "../../src/io/npy.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

for (
  const folderName of [
    "ops_int8",
    "ops_int16x8",
    "ops_uint8",
    "ops_int8_kernels",
    "ops_int16x8_kernels",
  ]
) {
  const folder = `${FIXTURES}/${folderName}`;
  const names = readdirSync(folder).filter((name) => name.endsWith(".tflite")).map((name) =>
    name.slice(0, -".tflite".length)
  ).sort();
  for (const name of names) {
    Deno.test(`${folderName} model ${name} is bit-exact with TensorFlow`, async () => {
      const interpreter = await Interpreter.load(`${folder}/${name}.tflite`);
      const inputs = interpreter.inputDetails().map((_, position) =>
        parseNpy(readBytesSync(`${folder}/${name}.input${position}.npy`)).data
      );
      const outputs = interpreter.run(inputs);
      outputs.forEach((actual, position) => {
        const expected = parseNpy(readBytesSync(`${folder}/${name}.output${position}.npy`));
        expected.data.forEach((value, index) => {
          const difference = Math.abs(Number(actual[index]) - Number(value));
          assert.equal(difference, 0, `output ${position}, element ${index}: off by ${difference}`);
        });
      });
    });
  }
}
