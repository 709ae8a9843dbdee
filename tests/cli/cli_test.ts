/**
 * The liteq CLI's other commands (inspect, run, eval, bench), its one-line errors and help, and
 * the demo; `liteq convert` is in convert_test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { encodeNpy, parseNpy } from "../../mod.ts";
import { parseIdx } from "../../src/io/idx.ts";
import { FIXTURES, readBytesSync, ROOT } from "../helpers.ts";
import { assertOneLineError, liteq, SEED } from "./cli_harness.ts";

Deno.test("inspect --json prints the documented object", async () => {
  const { code, stdout } = await liteq("inspect", SEED, "--json");
  assert.equal(code, 0);
  const summary = JSON.parse(stdout);
  assert.deepEqual(Object.keys(summary), ["version", "subgraphs", "signatures", "metadata"]);
  assert.equal(summary.version, 3);
  const [main] = summary.subgraphs;
  assert.deepEqual(Object.keys(main), ["name", "inputs", "outputs", "tensors", "operators"]);
  assert.deepEqual(main.inputs, [0]);
  const input = main.tensors[0];
  assert.deepEqual(Object.keys(input), ["name", "dtype", "shape", "buffer", "quantization"]);
  assert.equal(input.dtype, "float32");
  assert.equal(input.quantization, null);
  const conv = main.operators.find((operator: { op: string }) => operator.op === "CONV_2D");
  assert.deepEqual(Object.keys(conv), ["op", "version", "inputs", "outputs", "options"]);
  assert.equal(conv.options.fusedActivationFunction, "RELU");
  const weights = main.tensors[conv.inputs[1]];
  assert.equal(weights.dtype, "int8");
  assert.deepEqual(Object.keys(weights.quantization), ["scale", "zeroPoint", "quantizedDimension"]);
  assert.equal(weights.quantization.scale.length, 12);
  assert.equal(summary.signatures[0].key, "serving_default");
  assert.deepEqual(summary.metadata, ["min_runtime_version", "CONVERSION_METADATA"]);
});

Deno.test("inspect prints a readable summary", async () => {
  const { code, stdout } = await liteq("inspect", SEED);
  assert.equal(code, 0);
  assert.match(stdout, /25,360 bytes, TFLite schema v3, 1 subgraph/);
  assert.match(
    stdout,
    /0 "serving_default_keras_tensor:0" float32 \[1,28,28\] \(signature \[-1,28,28\]\)/,
  );
  assert.match(stdout, /1 x CONV_2D v3/);
  assert.match(stdout, /int8 +20,388 bytes in 2 tensors/);
  assert.match(stdout, /"serving_default" on subgraph 0/);
  assert.match(stdout, /metadata: min_runtime_version, CONVERSION_METADATA/);
});

Deno.test("bad input gets one line naming the file, and exit code 1", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const junk = `${folder}/junk.tflite`;
  writeFileSync(junk, "this is not a model at all");
  assertOneLineError(
    await liteq("inspect", `${folder}/missing.tflite`),
    /missing\.tflite: cannot read: no such file/,
  );
  assertOneLineError(
    await liteq("inspect", junk),
    /junk\.tflite: not a TFLite model: the file identifier is/,
  );
  const truncated = `${folder}/truncated.tflite`;
  writeFileSync(truncated, readBytesSync(SEED).slice(0, 5000));
  assertOneLineError(
    await liteq("inspect", truncated),
    /truncated\.tflite: .*outside the 5000-byte file/,
  );
  assertOneLineError(await liteq("inspect"), /expected 1 file argument, got 0/);
  assertOneLineError(await liteq("inspect", SEED, "--jsn"), /unknown option --jsn/);
  assertOneLineError(await liteq("frobnicate"), /unknown command "frobnicate"/);
});

Deno.test("run writes the outputs of every stacked sample, matching TensorFlow", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const output = `${folder}/y.npy`;
  const result = await liteq(
    "run",
    `${FIXTURES}/models/seed_mnist.f16.tflite`,
    "--input",
    `${FIXTURES}/reference/seed_mnist.inputs.npy`,
    "--output",
    output,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /ran 16 samples: .*y\.npy float32 \[16,10\]/);
  const actual = parseNpy(readBytesSync(output));
  const expected = parseNpy(readBytesSync(`${FIXTURES}/reference/seed_mnist.f16.ref_outputs.npy`));
  assert.deepEqual(actual.shape, expected.shape);
  actual.data.forEach((value, index) => {
    assert.ok(Math.abs(Number(value) - Number(expected.data[index])) < 1e-4);
  });
});

Deno.test("run takes several inputs and writes other outputs to Y.1.npy", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const inputs = [1, 2, 3, 4].map((value) => {
    const path = `${folder}/x${value}.npy`;
    const data = new Float32Array(2 * 192).fill(value);
    writeFileSync(path, encodeNpy({ dtype: "float32", shape: [2, 8, 8, 3], data }));
    return path;
  });
  const result = await liteq(
    "run",
    `${FIXTURES}/robustness/multi_add.tflite`,
    "--input",
    inputs.join(","),
    "--output",
    `${folder}/y.npy`,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(readdirSync(folder).filter((name) => name.startsWith("y")).sort(), [
    "y.1.npy",
    "y.npy",
  ]);
  assert.deepEqual(parseNpy(readBytesSync(`${folder}/y.1.npy`)).shape, [2, 8, 8, 3]);
});

Deno.test("run stacks an output computed at invoke while the samples give it one shape", async () => {
  // where_gather_nd_sum: WHERE of x > 0 on a [3, 4] input, its coordinates as output 0.
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const fixture = (name: string) =>
    parseNpy(readBytesSync(`${FIXTURES}/ops_dynamic_shape/where_gather_nd_sum.${name}.npy`));
  const stacked = (path: string, ...sets: number[]) => {
    const data = new Float32Array(12 * sets.length);
    sets.forEach((set, at) => data.set(fixture(`${set}.input0`).data as Float32Array, 12 * at));
    writeFileSync(path, encodeNpy({ dtype: "float32", shape: [sets.length, 3, 4], data }));
    return path;
  };
  const model = `${FIXTURES}/ops_dynamic_shape/where_gather_nd_sum.tflite`;
  const same = stacked(`${folder}/same.npy`, 0, 0);
  const result = await liteq("run", model, "--input", same, "--output", `${folder}/y.npy`);
  assert.equal(result.code, 0, result.stderr);
  const expected = fixture("0.output0");
  const coordinates = parseNpy(readBytesSync(`${folder}/y.npy`));
  assert.deepEqual(coordinates.shape, [2, ...expected.shape]);
  assert.deepEqual(coordinates.data, BigInt64Array.from([...expected.data, ...expected.data]));
  const differ = stacked(`${folder}/differ.npy`, 0, 1);
  assertOneLineError(
    await liteq("run", model, "--input", differ, "--output", `${folder}/z.npy`),
    /output "Identity" has shape \[0,2\] for sample 1, \[\d+,2\] for sample 0: a \.npy stacks samples of one shape/,
  );
  assert.ok(!readdirSync(folder).some((name) => name.startsWith("z")));
});

Deno.test("run refuses bad input with one line and writes nothing", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const output = `${folder}/y.npy`;
  const model = `${FIXTURES}/models/seed_mnist.float.tflite`;
  const wrongShape = `${folder}/wrong.npy`;
  writeFileSync(
    wrongShape,
    encodeNpy({ dtype: "float32", shape: [2, 27, 28], data: new Float32Array(2 * 27 * 28) }),
  );
  const wrongType = `${folder}/ints.npy`;
  writeFileSync(
    wrongType,
    encodeNpy({ dtype: "int32", shape: [1, 784], data: new Int32Array(784) }),
  );
  const empty = `${folder}/empty.npy`;
  writeFileSync(
    empty,
    encodeNpy({ dtype: "float32", shape: [0, 28, 28], data: new Float32Array(0) }),
  );
  assertOneLineError(
    await liteq("run", model, "--input", wrongShape, "--output", output),
    /wrong\.npy: input 0 has samples of shape \[27,28\] \(756 values\); input .* takes \[28,28\]/,
  );
  assertOneLineError(
    await liteq("run", model, "--input", wrongType, "--output", output),
    /ints\.npy: input 0 is int32; input .* takes float32/,
  );
  assertOneLineError(
    await liteq("run", model, "--input", empty, "--output", output),
    /empty\.npy: input 0 holds no samples/,
  );
  assertOneLineError(
    await liteq("run", model, "--input", `${folder}/missing.npy`, "--output", output),
    /missing\.npy: cannot read: no such file/,
  );
  assertOneLineError(
    await liteq(
      "run",
      `${FIXTURES}/robustness/custom_sinh.tflite`,
      "--input",
      wrongShape,
      "--output",
      output,
    ),
    /custom_sinh\.tflite: model: liteq has no kernel for Sinh/,
  );
  assertOneLineError(await liteq("run", model, "--output", output), /run needs --input/);
  assert.deepEqual(readdirSync(folder).sort(), ["empty.npy", "ints.npy", "wrong.npy"]);
});

/** The 2,000 evaluation images (8,000-9,999) and labels of the committed MNIST test set. */
async function evaluationFiles(folder: string): Promise<[string, string]> {
  const images = await parseIdx(
    readBytesSync(`${ROOT}data/mnist/t10k-images-idx3-ubyte.gz`) as Uint8Array<ArrayBuffer>,
  );
  const labels = await parseIdx(
    readBytesSync(`${ROOT}data/mnist/t10k-labels-idx1-ubyte.gz`) as Uint8Array<ArrayBuffer>,
  );
  const data = Float32Array.from(images.data.subarray(8000 * 784), (value) => value / 255);
  writeFileSync(`${folder}/x.npy`, encodeNpy({ dtype: "float32", shape: [2000, 28, 28], data }));
  writeFileSync(
    `${folder}/y.npy`,
    encodeNpy({ dtype: "uint8", shape: [2000], data: labels.data.slice(8000) }),
  );
  return [`${folder}/x.npy`, `${folder}/y.npy`];
}

Deno.test("eval measures TensorFlow's accuracy for its own int8 and float files", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const [data, labels] = await evaluationFiles(folder);
  for (
    const [model, accuracy] of [["seed_mnist.int8_uint8io", 0.928], [
      "mobile_mnist.float",
      0.9505,
    ]] as const
  ) {
    const result = await liteq(
      "eval",
      `${FIXTURES}/models/${model}.tflite`,
      "--data",
      data,
      "--labels",
      labels,
      "--json",
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(report), ["model", "samples", "classes", "top1", "top5"]);
    assert.equal(report.samples, 2000);
    assert.equal(report.top1, accuracy, `${model} (TensorFlow's figure in the manifest)`);
  }
  const short = `${folder}/short.npy`;
  writeFileSync(short, encodeNpy({ dtype: "uint8", shape: [10], data: new Uint8Array(10) }));
  assertOneLineError(
    await liteq(
      "eval",
      `${FIXTURES}/models/seed_mnist.float.tflite`,
      "--data",
      data,
      "--labels",
      short,
    ),
    /x\.npy: 10 labels for 2000 samples/,
  );
});

Deno.test("bench reports median, p90, min latency and wasm memory", async () => {
  const result = await liteq(
    "bench",
    `${FIXTURES}/models/seed_mnist.int8.tflite`,
    "--runs",
    "5",
    "--warmup",
    "1",
    "--json",
  );
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(Object.keys(report), [
    "model",
    "warmup",
    "runs",
    "medianMs",
    "p90Ms",
    "minMs",
    "wasmBytes",
  ]);
  assert.equal(report.runs, 5);
  assert.ok(report.minMs > 0 && report.minMs <= report.medianMs && report.medianMs <= report.p90Ms);
  assert.ok(report.wasmBytes > 25000);
  assertOneLineError(
    await liteq("bench", `${FIXTURES}/models/seed_mnist.int8.tflite`, "--runs", "x"),
    /--runs must be a whole number/,
  );
});

Deno.test("--help works for the whole CLI and for each command", async () => {
  for (const command of ["inspect", "convert", "run", "eval", "bench"]) {
    const result = await liteq(command, "--help");
    assert.equal(result.code, 0);
    assert.match(result.stdout, new RegExp(`liteq ${command} `));
  }
  const all = await liteq("--help");
  assert.equal(all.code, 0);
  assert.match(all.stdout, /liteq bench MODEL/);
});

Deno.test("the demo converts, evaluates and times every variant, printing the table", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-env", `${ROOT}demo/demo.ts`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.match(text, /^float32 +85376 +100\.0% +92\.80% +\+0\.00 +\d+\.\d+ ms$/m);
  assert.match(text, /^float16 +\d+ +5\d\.\d% +92\.80%/m);
  assert.match(text, /^int8 +\d+ +(2|3)\d\.\d% +9\d\.\d\d%/m);
  assert.match(text, /^int8, uint8 I\/O +\d+ +(2|3)\d\.\d% +9\d\.\d\d%/m);
});

Deno.test("no command writes over one of its inputs, and file-system problems get one line", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const model = `${folder}/model.tflite`;
  const original = readBytesSync(`${FIXTURES}/models/seed_mnist.float.tflite`);
  writeFileSync(model, original);
  const data = `${folder}/x.npy`;
  writeFileSync(
    data,
    encodeNpy({ dtype: "float32", shape: [2, 784], data: new Float32Array(1568) }),
  );
  assertOneLineError(
    await liteq("run", model, "--input", data, "--output", model),
    /model\.tflite: is also an input of this command .*model\.tflite\); writing it would replace it/,
  );
  assertOneLineError(
    await liteq(
      "run",
      model,
      "--input",
      data,
      "--output",
      `${folder}/../${folder.split("/").pop()}/x.npy`,
    ),
    /x\.npy: is also an input of this command/,
  );
  assertOneLineError(
    await liteq("convert", model, `${folder}//model.tflite`, "--mode", "float"),
    /is also an input of this command/,
  );
  assertOneLineError(
    await liteq("convert", model, data, "--mode", "int8", "--calibration", data),
    /x\.npy: is also an input of this command/,
  );
  assert.deepEqual(readBytesSync(model), original);
  assertOneLineError(
    await liteq("convert", model, `${model}/out.tflite`, "--mode", "float"),
    /model\.tflite\/out\.tflite: cannot write: a folder on the path is a file$/,
  );
  assertOneLineError(
    await liteq("run", model, "--input", data, "--output", `${data}/y.npy`),
    /x\.npy\/y\.npy: cannot write: a folder on the path is a file$/,
  );
  assertOneLineError(
    await liteq(
      "run",
      `${FIXTURES}/robustness/no_subgraphs.tflite`,
      "--input",
      data,
      "--output",
      `${folder}/y.npy`,
    ),
    /no_subgraphs\.tflite: the model has no subgraphs$/,
  );
  const readOnly = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env",
      `${ROOT}src/cli/main.ts`,
      "convert",
      model,
      `${folder}/copy.tflite`,
      "--mode",
      "float",
    ],
    stdout: "piped",
    stderr: "piped",
  });
  const denied = await readOnly.output();
  assertOneLineError(
    { code: denied.code, stderr: new TextDecoder().decode(denied.stderr) },
    /copy\.tflite: cannot write: not permitted: /,
  );
  assert.deepEqual(readdirSync(folder).sort(), ["model.tflite", "x.npy"]);
});

Deno.test("eval refuses labels that are not class numbers; bench says what is wrong with --runs", async () => {
  const folder = mkdtempSync(`${tmpdir()}/liteq-cli-`);
  const model = `${FIXTURES}/models/seed_mnist.float.tflite`;
  const data = `${folder}/x.npy`;
  writeFileSync(
    data,
    encodeNpy({ dtype: "float32", shape: [3, 784], data: new Float32Array(2352) }),
  );
  const labels = (name: string, values: number[]) => {
    writeFileSync(
      `${folder}/${name}`,
      encodeNpy({ dtype: "float32", shape: [3], data: Float32Array.from(values) }),
    );
    return liteq("eval", model, "--data", data, "--labels", `${folder}/${name}`);
  };
  assertOneLineError(
    await labels("half.npy", [1, 2.5, 3]),
    /half\.npy: label 1 is 2\.5; labels must be whole class numbers$/,
  );
  assertOneLineError(
    await labels("far.npy", [1, 2, 10]),
    /far\.npy: label 2 is 10; output "[^"]*" scores 10 classes \(0 to 9\)$/,
  );
  assertOneLineError(await labels("negative.npy", [-1, 2, 3]), /label 0 is -1; output/);
  assert.equal((await labels("fine.npy", [1, 2, 3])).code, 0);
  assertOneLineError(
    await liteq("bench", model, "--runs", "-3"),
    /--runs must be a whole number of at least 1, not -3/,
  );
  assertOneLineError(
    await liteq("bench", model, "--warmup", "-1"),
    /--warmup must be a whole number of at least 0, not -1/,
  );
});
