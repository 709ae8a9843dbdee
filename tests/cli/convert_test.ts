/**
 * The `liteq convert` command: copying, quantizing in every mode, the automatic fallback and the
 * HTML report, and refusing bad requests.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { encodeNpy, parseNpy, readModel } from "../../mod.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";
import { writeMnistSamples } from "../quantize/debug/mnist_samples.ts";
import { assertOneLineError, liteq, SEED } from "./cli_harness.ts";

Deno.test("convert --mode float writes the model back unchanged", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const output = `${folder}/copy.tflite`;
  const result = await liteq("convert", SEED, output, "--mode", "float");
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(readModel(readBytesSync(output)), readModel(readBytesSync(SEED)));
  assert.deepEqual(readdirSync(folder), ["copy.tflite"], "no temporary file left");
});

Deno.test("a failed convert writes nothing", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const output = `${folder}/out.tflite`;
  const junk = `${folder}/junk.tflite`;
  writeFileSync(junk, new Uint8Array(64));
  assertOneLineError(await liteq("convert", junk, output, "--mode", "float"), /junk\.tflite: /);
  assertOneLineError(
    await liteq("convert", SEED, `${folder}/no/such/folder/out.tflite`, "--mode", "float"),
    /out\.tflite: cannot write: no such file/,
  );
  assertOneLineError(await liteq("convert", SEED, output), /convert needs --mode/);
  assert.equal(existsSync(output), false);
  assert.deepEqual(readdirSync(folder), ["junk.tflite"]);
});

Deno.test("convert quantizes in every mode; --json reports sizes and what was quantized", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const float = `${FIXTURES}/models/seed_mnist.float.tflite`;
  const calibration = `${FIXTURES}/data/mnist_calib_x.npy`;
  for (
    const [mode, extra] of [
      ["f16", []],
      ["dynamic", []],
      ["int8", ["--calibration", calibration, "--io", "uint8", "--int8-only"]],
      ["int16x8", ["--calibration", calibration]],
    ] as const
  ) {
    const output = `${folder}/${mode}.tflite`;
    const result = await liteq("convert", float, output, "--mode", mode, ...extra, "--json");
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(report), [
      "input",
      "output",
      "mode",
      "bytesBefore",
      "bytesAfter",
      "ratio",
      "samples",
      "quantized",
      "float",
    ]);
    assert.equal(report.bytesAfter, readBytesSync(output).byteLength);
    assert.ok(report.bytesAfter < report.bytesBefore * 0.6, `${mode}: ${report.bytesAfter}`);
    assert.equal(report.samples, mode.startsWith("int") ? 100 : 0);
  }
  const text = await liteq("convert", float, `${folder}/d.tflite`, "--mode", "dynamic");
  assert.match(text.stdout, /85376 -> 24504 bytes \(28\.7%\)/);
  assert.match(
    text.stdout,
    /float +operator 4 CONV_2D: weights .* have 108 values, fewer than 1024/,
  );
});

Deno.test("convert refuses bad quantization requests with one line and writes nothing", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const output = `${folder}/out.tflite`;
  const float = `${FIXTURES}/models/seed_mnist.float.tflite`;
  const wrong = `${folder}/wrong.npy`;
  writeFileSync(wrong, encodeNpy({ dtype: "float32", shape: [3, 10], data: new Float32Array(30) }));
  assertOneLineError(
    await liteq("convert", float, output, "--mode", "int8"),
    /--mode int8 needs --calibration X\.npy/,
  );
  assertOneLineError(
    await liteq("convert", float, output, "--mode", "int8", "--calibration", wrong),
    /wrong\.npy: calibration sample 0, input 0: 10 values; the model input takes 784/,
  );
  assertOneLineError(
    await liteq("convert", `${FIXTURES}/models/seed_mnist.int8.tflite`, output, "--mode", "f16"),
    /already quantized/,
  );
  assertOneLineError(
    await liteq("convert", float, output, "--mode", "dynamic", "--io", "int8"),
    /--io int8 needs --mode int8/,
  );
  assertOneLineError(
    await liteq("convert", float, output, "--mode", "int4"),
    /--mode must be one of/,
  );
  const integers = `${folder}/integers.npy`;
  writeFileSync(
    integers,
    encodeNpy({ dtype: "int32", shape: [2, 784], data: new Int32Array(1568) }),
  );
  assertOneLineError(
    await liteq("convert", float, output, "--mode", "int8", "--calibration", integers),
    /integers\.npy: is int32; calibration data must be float32 or float64/,
  );
  assert.deepEqual(readdirSync(folder).sort(), ["integers.npy", "wrong.npy"]);
});

Deno.test("convert takes float64 calibration data (numpy's default) as float32", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const images = parseNpy(readBytesSync(`${FIXTURES}/data/mnist_calib_x.npy`));
  const wide = `${folder}/wide.npy`;
  const narrow = `${folder}/narrow.npy`;
  const data = (images.data as Float32Array).subarray(0, 8 * 784);
  writeFileSync(
    wide,
    encodeNpy({ dtype: "float64", shape: [8, 28, 28], data: Float64Array.from(data) }),
  );
  writeFileSync(narrow, encodeNpy({ dtype: "float32", shape: [8, 28, 28], data }));
  const float = `${FIXTURES}/models/seed_mnist.float.tflite`;
  for (const name of ["wide", "narrow"]) {
    const result = await liteq(
      "convert",
      float,
      `${folder}/${name}.tflite`,
      "--mode",
      "int8",
      "--calibration",
      `${folder}/${name}.npy`,
    );
    assert.equal(result.code, 0, result.stderr);
  }
  assert.deepEqual(
    readBytesSync(`${folder}/wide.tflite`),
    readBytesSync(`${folder}/narrow.tflite`),
  );
});

Deno.test("convert --input-shape calibrates a dynamic input at the shape given", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const output = `${folder}/out.tflite`;
  const float = `${FIXTURES}/models/seed_mnist.float.tflite`;
  const calibration = `${FIXTURES}/data/mnist_calib_x.npy`;
  const convert = (...extra: string[]) =>
    liteq("convert", float, output, "--mode", "int8", "--calibration", calibration, ...extra);
  // seed_mnist's input is [1,28,28] with a dynamic batch: the shape given must fit it.
  const result = await convert("--input-shape", "1,28,28", "--json");
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).samples, 100);
  assertOneLineError(
    await convert("--input-shape", "1,28x28"),
    /--input-shape takes sizes like 1,1760, not 1,28x28/,
  );
  assertOneLineError(
    await convert("--input-shape", "1,28,28", "--input-shape", "1,28,28"),
    /inputShapes gives 2 shapes; the model has 1 inputs/,
  );
  assertOneLineError(
    await convert("--input-shape", "1,28,29"),
    /inputShapes\[0\] \[1,28,29\] does not fit input ".*" of shape \[-1,28,28\]/,
  );
  assertOneLineError(
    await liteq("convert", float, output, "--mode", "f16", "--input-shape", "1,28,28"),
    /--mode f16 takes no --input-shape/,
  );
  assert.deepEqual(readdirSync(folder), ["out.tflite"]);
});

Deno.test("convert --calibration-method and --percentile choose how ranges are calibrated", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const float = `${FIXTURES}/models/seed_mnist.float.tflite`;
  const calibration = `${FIXTURES}/data/mnist_calib_x.npy`;
  const convert = (name: string, ...extra: string[]) =>
    liteq("convert", float, `${folder}/${name}.tflite`, "--mode", "int8", ...extra);
  const result = await convert(
    "p",
    "--calibration",
    calibration,
    "--calibration-method",
    "percentile",
    "--percentile",
    "99.9",
    "--json",
  );
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout).notes, ["calibration percentile"]);
  assertOneLineError(
    await convert("x", "--calibration", calibration, "--calibration-method", "kl"),
    /--calibration-method must be one of minmax, percentile, mse, entropy, auto, not kl/,
  );
  assertOneLineError(
    await convert("x", "--calibration", calibration, "--percentile", "99"),
    /--percentile needs --calibration-method percentile or auto/,
  );
  assertOneLineError(
    await convert(
      "x",
      "--calibration",
      calibration,
      "--calibration-method",
      "auto",
      "--percentile",
      "12",
    ),
    /--percentile must be above 50 and at most 100, not 12/,
  );
  assertOneLineError(
    await liteq(
      "convert",
      float,
      `${folder}/x.tflite`,
      "--mode",
      "dynamic",
      "--calibration-method",
      "mse",
    ),
    /--calibration-method needs --mode int8 or int16x8/,
  );
  assert.deepEqual(readdirSync(folder), ["p.tflite"]);
});

Deno.test("convert --min-sqnr keeps layers float; --json and --html report them", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const [data] = await writeMnistSamples(folder, 200);
  const float = `${FIXTURES}/models/seed_mnist.float.tflite`;
  const calibration = `${FIXTURES}/data/mnist_calib_x.npy`;
  const html = `${folder}/report.html`;
  const result = await liteq(
    "convert",
    float,
    `${folder}/out.tflite`,
    "--mode",
    "int8",
    "--calibration",
    calibration,
    "--calibration-method",
    "auto",
    "--min-sqnr",
    "45",
    "--eval-data",
    data,
    "--html",
    html,
    "--json",
  );
  assert.equal(result.code, 0, result.stderr);
  const { fallback, float: floatOps } = JSON.parse(result.stdout);
  assert.equal(fallback.goal, "minSqnr");
  assert.equal(fallback.samples, 200);
  assert.ok(fallback.after >= 45 && fallback.before < 45);
  assert.deepEqual(fallback.layers.map((layer: { op: string }) => layer.op), [
    "FULLY_CONNECTED",
  ]);
  assert.match(floatOps[0].detail, /kept float by the automatic fallback \(minSqnr 45\)/);
  const page = new TextDecoder().decode(readBytesSync(html));
  assert.match(page, /<h2>Kept float by the automatic fallback<\/h2>/);
  assert.equal(page.match(/class="bar fallback"/g)?.length, 1);
  for (const method of ["minmax", "percentile", "mse", "entropy", "used", "quantized"]) {
    assert.match(page, new RegExp(`<line class="clip ${method}"`), method);
  }
  assert.doesNotMatch(page, /https?:\/\/(?!www\.w3\.org)/, "nothing fetched");
});

Deno.test("convert --accuracy-budget prints what the fallback measured", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const [data, labels] = await writeMnistSamples(folder, 200);
  const result = await liteq(
    "convert",
    `${FIXTURES}/models/seed_mnist.float.tflite`,
    `${folder}/out.tflite`,
    "--mode",
    "int8",
    "--calibration",
    `${FIXTURES}/data/mnist_calib_x.npy`,
    "--accuracy-budget",
    "1",
    "--eval-data",
    data,
    "--eval-labels",
    labels,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /\nfallback \(accuracyBudget 1, 200 samples\): top-1 (\d+\.\d\d)% -> top-1 \1% \(float 91\.50%\), 0 layers kept float\n/,
  );
});

Deno.test("convert refuses fallback and report flags that do not fit", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const [data, labels] = await writeMnistSamples(folder, 20);
  const float = `${FIXTURES}/models/seed_mnist.float.tflite`;
  const output = `${folder}/out.tflite`;
  const int8 = ["--mode", "int8", "--calibration", `${FIXTURES}/data/mnist_calib_x.npy`];
  const cases: [string[], RegExp][] = [
    [
      [...int8, "--accuracy-budget", "1"],
      /--accuracy-budget needs --eval-data X\.npy and --eval-labels Y\.npy/,
    ],
    [
      [...int8, "--accuracy-budget", "1", "--eval-data", data],
      /--accuracy-budget needs --eval-data/,
    ],
    [
      [...int8, "--accuracy-budget", "x"],
      /--accuracy-budget takes top-1 points >= 0 \(0\.5\), not x/,
    ],
    [
      [...int8, "--min-sqnr", "30", "--accuracy-budget", "1"],
      /give --accuracy-budget or --min-sqnr, not both/,
    ],
    [[...int8, "--min-sqnr", "loud"], /--min-sqnr takes a number of dB \(30\), not loud/],
    [["--mode", "f16", "--min-sqnr", "30"], /--min-sqnr needs --mode int8 or int16x8/],
    [[...int8, "--eval-labels", labels], /--eval-labels needs --eval-data/],
    [[...int8, "--eval-data", data], /--eval-data is for --accuracy-budget, --min-sqnr or --html/],
    [["--mode", "f16", "--html", `${folder}/r.html`], /--html needs samples to compare on/],
    [[...int8, "--min-sqnr", "250"], /minSqnr 250 cannot be met: with every op float/],
  ];
  for (const [flags, message] of cases) {
    assertOneLineError(await liteq("convert", float, output, ...flags), message);
  }
  assert.equal(existsSync(output), false);
});

Deno.test("convert --fallback-arithmetic names where the fallback measures, and is checked", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const float = `${FIXTURES}/models/seed_mnist.float.tflite`;
  const output = `${folder}/out.tflite`;
  const int8 = ["--mode", "int8", "--calibration", `${FIXTURES}/data/mnist_calib_x.npy`];
  const cases: [string[], RegExp][] = [
    [
      [...int8, "--min-sqnr", "20", "--fallback-arithmetic", "gpu"],
      /--fallback-arithmetic must be one of both, reference, xnnpack, not gpu/,
    ],
    [
      [...int8, "--fallback-arithmetic", "xnnpack"],
      /--fallback-arithmetic is for --accuracy-budget or --min-sqnr/,
    ],
  ];
  for (const [flags, message] of cases) {
    assertOneLineError(await liteq("convert", float, output, ...flags), message);
  }
  const both = await liteq("convert", float, output, ...int8, "--min-sqnr", "20");
  assert.equal(both.code, 0, both.stderr);
  assert.match(
    both.stdout,
    /\n {2}measured in each arithmetic: reference [\d.]+ dB -> [\d.]+ dB; xnnpack [\d.]+ dB -> [\d.]+ dB\n/,
  );
  const one = await liteq(
    "convert",
    float,
    output,
    ...int8,
    "--min-sqnr",
    "20",
    "--fallback-arithmetic",
    "xnnpack",
  );
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /\n {2}measured in each arithmetic: xnnpack [\d.]+ dB -> [\d.]+ dB\n/);
});
