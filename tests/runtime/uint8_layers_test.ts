/**
 * Legacy uint8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED on the wasm int8 kernels (run as
 * int8 x - 128 with int16 weights less their zero point, `int8WasmLayer`) against a scalar
 * TypeScript reference of TFLite's uint8 arithmetic, on random layers: odd shapes (channel counts
 * around the kernels' blocks of 8 and 16), strides, dilations, both paddings, fused activations,
 * weight zero points at both ends and in between; with one thread and with two (images split by
 * rows, every op split however small), in each kernel build. Layers with a zero point per channel stay on the TypeScript
 * path and must agree as well.
 */
import assert from "node:assert/strict";
import { Interpreter, writeModel } from "../../mod.ts";
import type { DType } from "../../src/format/dtype.ts";
import type { PlainObject } from "../../src/format/plain.ts";
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierSingleRounding,
  quantizeMultiplier,
} from "../../src/runtime/quantization/fixed_point.ts";
import { quantizeValue } from "../../src/runtime/quantization/parameters.ts";
import { randomFloats, VARIANTS } from "./kernel_harness.ts";
import { buildModel } from "./model_builder.ts";
import { setMinSplitWork } from "../../src/runtime/threads/pool.ts";

const random = randomFloats(8128);

/** A random integer in [low, high]. */
function integer(low: number, high: number): number {
  return Math.min(high, low + Math.floor(((random(1)[0] + 1) / 2) * (high - low + 1)));
}

/** `count` random uint8 values, 0 and 255 among them. */
function uint8s(count: number): Uint8Array {
  const values = Uint8Array.from({ length: count }, () => integer(0, 255));
  values[0] = 0;
  if (count > 1) values[count - 1] = 255;
  return values;
}

type Op = "CONV_2D" | "DEPTHWISE_CONV_2D" | "FULLY_CONNECTED";

/** One random layer: its geometry, parameters and values. */
interface Layer {
  op: Op;
  batches: number;
  inH: number;
  inW: number;
  channels: number;
  outC: number;
  kH: number;
  kW: number;
  stride: [number, number];
  dilation: [number, number];
  padding: "SAME" | "VALID";
  activation: "NONE" | "RELU" | "RELU6";
  scales: { input: number; filter: number; output: number };
  zeros: { input: number; filter: number[]; output: number };
  input: Uint8Array;
  weights: Uint8Array;
  bias: Int32Array;
}

/** The filter's shape for `layer`'s op. */
function filterShape(layer: Layer): number[] {
  const { op, outC, kH, kW, channels } = layer;
  if (op === "CONV_2D") return [outC, kH, kW, channels];
  if (op === "DEPTHWISE_CONV_2D") return [1, kH, kW, outC];
  return [outC, channels];
}

/** TFLite's output size and leading padding of one spatial dimension. */
function plan(size: number, k: number, stride: number, dilation: number, padding: string) {
  const effective = (k - 1) * dilation + 1;
  if (padding === "VALID") return { out: Math.ceil((size - effective + 1) / stride), before: 0 };
  const out = Math.ceil(size / stride);
  return { out, before: Math.floor(Math.max((out - 1) * stride + effective - size, 0) / 2) };
}

/** A random layer of `op`, its weight zero points per tensor or (`perChannel`) per channel. */
function randomLayer(op: Op, perChannel = false): Layer {
  const fc = op === "FULLY_CONNECTED";
  const channels = integer(1, 24);
  const multiplier = op === "DEPTHWISE_CONV_2D" ? (integer(0, 3) === 0 ? 2 : 1) : 1;
  const outC = op === "DEPTHWISE_CONV_2D" ? channels * multiplier : integer(1, 20);
  // 1x1 and 3x3 windows often: the GEMM's direct rows and the depthwise kernel's 3x3 interior.
  const square = [1, 3, 3, 5][integer(0, 3)];
  const [kH, kW] = fc ? [1, 1] : integer(0, 2) ? [square, square] : [integer(1, 5), integer(1, 5)];
  const dilation: [number, number] = fc ? [1, 1] : [integer(1, 2), integer(1, 2)];
  const inH = fc ? 1 : (kH - 1) * dilation[0] + integer(1, 9);
  const inW = fc ? 1 : (kW - 1) * dilation[1] + integer(1, 9);
  const batches = integer(1, 3);
  const filterZero = () => [0, 255, 128, integer(0, 255)][integer(0, 3)];
  const zeroCount = perChannel ? outC : 1;
  const layer: Layer = {
    op,
    batches,
    inH,
    inW,
    channels,
    outC,
    kH,
    kW,
    stride: fc ? [1, 1] : integer(0, 1) ? [1, 1] : [integer(1, 3), integer(1, 3)],
    dilation,
    padding: integer(0, 1) ? "SAME" : "VALID",
    activation: (["NONE", "RELU", "RELU6"] as const)[integer(0, 2)],
    scales: {
      input: 0.02 + integer(0, 100) / 1000,
      filter: 0.003 + integer(0, 50) / 2000,
      output: 0.05 + integer(0, 200) / 1000,
    },
    zeros: {
      input: integer(0, 255),
      filter: Array.from({ length: zeroCount }, (_, index) => index === 1 ? 17 : filterZero()),
      output: integer(0, 255),
    },
    input: uint8s(batches * inH * inW * channels),
    weights: new Uint8Array(0),
    bias: Int32Array.from({ length: outC }, () => integer(-20000, 20000)),
  };
  layer.weights = uint8s(filterShape(layer).reduce((a, b) => a * b, 1));
  return layer;
}

/** The layer's single-op model, input 0 the activations. */
function layerModel(layer: Layer): Uint8Array {
  const { op, scales, zeros } = layer;
  const [rows, columns] = [
    plan(layer.inH, layer.kH, layer.stride[0], layer.dilation[0], layer.padding),
    plan(layer.inW, layer.kW, layer.stride[1], layer.dilation[1], layer.padding),
  ];
  const fc = op === "FULLY_CONNECTED";
  const inputShape = fc
    ? [layer.batches, layer.channels]
    : [layer.batches, layer.inH, layer.inW, layer.channels];
  const outputShape = fc
    ? [layer.batches, layer.outC]
    : [layer.batches, rows.out, columns.out, layer.outC];
  const uint8 = (scale: number, zero: number[], dimension = 0) => ({
    scale: zero.map(() => scale),
    zeroPoint: zero,
    quantizedDimension: dimension,
  });
  const options: PlainObject = fc
    ? { fusedActivationFunction: layer.activation, weightsFormat: "DEFAULT", keepNumDims: false }
    : {
      padding: layer.padding,
      strideH: layer.stride[0],
      strideW: layer.stride[1],
      dilationHFactor: layer.dilation[0],
      dilationWFactor: layer.dilation[1],
      fusedActivationFunction: layer.activation,
      ...(op === "DEPTHWISE_CONV_2D" ? { depthMultiplier: layer.outC / layer.channels } : {}),
    };
  return writeModel(buildModel({
    tensors: [
      {
        dtype: "uint8" as DType,
        shape: inputShape,
        quantization: uint8(scales.input, [zeros.input]),
      },
      {
        dtype: "uint8" as DType,
        shape: filterShape(layer),
        data: layer.weights,
        quantization: uint8(scales.filter, zeros.filter, op === "DEPTHWISE_CONV_2D" ? 3 : 0),
      },
      {
        dtype: "int32" as DType,
        shape: [layer.outC],
        data: layer.bias,
        quantization: uint8(scales.input * scales.filter, layer.zeros.filter.map(() => 0)),
      },
      {
        dtype: "uint8" as DType,
        shape: outputShape,
        quantization: uint8(scales.output, [zeros.output]),
      },
    ],
    operators: [{
      op,
      inputs: [0, 1, 2],
      outputs: [3],
      version: 3,
      optionsType: fc
        ? "FullyConnectedOptions"
        : op === "CONV_2D"
        ? "Conv2DOptions"
        : "DepthwiseConv2DOptions",
      options,
    }],
    inputs: [0],
    outputs: [3],
  }));
}

/** TFLite's uint8 arithmetic for `layer`, written out plainly. */
function reference(layer: Layer): Uint8Array {
  const { op, scales, zeros, input, weights, bias, channels, outC, kH, kW } = layer;
  const fc = op === "FULLY_CONNECTED";
  const rows = plan(layer.inH, kH, layer.stride[0], layer.dilation[0], layer.padding);
  const columns = plan(layer.inW, kW, layer.stride[1], layer.dilation[1], layer.padding);
  const [multiplier, shift] = quantizeMultiplier(
    Math.fround(scales.input * scales.filter) / scales.output,
  );
  const clamp = (value: number) => quantizeValue(value, scales.output, zeros.output, "uint8");
  const [low, high] = layer.activation === "NONE"
    ? [0, 255]
    : layer.activation === "RELU"
    ? [clamp(0), 255]
    : [clamp(0), clamp(6)];
  const rescale = fc ? multiplyByQuantizedMultiplierSingleRounding : multiplyByQuantizedMultiplier;
  const out: number[] = [];
  const outH = fc ? 1 : rows.out;
  const outW = fc ? 1 : columns.out;
  for (let b = 0; b < layer.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let oc = 0; oc < outC; oc++) {
          const zw = zeros.filter[zeros.filter.length === 1 ? 0 : oc];
          let acc = bias[oc];
          for (let ky = 0; ky < kH; ky++) {
            const iy = oy * layer.stride[0] - rows.before + ky * layer.dilation[0];
            for (let kx = 0; kx < kW; kx++) {
              const ix = ox * layer.stride[1] - columns.before + kx * layer.dilation[1];
              if (!fc && (iy < 0 || iy >= layer.inH || ix < 0 || ix >= layer.inW)) continue;
              const pixel = ((b * layer.inH + iy) * layer.inW + ix) * channels;
              if (op === "DEPTHWISE_CONV_2D") {
                const x = input[pixel + Math.floor(oc / (outC / channels))];
                acc += (weights[(ky * kW + kx) * outC + oc] - zw) * (x - zeros.input);
                continue;
              }
              for (let ic = 0; ic < channels; ic++) {
                const w = weights[((oc * kH + ky) * kW + kx) * channels + ic];
                acc += (w - zw) * (input[pixel + ic] - zeros.input);
              }
            }
          }
          out.push(Math.min(high, Math.max(low, rescale(acc, multiplier, shift) + zeros.output)));
        }
      }
    }
  }
  return Uint8Array.from(out);
}

const OPS: Op[] = ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"];

for (const variant of VARIANTS) {
  for (const op of OPS) {
    Deno.test(`uint8 ${op} on the wasm kernels matches TFLite's uint8 arithmetic (${variant})`, async () => {
      const previous = setMinSplitWork(0);
      try {
        for (let trial = 0; trial < 24; trial++) {
          const layer = randomLayer(op, trial % 8 === 7);
          const model = layerModel(layer);
          const expected = reference(layer);
          for (const threads of trial % 2 ? [1, 2] : [1]) {
            const interpreter = await Interpreter.load(model, { kernels: variant, threads });
            const [actual] = interpreter.run([layer.input]);
            const { kH, kW, stride, dilation, padding, zeros } = layer;
            assert.deepEqual(
              actual,
              expected,
              `${kH}x${kW} stride ${stride} dilation ${dilation} ${padding}, ${layer.channels} -> ${layer.outC} channels, zero points ${
                JSON.stringify(zeros)
              }, ${threads} threads`,
            );
            interpreter.dispose();
          }
        }
      } finally {
        setMinSplitWork(previous);
      }
    });
  }
}
