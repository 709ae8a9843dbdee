/**
 * `liteq compare`: the documented JSON, the text summary, the HTML report, `--input-shape`, and
 * one-line errors.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { encodeNpy } from "../../mod.ts";
import { FIXTURES } from "../helpers.ts";
import { writeMnistSamples } from "../quantize/debug/mnist_samples.ts";
import { assertOneLineError, liteq } from "./cli_harness.ts";

const FLOAT = `${FIXTURES}/models/seed_mnist.float.tflite`;
const INT8 = `${FIXTURES}/models/seed_mnist.int8.tflite`;
const folder = mkdtempSync(`${tmpdir()}/liteq-compare-`);
const [data, labels] = await writeMnistSamples(folder, 200);

Deno.test("compare --json prints outputs, layers and top-1 with the documented fields", async () => {
  const result = await liteq("compare", FLOAT, INT8, "--data", data, "--labels", labels, "--json");
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(Object.keys(report), ["outputs", "layers", "top1"]);
  assert.deepEqual(Object.keys(report.outputs[0]), ["name", "sqnr", "rmse", "maxAbs"]);
  assert.ok(report.outputs[0].sqnr > 35 && report.outputs[0].sqnr < 42);
  for (const layer of report.layers) {
    assert.deepEqual(Object.keys(layer), [
      "operator",
      "op",
      "tensor",
      "sqnr",
      "rmse",
      "maxAbs",
      "scale",
      "zeroPoint",
      "min",
      "max",
    ]);
  }
  assert.deepEqual(
    report.layers.map((layer: { operator: number; op: string }) => [layer.operator, layer.op]),
    [[4, "RESHAPE"], [5, "CONV_2D"], [6, "MAX_POOL_2D"], [10, "RESHAPE"], [11, "FULLY_CONNECTED"]],
  );
  const fc = report.layers[4];
  assert.equal(fc.zeroPoint, 43);
  assert.ok(Math.abs(fc.scale - 0.1225405) < 1e-6);
  assert.ok(Math.abs(fc.min - fc.scale * (-128 - 43)) < 1e-9);
  assert.ok(Math.abs(fc.max - fc.scale * (127 - 43)) < 1e-9);
  assert.deepEqual(report.top1, { float: 0.915, quantized: 0.91 });
});

Deno.test("compare without labels: top1 is null; a model against itself is exact", async () => {
  const result = await liteq("compare", FLOAT, FLOAT, "--data", data, "--json");
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.equal(report.top1, null);
  for (const layer of report.layers) {
    assert.equal(layer.sqnr, 200);
    assert.deepEqual([layer.scale, layer.zeroPoint, layer.min, layer.max], [
      null,
      null,
      null,
      null,
    ]);
  }
});

Deno.test("compare prints a summary naming the worst layer and writes the HTML report", async () => {
  const html = `${folder}/report.html`;
  const result = await liteq(
    "compare",
    FLOAT,
    INT8,
    "--data",
    data,
    "--labels",
    labels,
    "--html",
    html,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /compared on 200 samples/);
  assert.match(result.stdout, /seed_mnist\.int8\.tflite: 25360 bytes, top-1 91\.00% \(-0\.50\)/);
  assert.match(result.stdout, /output 0 "StatefulPartitionedCall_1:0": SQNR 3\d\.\d dB/);
  assert.match(
    result.stdout,
    /^ +5 CONV_2D +4\d\.\d .* scale 0\.00801 zero point -128 range \[0, 2\.043\]$/m,
  );
  assert.match(
    result.stdout,
    /worst layer: operator 11 FULLY_CONNECTED "StatefulPartitionedCall_1:01"/,
  );
  assert.match(result.stdout, /report written to .*report\.html/);
  const page = readFileSync(html, "utf8");
  assert.equal(page.match(/<rect class="bar integer"/g)?.length, 5);
  assert.match(page, /seed_mnist\.int8\.tflite against seed_mnist\.float\.tflite/);
});

Deno.test("compare takes --input-shape once per input", async () => {
  const result = await liteq(
    "compare",
    FLOAT,
    INT8,
    "--data",
    data,
    "--input-shape",
    "1,28,28",
    "--json",
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).layers.length, 5);
  assertOneLineError(
    await liteq("compare", FLOAT, INT8, "--data", data, "--input-shape", "1,x,28"),
    /--input-shape takes sizes like 1,1760, not 1,x,28/,
  );
  assertOneLineError(
    await liteq(
      "compare",
      FLOAT,
      INT8,
      "--data",
      data,
      "--input-shape=1,28,28",
      "--input-shape",
      "1,2",
    ),
    /--input-shape given 2 times; .*seed_mnist\.float\.tflite takes 1 input$/,
  );
});

Deno.test("compare errors are one line naming the file", async () => {
  assertOneLineError(await liteq("compare", FLOAT, INT8), /compare needs --data X\.npy/);
  assertOneLineError(
    await liteq("compare", FLOAT, "--data", data),
    /expected 2 file arguments, got 1/,
  );
  const wrong = `${folder}/wrong.npy`;
  writeFileSync(
    wrong,
    encodeNpy({ dtype: "float32", shape: [2, 27, 28], data: new Float32Array(2 * 27 * 28) }),
  );
  assertOneLineError(
    await liteq("compare", FLOAT, INT8, "--data", wrong),
    /wrong\.npy: input 0 has samples of shape \[27,28\]/,
  );
  assertOneLineError(
    await liteq("compare", FLOAT, INT8, "--data", data, "--labels", wrong),
    /x\.npy: 1512 labels for 200 samples/,
  );
  assertOneLineError(
    await liteq("compare", FLOAT, `${folder}/missing.tflite`, "--data", data),
    /missing\.tflite: cannot read: no such file/,
  );
});

Deno.test("compare --help prints its usage, and the CLI's usage lists it", async () => {
  const result = await liteq("compare", "--help");
  assert.equal(result.code, 0);
  assert.match(result.stdout, /liteq compare FLOAT QUANTIZED --data X\.npy \[--labels Y\.npy\]/);
  assert.match((await liteq("--help")).stdout, /\[--json\] \[--html report\.html\]/);
});
