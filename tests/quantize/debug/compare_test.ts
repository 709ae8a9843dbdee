/**
 * The per-layer debugger on real models: a float model against itself, against TensorFlow's int8
 * conversions (float and uint8 I/O), against liteq's own int8 and a dynamic-range model; the
 * matching by name and by graph position; the histograms of the worst layers; and bad samples.
 */
import assert from "node:assert/strict";
import { readModel, SampleError } from "../../../mod.ts";
import { compareModels, ModelMismatchError } from "../../../src/quantize/debug/compare.ts";
import { MAX_SQNR_DB } from "../../../src/quantize/debug/error_stats.ts";
import { matchTensors } from "../../../src/quantize/debug/match.ts";
import { quantize } from "../../../src/quantize/quantize.ts";
import { FIXTURES, readBytesSync } from "../../helpers.ts";
import { mnistSamples } from "./mnist_samples.ts";

const model = (name: string) => `${FIXTURES}/models/${name}.tflite`;
const { data, labels } = await mnistSamples(200);

/** The first 50 samples, one array each, to calibrate liteq's own quantization on. */
function calibrationImages(): Float32Array[] {
  return Array.from(
    { length: 50 },
    (_, sample) => (data.data as Float32Array).slice(sample * 784, (sample + 1) * 784),
  );
}

Deno.test("a float model against itself: no error anywhere, SQNR at its cap", async () => {
  const result = await compareModels(model("seed_mnist.float"), model("seed_mnist.float"), [data], {
    labels,
  });
  assert.equal(result.samples, 200);
  assert.deepEqual(result.layers.map((layer) => layer.op), [
    "RESHAPE",
    "CONV_2D",
    "MAX_POOL_2D",
    "RESHAPE",
    "FULLY_CONNECTED",
  ]);
  for (const layer of [...result.layers, ...result.outputs]) {
    assert.equal(layer.sqnr, MAX_SQNR_DB);
    assert.equal(layer.rmse, 0);
    assert.equal(layer.maxAbs, 0);
  }
  for (const layer of result.layers) {
    assert.equal(layer.storage, "float");
    assert.equal(layer.scale, null);
    assert.equal(layer.min, null);
    assert.equal(layer.tensor, layer.floatTensor);
  }
  assert.equal(result.top1!.float, result.top1!.quantized);
});

Deno.test("seed_mnist int8 (TensorFlow's): every layer matched, finite SQNR, the FC worst", async () => {
  const result = await compareModels(model("seed_mnist.float"), model("seed_mnist.int8"), [data], {
    labels,
  });
  assert.deepEqual(
    result.layers.map((layer) => [layer.operator, layer.op, layer.matchedBy]),
    [
      [4, "RESHAPE", "name"],
      [5, "CONV_2D", "name"],
      [6, "MAX_POOL_2D", "name"],
      [10, "RESHAPE", "name"],
      // TensorFlow renames the int8 logits "...:01"; the graph position finds the float ones.
      [11, "FULLY_CONNECTED", "position"],
    ],
  );
  const fc = result.layers[4];
  assert.equal(fc.tensor, "StatefulPartitionedCall_1:01");
  assert.equal(fc.floatTensor, "StatefulPartitionedCall_1:0");
  for (const layer of result.layers) {
    assert.equal(layer.storage, "integer");
    assert.ok(layer.sqnr > 30 && layer.sqnr < 150, `${layer.op} SQNR ${layer.sqnr}`);
    assert.ok(layer.maxAbs <= 2 * layer.scale! + fc.maxAbs, `${layer.op} error ${layer.maxAbs}`);
  }
  // The input is stored exactly (x/255 on a 1/255 grid): only float rounding is left.
  assert.ok(result.layers[0].sqnr > 120);
  const conv = result.layers[1];
  assert.ok(Math.abs(conv.scale! - 0.00801049) < 1e-7);
  assert.equal(conv.zeroPoint, -128);
  assert.equal(conv.min, 0);
  assert.ok(Math.abs(conv.max! - 255 * conv.scale!) < 1e-12);
  assert.ok(conv.rmse < conv.scale! / 2, "the convolution's error is under half a step");
  const worst = [...result.layers].sort((a, b) => a.sqnr - b.sqnr)[0];
  assert.equal(worst.op, "FULLY_CONNECTED");
  assert.ok(Math.abs(result.outputs[0].sqnr - fc.sqnr) < 1e-6, "DEQUANTIZE adds no error");
  assert.ok(result.outputs[0].sqnr > 35 && result.outputs[0].sqnr < 42);
  assert.equal(result.outputs[0].name, "StatefulPartitionedCall_1:0");
  assert.deepEqual(result.top1, { float: 0.915, quantized: 0.91 });
});

Deno.test("uint8 I/O: the input is quantized and the output dequantized as the int8 file's", async () => {
  const int8 = await compareModels(model("seed_mnist.float"), model("seed_mnist.int8"), [data]);
  const uint8 = await compareModels(
    model("seed_mnist.float"),
    model("seed_mnist.int8_uint8io"),
    [data],
  );
  assert.equal(uint8.top1, null);
  assert.ok(Math.abs(uint8.outputs[0].sqnr - int8.outputs[0].sqnr) < 1e-6);
  assert.deepEqual(
    uint8.layers.map((layer) => layer.sqnr),
    int8.layers.map((layer) => layer.sqnr),
  );
});

Deno.test("histograms: the worst layers, lowest SQNR first, every value counted once", async () => {
  const result = await compareModels(model("seed_mnist.float"), model("seed_mnist.int8"), [data], {
    histogramLayers: 2,
    histogramBins: 32,
  });
  assert.deepEqual(result.histograms.map((entry) => entry.op), ["FULLY_CONNECTED", "CONV_2D"]);
  const [fc] = result.histograms;
  const layer = result.layers.find((entry) => entry.operator === fc.operator)!;
  assert.equal(fc.histogram.counts.length, 32);
  assert.equal(fc.histogram.counts.reduce((a, b) => a + b), 200 * 10);
  assert.deepEqual([fc.histogram.low, fc.histogram.high], [layer.floatMin, layer.floatMax]);
  const ranges = Object.fromEntries(fc.clipRanges.map((range) => [range.method, range]));
  assert.deepEqual(Object.keys(ranges), ["minmax", "percentile", "quantized"]);
  assert.deepEqual([ranges.quantized.low, ranges.quantized.high], [layer.min, layer.max]);
  assert.ok(ranges.percentile.low >= ranges.minmax.low);
  assert.ok(ranges.percentile.high <= ranges.minmax.high);
  // TensorFlow calibrated on other images: these logits reach past its range.
  assert.ok(layer.floatMax > layer.max!);
});

Deno.test("liteq's own int8 file is matched by name, its renamed logits by position", async () => {
  const float = readModel(readBytesSync(model("seed_mnist.float")));
  const quantized = await quantize(float, {
    mode: "int8",
    representativeDataset: calibrationImages(),
  });
  const result = await compareModels(float, quantized, [data]);
  assert.deepEqual(
    result.layers.map((layer) => layer.op),
    ["RESHAPE", "CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED"],
  );
  assert.ok(result.layers.every((layer) => layer.storage === "integer"));
  // As TensorFlow, liteq gives the float output's name to the closing DEQUANTIZE.
  assert.deepEqual(
    result.layers.map((layer) => layer.matchedBy),
    ["name", "name", "name", "name", "position"],
  );
  assert.ok(result.outputs[0].sqnr > 30, `output SQNR ${result.outputs[0].sqnr}`);
});

Deno.test("ops the quantizer keeps float appear with scale null between integer layers", async () => {
  const float = readModel(readBytesSync(model("mobile_mnist.float")));
  const quantized = await quantize(float, {
    mode: "int8",
    representativeDataset: calibrationImages(),
    denylist: ["LOGISTIC", "MUL"],
  });
  const result = await compareModels(float, quantized, [data]);
  const kept = result.layers.filter((layer) => layer.storage === "float");
  assert.deepEqual(kept.map((layer) => layer.op), ["LOGISTIC", "MUL"]);
  for (const layer of kept) {
    assert.deepEqual([layer.scale, layer.zeroPoint, layer.min, layer.max], [
      null,
      null,
      null,
      null,
    ]);
    assert.ok(layer.sqnr > 25 && layer.sqnr < 60, `${layer.op} ${layer.sqnr}`);
  }
  assert.equal(result.layers.filter((layer) => layer.storage === "integer").length, 12);
});

Deno.test("dynamic range: the layer with int8 weights is hybrid, the others kept float", async () => {
  const result = await compareModels(
    model("mobile_mnist.float"),
    model("mobile_mnist.dynamic"),
    [data],
  );
  const hybrid = result.layers.filter((layer) => layer.storage === "hybrid");
  assert.deepEqual(hybrid.map((layer) => [layer.operator, layer.op]), [[8, "CONV_2D"]]);
  assert.ok(result.layers.every((layer) => layer.scale === null));
  // Before the one hybrid convolution only float rounding differs; from it on, its error.
  for (const layer of result.layers) {
    const bound = layer.operator < 8 ? [120, MAX_SQNR_DB] : [30, 60];
    assert.ok(layer.sqnr >= bound[0] && layer.sqnr <= bound[1], `${layer.op} ${layer.sqnr}`);
  }
});

Deno.test("matching: TensorFlow's int16x8 file pairs every op output with its float tensor", () => {
  const float = readModel(readBytesSync(model("mobile_mnist.float")));
  const quantized = readModel(readBytesSync(model("mobile_mnist.int16x8")));
  const matches = matchTensors(float, quantized);
  const computed = quantized.subgraphs[0].operators.filter((operator) =>
    !["QUANTIZE", "DEQUANTIZE"].includes(operator.op)
  );
  assert.equal(matches.length, computed.length);
  assert.deepEqual(
    matches.filter((match) => match.matchedBy === "position").map((match) => match.op),
    ["SOFTMAX"],
  );
});

Deno.test("samples or labels that do not fit, and models with other outputs, are refused", async () => {
  await assert.rejects(
    compareModels(model("seed_mnist.float"), model("seed_mnist.int8"), [data], {
      labels: { dtype: "uint8", shape: [3], data: new Uint8Array(3) },
    }),
    SampleError,
    "3 labels for 200 samples",
  );
  await assert.rejects(
    compareModels(model("seed_mnist.float"), model("seed_mnist.int8"), [
      { dtype: "float32", shape: [2, 27, 28], data: new Float32Array(2 * 27 * 28) },
    ]),
    SampleError,
  );
  const float = readModel(readBytesSync(model("seed_mnist.float")));
  const main = float.subgraphs[0];
  const twoOutputs = { ...float, subgraphs: [{ ...main, outputs: [...main.outputs, 14] }] };
  await assert.rejects(
    compareModels(twoOutputs, model("seed_mnist.int8"), [data]),
    ModelMismatchError,
    "the float model has 2 outputs, the quantized one 1",
  );
});
