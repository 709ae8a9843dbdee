/**
 * TensorFlow's integer conversions of the single-op models run bit-exactly in liteq, or are
 * refused at load naming what is not supported yet (listed below): full int8
 * (tests/fixtures/ops_int8, `tools/make_op_fixtures.py --int8`, int8 inputs and outputs) and
 * int16 activations with int8 weights (tests/fixtures/ops_int16x8, `--int16x8`, int16 I/O), and
 * legacy uint8 rewrites of the int8 ones (tests/fixtures/ops_uint8,
 * `tools/make_uint8_fixtures.py`: per-tensor asymmetric uint8 weights and activations).
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { Interpreter, UnsupportedModelError } from "../../mod.ts";
import { parseNpy } from "../../src/io/npy.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

/** Ops liteq refuses at load today, by folder and fixture, with the error it gives. */
const NOT_YET: Record<string, Record<string, RegExp>> = {
  ops_int8: {
    div: /DIV .*is int8/,
    exp: /EXP .*is int8/,
    log: /LOG .*is int8/,
    neg_abs_square: /ABS .*is int8/,
    rsqrt: /RSQRT .*is int8/,
    sqrt: /SQRT .*is int8/,
    squared_difference: /SQUARED_DIFFERENCE .*is int8/,
  },
  ops_uint8: { div: /DIV .*is uint8/ },
  ops_int16x8: {
    exp: /EXP .*is int16/,
    log: /LOG .*is int16/,
    rsqrt: /RSQRT .*is int16/,
  },
};

for (const [folderName, notYet] of Object.entries(NOT_YET)) {
  const folder = `${FIXTURES}/${folderName}`;
  const names = readdirSync(folder).filter((name) => name.endsWith(".tflite")).map((name) =>
    name.slice(0, -".tflite".length)
  ).sort();
  for (const name of names) {
    Deno.test(`${folderName} model ${name} is bit-exact with TensorFlow`, async () => {
      let interpreter: Interpreter;
      try {
        interpreter = await Interpreter.load(`${folder}/${name}.tflite`);
      } catch (error) {
        assert.ok(error instanceof UnsupportedModelError, String(error));
        assert.ok(notYet[name]?.test(error.message), `${name}: ${error.message}`);
        return;
      }
      assert.ok(!notYet[name], `${name} now loads: take it off NOT_YET`);
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
