/**
 * Fixtures for MediaPipe's custom ops, which TensorFlow cannot run: each case is a model with the
 * custom op and its twin with TensorFlow's builtin equivalent (Convolution2DTransposeBias as
 * TRANSPOSE_CONV with a bias input; MaxPoolingWithArgmax2D's values as MAX_POOL_2D), and
 * TensorFlow's reference kernels run the twin for the expected outputs. Also selfie segmentation
 * from `../shared/realworld` with its one custom op replaced, on one seeded random image.
 *
 * Developer tool (TensorFlow 2.21 in the Python given by LITEQ_PYTHON, default /work/venv):
 *   deno run -A tools/make_mediapipe_fixtures.ts tests/fixtures/mediapipe
 * writes NAME.tflite (the custom-op model), NAME.input0.npy and NAME.output{j}.npy per case, and
 * selfie_segmentation.image.npy (uint8; the model takes it / 255) with its .output0.npy.
 */
import { encodeNpy } from "../src/io/npy.ts";
import { readModel } from "../src/format/reader.ts";
import { writeModel } from "../src/format/writer.ts";
import type { Model } from "../src/format/ir.ts";
import { buildModel, type TensorSpec } from "../tests/runtime/model_builder.ts";

const PYTHON = Deno.env.get("LITEQ_PYTHON") ?? "/work/venv/bin/python";
const TIMEOUT_MS = 300_000;
const folder = Deno.args[0] ?? "tests/fixtures/mediapipe";
const scratch = await Deno.makeTempDir({ prefix: "liteq-mediapipe-" });

/** A seeded uniform generator (mulberry32), so that the fixtures can be made again. */
function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomValues(random: () => number, count: number, low = -1, high = 1): Float32Array {
  return Float32Array.from({ length: count }, () => low + (high - low) * random());
}

function int32Struct(...fields: number[]): Uint8Array {
  return new Uint8Array(Int32Array.from(fields).buffer);
}

/** Runs `twin` in TensorFlow on `inputs` (stacked samples); returns the output files' prefix. */
async function reference(name: string, twin: Model, inputs: Float32Array[], shapes: number[][]) {
  const modelPath = `${scratch}/${name}.twin.tflite`;
  await Deno.writeFile(modelPath, writeModel(twin));
  const inputPaths = inputs.map((_, position) => `${scratch}/${name}.input${position}.npy`);
  for (const [position, values] of inputs.entries()) {
    await Deno.writeFile(
      inputPaths[position],
      encodeNpy({ dtype: "float32", shape: shapes[position], data: values }),
    );
  }
  const prefix = `${scratch}/${name}`;
  const { code, stderr } = await new Deno.Command(PYTHON, {
    args: ["tools/run_tflite_reference.py", modelPath, prefix, ...inputPaths],
    signal: AbortSignal.timeout(TIMEOUT_MS),
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`${name}: TensorFlow failed: ${new TextDecoder().decode(stderr)}`);
  }
  return prefix;
}

async function copyOutputs(name: string, prefix: string, count: number) {
  for (let position = 0; position < count; position++) {
    await Deno.copyFile(
      `${prefix}.output${position}.npy`,
      `${folder}/${name}.output${position}.npy`,
    );
  }
}

/** Convolution2DTransposeBias on [samples x shape] random inputs, against TRANSPOSE_CONV + bias. */
async function transposeConvBias(
  name: string,
  seed: number,
  inputShape: number[],
  filterShape: number[],
  padding: "SAME" | "VALID",
  strideH: number,
  strideW: number,
) {
  const random = uniform(seed);
  const filter = randomValues(random, filterShape.reduce((a, b) => a * b, 1));
  const bias = randomValues(random, filterShape[0]);
  const samples = 3;
  const input = randomValues(random, samples * inputShape.reduce((a, b) => a * b, 1));
  const [, inH, inW] = inputShape;
  const [outC, kH, kW] = filterShape;
  const total = (size: number, k: number, stride: number) =>
    padding === "SAME" ? Math.max(0, k - ((size - 1) % stride) - 1) : 0;
  const outputShape = [
    inputShape[0],
    strideH * (inH - 1) + kH - total(inH, kH, strideH),
    strideW * (inW - 1) + kW - total(inW, kW, strideW),
    outC,
  ];
  const tensors: TensorSpec[] = [
    { name: "input", dtype: "float32", shape: inputShape },
    { name: "filter", dtype: "float32", shape: filterShape, data: filter },
    { name: "bias", dtype: "float32", shape: [outC], data: bias },
    { name: "output", dtype: "float32", shape: outputShape },
  ];
  const custom = buildModel({
    tensors,
    operators: [{
      op: "Convolution2DTransposeBias",
      custom: true,
      inputs: [0, 1, 2],
      outputs: [3],
      customOptions: int32Struct(padding === "SAME" ? 1 : 2, strideW, strideH),
    }],
    inputs: [0],
    outputs: [3],
  });
  const twin = buildModel({
    tensors: [...tensors, {
      name: "output_shape",
      dtype: "int32",
      shape: [4],
      data: Int32Array.from(outputShape),
    }],
    operators: [{
      op: "TRANSPOSE_CONV",
      version: 3,
      inputs: [4, 1, 0, 2],
      outputs: [3],
      optionsType: "TransposeConvOptions",
      options: { padding, strideW, strideH, fusedActivationFunction: "NONE" },
    }],
    inputs: [0],
    outputs: [3],
  });
  const prefix = await reference(name, twin, [input], [[samples, ...inputShape]]);
  await Deno.writeFile(`${folder}/${name}.tflite`, writeModel(custom));
  await Deno.copyFile(`${prefix}.input0.npy`, `${folder}/${name}.input0.npy`);
  await copyOutputs(name, prefix, 1);
}

/** MaxPoolingWithArgmax2D's pooled values against MAX_POOL_2D (its indices are checked apart). */
async function maxPoolArgmax(
  name: string,
  seed: number,
  inputShape: number[],
  padding: "SAME" | "VALID",
  window: [number, number],
  strides: [number, number],
  activation: number,
) {
  const random = uniform(seed);
  const samples = 3;
  const input = randomValues(random, samples * inputShape.reduce((a, b) => a * b, 1), -8, 8);
  const [filterH, filterW] = window;
  const [strideH, strideW] = strides;
  const size = (extent: number, k: number, stride: number) =>
    padding === "SAME" ? Math.ceil(extent / stride) : Math.floor((extent - k + stride) / stride);
  const outputShape = [
    inputShape[0],
    size(inputShape[1], filterH, strideH),
    size(inputShape[2], filterW, strideW),
    inputShape[3],
  ];
  const tensors: TensorSpec[] = [
    { name: "input", dtype: "float32", shape: inputShape },
    { name: "output", dtype: "float32", shape: outputShape },
    { name: "indices", dtype: "float32", shape: outputShape },
  ];
  const activationName = ["NONE", "RELU", "RELU_N1_TO_1", "RELU6"][activation];
  const custom = buildModel({
    tensors,
    operators: [{
      op: "MaxPoolingWithArgmax2D",
      custom: true,
      inputs: [0],
      outputs: [1, 2],
      customOptions: int32Struct(
        padding === "SAME" ? 1 : 2,
        strideW,
        strideH,
        filterW,
        filterH,
        activation,
        0,
        0,
        0,
        0,
      ),
    }],
    inputs: [0],
    outputs: [1, 2],
  });
  const twin = buildModel({
    tensors: tensors.slice(0, 2),
    operators: [{
      op: "MAX_POOL_2D",
      inputs: [0],
      outputs: [1],
      optionsType: "Pool2DOptions",
      options: {
        padding,
        strideW,
        strideH,
        filterWidth: filterW,
        filterHeight: filterH,
        fusedActivationFunction: activationName,
      },
    }],
    inputs: [0],
    outputs: [1],
  });
  const prefix = await reference(name, twin, [input], [[samples, ...inputShape]]);
  await Deno.writeFile(`${folder}/${name}.tflite`, writeModel(custom));
  await Deno.copyFile(`${prefix}.input0.npy`, `${folder}/${name}.input0.npy`);
  await copyOutputs(name, prefix, 1);
}

/** Selfie segmentation with its Convolution2DTransposeBias as TRANSPOSE_CONV + bias. */
async function selfie() {
  const path = "../shared/realworld/selfie_segmentation.tflite";
  const twin = readModel(await Deno.readFile(path));
  const subgraph = twin.subgraphs[0];
  const index = subgraph.operators.findIndex((operator) =>
    operator.op === "Convolution2DTransposeBias"
  );
  const operator = subgraph.operators[index];
  const options = new DataView(operator.customOptions!.buffer, operator.customOptions!.byteOffset);
  const [input, filter, bias] = operator.inputs;
  const output = operator.outputs[0];
  twin.buffers.push(new Uint8Array(0));
  subgraph.tensors.push({
    ...structuredClone({ ...subgraph.tensors[output], data: null }),
    name: "output_shape",
    dtype: "int32",
    shape: [4],
    shapeSignature: null,
    buffer: twin.buffers.length - 1,
    data: Int32Array.from(subgraph.tensors[output].shape),
    quantization: null,
  });
  subgraph.tensors[bias].shape = [subgraph.tensors[bias].shape[0]];
  subgraph.operators[index] = {
    ...operator,
    op: "TRANSPOSE_CONV",
    custom: false,
    version: 3,
    inputs: [subgraph.tensors.length - 1, filter, input, bias],
    optionsType: "TransposeConvOptions",
    options: {
      padding: options.getInt32(0, true) === 1 ? "SAME" : "VALID",
      strideW: options.getInt32(4, true),
      strideH: options.getInt32(8, true),
      fusedActivationFunction: "NONE",
    },
    customOptions: null,
  };
  const random = uniform(17);
  const image = Uint8Array.from({ length: 256 * 256 * 3 }, () => Math.floor(random() * 256));
  const values = Float32Array.from(image, (value) => value / 255);
  const prefix = await reference("selfie_segmentation", twin, [values], [[1, 256, 256, 3]]);
  await Deno.writeFile(
    `${folder}/selfie_segmentation.image.npy`,
    encodeNpy({ dtype: "uint8", shape: [1, 256, 256, 3], data: image }),
  );
  await copyOutputs("selfie_segmentation", prefix, 1);
}

await Deno.mkdir(folder, { recursive: true });
await transposeConvBias(
  "transpose_conv_bias_same_2x2",
  1,
  [2, 5, 7, 3],
  [4, 3, 3, 3],
  "SAME",
  2,
  2,
);
await transposeConvBias(
  "transpose_conv_bias_valid_1x3",
  2,
  [1, 4, 4, 2],
  [3, 2, 4, 2],
  "VALID",
  1,
  3,
);
await transposeConvBias(
  "transpose_conv_bias_same_even",
  3,
  [1, 6, 5, 5],
  [2, 4, 4, 5],
  "SAME",
  2,
  2,
);
await maxPoolArgmax("max_pool_argmax_same", 4, [2, 5, 6, 3], "SAME", [3, 2], [2, 2], 0);
await maxPoolArgmax("max_pool_argmax_valid_relu6", 5, [1, 7, 7, 2], "VALID", [2, 3], [2, 1], 3);
await selfie();
await Deno.remove(scratch, { recursive: true });
console.log(`wrote the MediaPipe op fixtures to ${folder}`);
