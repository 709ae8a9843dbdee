/**
 * MediaPipe's custom ops built into liteq, against TensorFlow's reference kernels running a twin
 * of each model with the builtin equivalent (tests/fixtures/mediapipe, made by
 * tools/make_mediapipe_fixtures.ts): Convolution2DTransposeBias as TRANSPOSE_CONV with a bias,
 * MaxPoolingWithArgmax2D's values as MAX_POOL_2D (its window places hand-checked), selfie
 * segmentation whole; MaxUnpooling2D, TransformTensorBilinear, TransformLandmarks and
 * Landmarks2TransformMatrix on hand-worked cases.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { Interpreter, parseNpy, writeModel } from "../../mod.ts";
import { FIXTURES, readBytesSync, SHARED, skipWithoutShared } from "../helpers.ts";
import { assertClose } from "./compare.ts";
import { buildModel } from "./model_builder.ts";

const folder = `${FIXTURES}/mediapipe`;
const cases = readdirSync(folder).filter((name) => name.endsWith(".tflite"))
  .map((name) => name.slice(0, -".tflite".length)).sort();

/** The pooled window's first largest value's place, as MediaPipe numbers it (ky x width + kx). */
function firstMaxPlaces(
  x: Float32Array,
  [batches, inH, inW, channels]: number[],
  [outH, outW]: number[],
  [filterH, filterW, strideH, strideW, padTop, padLeft]: number[],
): number[] {
  const places: number[] = [];
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < channels; c++) {
          let best = -Infinity;
          let place = 0;
          for (let ky = 0; ky < filterH; ky++) {
            for (let kx = 0; kx < filterW; kx++) {
              const y = oy * strideH - padTop + ky;
              const xx = ox * strideW - padLeft + kx;
              if (y < 0 || y >= inH || xx < 0 || xx >= inW) continue;
              const value = x[((b * inH + y) * inW + xx) * channels + c];
              if (value > best) [best, place] = [value, ky * filterW + kx];
            }
          }
          places.push(place);
        }
      }
    }
  }
  return places;
}

/** Window geometry of the two pooling fixtures: filter, strides and leading padding. */
const POOLING: Record<string, number[]> = {
  max_pool_argmax_same: [3, 2, 2, 2, 1, 0],
  max_pool_argmax_valid_relu6: [2, 3, 2, 1, 0, 0],
};

for (const name of cases) {
  Deno.test(`MediaPipe op model ${name} matches TensorFlow's builtin twin`, async () => {
    const interpreter = await Interpreter.load(`${folder}/${name}.tflite`);
    const input = parseNpy(readBytesSync(`${folder}/${name}.input0.npy`));
    const expected = parseNpy(readBytesSync(`${folder}/${name}.output0.npy`));
    const samples = input.shape[0];
    const inputShape = interpreter.inputDetails()[0].shape;
    const [, outH, outW] = interpreter.outputDetails()[0].shape;
    for (let sample = 0; sample < samples; sample++) {
      const size = input.data.length / samples;
      const x = input.data.slice(sample * size, (sample + 1) * size) as Float32Array;
      const outputs = interpreter.run([x]);
      const count = expected.data.length / samples;
      const want = expected.data.slice(sample * count, (sample + 1) * count);
      assertClose(outputs[0], want, `${name} sample ${sample}`, 1e-5);
      if (POOLING[name]) {
        const places = Array.from(outputs[1] as Float32Array, Math.trunc);
        assert.deepEqual(places, firstMaxPlaces(x, inputShape, [outH, outW], POOLING[name]));
        assert.ok((outputs[1] as Float32Array).every((value) => value % 1 > 0.09));
      }
    }
  });
}

Deno.test("selfie segmentation matches TensorFlow with its custom op as TRANSPOSE_CONV", async () => {
  if (skipWithoutShared("selfie segmentation")) return;
  // The default options: auto takes plain SIMD for its float layers, TensorFlow's results.
  const interpreter = await Interpreter.load(`${SHARED}/realworld/selfie_segmentation.tflite`);
  const image = parseNpy(readBytesSync(`${folder}/selfie_segmentation.image.npy`));
  const expected = parseNpy(readBytesSync(`${folder}/selfie_segmentation.output0.npy`));
  const [mask] = interpreter.run([
    Float32Array.from(image.data as Uint8Array, (value) => value / 255),
  ]);
  assertClose(mask, expected.data, "selfie segmentation mask");
});

Deno.test("MaxUnpooling2D puts each value back where MaxPoolingWithArgmax2D found it", async () => {
  // 2x2 windows, stride 2, VALID: TfLitePoolParams {padding 2, strides 2 2, filter 2 2, NONE}.
  const pool = new Uint8Array(Int32Array.from([2, 2, 2, 2, 2, 0, 0, 0, 0, 0]).buffer);
  const model = buildModel({
    tensors: [
      { dtype: "float32", shape: [1, 4, 4, 1] },
      { dtype: "float32", shape: [1, 2, 2, 1] },
      { dtype: "float32", shape: [1, 2, 2, 1] },
      { dtype: "float32", shape: [1, 4, 4, 1] },
    ],
    operators: [
      {
        op: "MaxPoolingWithArgmax2D",
        custom: true,
        inputs: [0],
        outputs: [1, 2],
        customOptions: pool,
      },
      { op: "MaxUnpooling2D", custom: true, inputs: [1, 2], outputs: [3], customOptions: pool },
    ],
    inputs: [0],
    outputs: [1, 2, 3],
  });
  const interpreter = await Interpreter.load(writeModel(model));
  // deno-fmt-ignore
  const x = [
    1, 5, 2, 0,
    3, 4, 8, 8,
    -1, -2, 0, 7,
    -3, -4, 6, 1,
  ];
  const [pooled, places, unpooled] = interpreter.run([x]);
  assert.deepEqual(Array.from(pooled as Float32Array), [5, 8, -1, 7]);
  assert.deepEqual(Array.from(places as Float32Array, Math.trunc), [1, 2, 0, 1]);
  // deno-fmt-ignore
  assert.deepEqual(Array.from(unpooled as Float32Array), [
    0, 5, 0, 0,
    0, 0, 8, 0,
    -1, 0, 0, 7,
    0, 0, 0, 0,
  ]);
});

/** Hand-worked cases of the landmark and transform ops, options as FlexBuffers TF's Python writes. */
const FLEX: Record<string, { bytes: number[] }> = JSON.parse(
  readFileSync(`${folder}/flex_options.json`, "utf8"),
).options;

async function runOne(
  op: string,
  version: number,
  options: string | null,
  inputs: { shape: number[]; values: number[] }[],
  outputShape: number[],
): Promise<number[]> {
  const model = buildModel({
    tensors: [
      ...inputs.map(({ shape }) => ({ dtype: "float32" as const, shape })),
      { dtype: "float32", shape: outputShape },
    ],
    operators: [{
      op,
      custom: true,
      version,
      inputs: inputs.map((_, index) => index),
      outputs: [inputs.length],
      customOptions: options ? new Uint8Array(FLEX[options].bytes) : undefined,
    }],
    inputs: inputs.map((_, index) => index),
    outputs: [inputs.length],
  });
  const interpreter = await Interpreter.load(writeModel(model));
  return Array.from(interpreter.run(inputs.map(({ values }) => values))[0] as Float32Array);
}

function assertNear(actual: number[], expected: number[], what: string) {
  assertClose(Float32Array.from(actual), Float32Array.from(expected), what, 1e-6);
}

Deno.test("TransformTensorBilinear samples the input where the matrix maps each pixel", async () => {
  const image = { shape: [1, 3, 3, 1], values: [0, 1, 2, 3, 4, 5, 6, 7, 8] };
  // Version 1: x + 0.5 falls between columns, and past the last one (0) on the right.
  const shifted = { shape: [1, 4, 4], values: [1, 0, 0, 0.5, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] };
  assertNear(
    await runOne("TransformTensor", 1, null, [image, shifted], [1, 2, 3, 1]),
    [0.5, 1.5, 0, 3.5, 4.5, 0],
    "version 1",
  );
  // Version 2 (align corners): halving maps x to 0.5 x - 0.25, outside for x = 0.
  const halved = { shape: [1, 4, 4], values: [0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] };
  assertNear(
    await runOne("TransformTensorBilinear", 2, "TransformTensorBilinear", [image, halved], [
      1,
      3,
      3,
      1,
    ]),
    [0, 0, 0, 0, 1, 1.5, 0, 2.5, 3],
    "version 2",
  );
});

Deno.test("TransformLandmarks applies the matrix to (x, y) and keeps z", async () => {
  const matrix = { shape: [1, 4, 4], values: [2, 0, 0, 1, 0, 3, 0, -1, 0, 0, 1, 0, 0, 0, 0, 1] };
  // Version 1, scale 2: the translation (1, -1) doubles.
  assertNear(
    await runOne("TransformLandmarks", 1, "TransformLandmarks", [
      { shape: [1, 1, 2, 3], values: [1, 2, 5, 3, 4, 6] },
      matrix,
    ], [1, 1, 2, 3]),
    [4, 4, 5, 8, 10, 6],
    "version 1",
  );
  assertNear(
    await runOne("TransformLandmarks", 2, null, [
      { shape: [1, 2, 2], values: [1, 2, 3, 4] },
      matrix,
    ], [1, 2, 2]),
    [3, 5, 7, 11],
    "version 2",
  );
});

Deno.test("Landmarks2TransformMatrix crops the box around the landmarks", async () => {
  // Left (2, 4) and right (6, 4): no rotation; the box over (2, 4), (6, 4), (4, 2), (4, 8) is
  // 4 x 6 around (4, 5).
  const points = [2, 4, 0, 6, 4, 0, 4, 2, 0, 4, 8, 0];
  // Version 2: shift to the centre, scale by the box over a 4 x 4 output, shift by -2.
  assertNear(
    await runOne("Landmarks2TransformMatrix", 2, "Landmarks2TransformMatrix v2", [
      { shape: [1, 4, 3], values: points },
    ], [1, 4, 4]),
    [1, 0, 0, 2, 0, 1.5, 0, 2, 0, 0, 1, 0, 0, 0, 0, 1],
    "version 2",
  );
  // Version 1: 8 x 8 input, 4 x 4 output, landmarks range 8: absolute x rotation x scale x relative.
  assertNear(
    await runOne("Landmarks2TransformMatrix", 1, "Landmarks2TransformMatrix v1", [
      { shape: [1, 1, 1, 12], values: points },
    ], [1, 4, 4]),
    [Math.fround(1.75 * Math.fround(2 / 3)), 0, 0, 1.75, 0, 1.75, 0, 1.75, 0, 0, 1, 0, 0, 0, 0, 1],
    "version 1",
  );
});
