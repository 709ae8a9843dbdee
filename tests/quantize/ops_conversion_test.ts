/**
 * liteq's int8 and 16x8 conversions of every single-op float model (tests/fixtures/ops) against
 * TensorFlow's conversions of the same models (tests/fixtures/ops_int8, ops_int16x8): the same
 * ops, versions and dtypes, and outputs near the float reference when liteq runs them.
 * (`tools/tf_converted_ops_check.py` runs the same conversions in TensorFlow's interpreter.)
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import {
  Interpreter,
  type Model,
  parseNpy,
  quantize,
  quantizeValues,
  readModel,
  writeModel,
} from "../../mod.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";
import { signatureOf } from "./graph_signature.ts";
import { calibrationSamples } from "./op_calibration.ts";

/** Ops TensorFlow will not convert to 16x8, by fixture name: liteq keeps them float. */
const FLOAT_IN_16X8: Record<string, string> = {
  arg_max: "ARG_MAX",
  arg_min_int64: "ARG_MIN",
  depth_to_space: "DEPTH_TO_SPACE",
  div: "DIV",
  floor_ceil_round: "FLOOR",
  hard_swish: "HARD_SWISH",
  neg_abs_square: "NEG",
  prelu: "PRELU",
  sin_cos: "SIN",
  space_to_depth: "SPACE_TO_DEPTH",
  sqrt: "SQRT",
  squared_difference: "SQUARED_DIFFERENCE",
  tile: "TILE",
};

/**
 * Conversions whose outputs are not compared with the float reference, and why (TensorFlow's
 * interpreter gives liteq's outputs on them: `tools/tf_converted_ops_check.py`).
 */
const NOT_NEAR_FLOAT: Record<string, string> = {
  "int8 unidirectional_sequence_lstm":
    "TensorFlow's robustness LSTM (2 cells, layer norm, projection) is up to 86 output steps from " +
    "float at TensorFlow's int8 parameters (TensorFlow's own conversion has the same): layer norm " +
    "over 2 cells gives each gate +-coefficient + bias, 0 or 2 x coefficient here, so the cell and " +
    "hidden states are never negative, the hidden state before projection (intermediate 4) gets " +
    "zero point -128, and TensorFlow Lite's kernel subtracts that zero point where the affine " +
    "form adds it: every hidden value clamps to -1 step and each output is the projection's bias. " +
    "`auto` calibration zero-centres it, `minSqnr` keeps the LSTM float " +
    "(lstm_hidden_zero_point_test.ts)",
};

/** 16x8 model inputs and outputs are float in liteq (int16 in TensorFlow's fixtures), so the
 * QUANTIZE and DEQUANTIZE ops at the edges, and TensorFlow's requantizations of its int16 inputs,
 * are left out of the comparison. */
function withoutQuantizeOps(signature: string[]): string[] {
  return signature.filter((entry) => !/^(QUANTIZE|DEQUANTIZE)v/.test(entry));
}

const names = readdirSync(`${FIXTURES}/ops`).filter((name) => name.endsWith(".tflite"))
  .map((name) => name.slice(0, -".tflite".length)).sort();

for (const [mode, folder] of [["int8", "ops_int8"], ["int16x8", "ops_int16x8"]] as const) {
  for (const name of names) {
    const theirsPath = `${FIXTURES}/${folder}/${name}.tflite`;
    const float: Model = readModel(readBytesSync(`${FIXTURES}/ops/${name}.tflite`));
    const inputs = float.subgraphs[0].inputs.map((_, position) =>
      parseNpy(readBytesSync(`${FIXTURES}/ops/${name}.input${position}.npy`)).data
    );
    if (inputs.some((input) => !(input instanceof Float32Array))) continue;
    Deno.test(`${mode} conversion of ${name} matches TensorFlow's and runs`, async () => {
      // int8 as TensorFlow's fixtures: int8 inputs and outputs.
      const model = await quantize(float, {
        mode,
        representativeDataset: calibrationSamples(inputs as Float32Array[], name),
        ...(mode === "int8" ? { inputType: "int8", outputType: "int8" } : {}),
      });
      if (!existsSync(theirsPath)) {
        // TensorFlow has no conversion of this model here (none of the models it cannot
        // convert, no 16x8 one where it refuses an op: liteq keeps that op float).
        const floatOp = mode === "int16x8" ? FLOAT_IN_16X8[name] : undefined;
        if (floatOp) {
          const entry = signatureOf(model).find((entry) => entry.startsWith(`${floatOp}(`))!;
          assert.match(entry, /^\w+\(float32[^)]*\) -> /);
        }
      } else {
        const theirs = readModel(readBytesSync(theirsPath));
        const [ours, expected] = [signatureOf(model, true), signatureOf(theirs, true)];
        assert.deepEqual(
          mode === "int8" ? ours : withoutQuantizeOps(ours),
          mode === "int8" ? expected : withoutQuantizeOps(expected),
        );
      }
      const interpreter = await Interpreter.load(writeModel(model));
      const inputDetails = interpreter.inputDetails();
      const outputs = interpreter.run(
        inputs.map((input, position) =>
          inputDetails[position].dtype === "int8"
            ? quantizeValues(input as Float32Array, inputDetails[position])
            : input
        ),
      );
      if (NOT_NEAR_FLOAT[`${mode} ${name}`]) return;
      outputs.forEach((output, position) => {
        const { dtype, quantization } = interpreter.outputDetails()[position];
        const actual = Array.from(
          output as ArrayLike<number | bigint>,
          (value) =>
            quantization
              ? (Number(value) - quantization.zeroPoint[0]) * quantization.scale[0]
              : Number(value),
        );
        const expected = Array.from(
          parseNpy(readBytesSync(`${FIXTURES}/ops/${name}.output${position}.npy`)).data,
          Number,
        );
        if (dtype === "int32" || dtype === "int64") {
          // Indices (ARG_MAX): quantization may reorder near-ties, so most, not all, agree.
          const agreeing = expected.filter((value, index) => value === actual[index]).length;
          assert.ok(agreeing >= 0.8 * expected.length, `${agreeing} of ${expected.length} agree`);
          return;
        }
        const span = Math.max(...expected) - Math.min(...expected);
        expected.forEach((value, index) => {
          const error = Math.abs(actual[index] - value);
          assert.ok(error <= 0.05 * span, `output ${position}[${index}]: off by ${error}`);
        });
      });
    });
  }
}
