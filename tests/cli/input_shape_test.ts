/**
 * `--input-shape` on run, eval and bench: one flag per input, in input order, resizing inputs whose
 * shapes are open (melspectrogram stores [1,1] with signature [-1,-1]); wrong uses get one line.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { parseNpy } from "../../mod.ts";
import { readBytesSync, SHARED, skipWithoutShared } from "../helpers.ts";
import { assertClose } from "../runtime/compare.ts";
import { assertOneLineError, liteq, SEED } from "./cli_harness.ts";

Deno.test("run --input-shape runs melspectrogram at [1,1760] with TensorFlow's answers", async () => {
  if (skipWithoutShared("melspectrogram")) return;
  const folder = `${SHARED}/realworld`;
  const output = `${mkdtempSync(`${tmpdir()}/liteq-shape-`)}/y.npy`;
  const inputs = `${folder}/melspectrogram.inputs.npy`;
  const model = `${folder}/melspectrogram.tflite`;
  const refused = await liteq("run", model, "--input", inputs, "--output", output);
  assert.equal(refused.code, 1);
  const { code, stdout } = await liteq(
    "run",
    model,
    "--input",
    inputs,
    "--output",
    output,
    "--input-shape",
    "1,1760",
  );
  assert.equal(code, 0, stdout);
  const actual = parseNpy(readBytesSync(output));
  const expected = parseNpy(readBytesSync(`${folder}/melspectrogram.ref_outputs.npy`));
  assert.deepEqual(actual.shape, [4, 1, 8, 32]); // each sample's [1, 1, 8, 32], batch dropped
  assertClose(actual.data, expected.data, "melspectrogram");
  const bench = await liteq(
    "bench",
    model,
    "--input-shape=1,1760",
    "--runs",
    "1",
    "--warmup",
    "0",
    "--json",
  );
  assert.equal(bench.code, 0, bench.stderr);
  assert.equal(JSON.parse(bench.stdout).runs, 1);
});

Deno.test("--input-shape given wrongly is one line naming the problem", async () => {
  assertOneLineError(
    await liteq("bench", SEED, "--input-shape", "2,28,28", "--input-shape", "1,28,28"),
    /--input-shape given 2 times; .*seed_mnist\.int8\.tflite takes 1 input$/,
  );
  assertOneLineError(
    await liteq("eval", SEED, "--data", "x.npy", "--labels", "y.npy", "--input-shape", "1,x"),
    /--input-shape takes sizes like 1,1760, not 1,x/,
  );
  assertOneLineError(
    await liteq("bench", SEED, "--input-shape", "1,28,29"),
    /seed_mnist\.int8\.tflite: /,
  );
  const { code, stdout } = await liteq("bench", SEED, "--input-shape", "3,28,28", "--runs", "1");
  assert.equal(code, 0);
  assert.match(stdout, /median/);
});
