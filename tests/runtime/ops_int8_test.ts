/**
 * TensorFlow's full-integer conversions of the single-op models (tests/fixtures/ops_int8, made
 * by `tools/make_op_fixtures.py --int8`, int8 inputs and outputs) run bit-exactly in liteq, or are
 * refused at load naming what is not supported yet (listed below).
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { Interpreter, UnsupportedModelError } from "../../mod.ts";
import { parseNpy } from "../../src/io/npy.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

const folder = `${FIXTURES}/ops_int8`;
const names = readdirSync(folder).filter((name) => name.endsWith(".tflite")).map((name) =>
  name.slice(0, -".tflite".length)
).sort();

/** Int8 ops liteq refuses at load today, by fixture, with the error it gives. */
const NOT_YET: Record<string, RegExp> = {
  batch_matmul: /BATCH_MATMUL .*input 0 "a" is int8/,
  batch_matmul_adjoint: /BATCH_MATMUL .*is int8/,
  batch_matmul_broadcast: /BATCH_MATMUL .*is int8/,
  div: /DIV .*is int8/,
  exp: /EXP .*is int8/,
  hard_swish: /HARD_SWISH .*is int8/,
  log: /LOG .*is int8/,
  neg_abs_square: /ABS .*is int8/,
  rsqrt: /RSQRT .*is int8/,
  sqrt: /SQRT .*is int8/,
  squared_difference: /SQUARED_DIFFERENCE .*is int8/,
  sum_last: /SUM .*is int8/,
};

/**
 * Fixtures liteq runs but not yet bit-exactly, with the largest difference allowed: int8 MEAN's
 * keep-dims path, whose TensorFlow formula is not reproduced exactly (see `integerMean`).
 */
const NEARLY: Record<string, number> = { mean_keepdims: 1 };

for (const name of names) {
  Deno.test(`int8 op model ${name} is bit-exact with TensorFlow`, async () => {
    let interpreter: Interpreter;
    try {
      interpreter = await Interpreter.load(`${folder}/${name}.tflite`);
    } catch (error) {
      assert.ok(error instanceof UnsupportedModelError, String(error));
      assert.ok(NOT_YET[name]?.test(error.message), `${name}: ${error.message}`);
      return;
    }
    assert.ok(!NOT_YET[name], `${name} now loads: take it off NOT_YET`);
    const inputs = interpreter.inputDetails().map((_, position) =>
      parseNpy(readBytesSync(`${folder}/${name}.input${position}.npy`)).data
    );
    const outputs = interpreter.run(inputs);
    outputs.forEach((actual, position) => {
      const expected = parseNpy(readBytesSync(`${folder}/${name}.output${position}.npy`));
      const allowed = NEARLY[name] ?? 0;
      (expected.data as Int8Array).forEach((value, index) => {
        const difference = Math.abs((actual as Int8Array)[index] - value);
        assert.ok(
          difference <= allowed,
          `output ${position}, element ${index}: off by ${difference}`,
        );
      });
    });
  });
}
