/**
 * Int8 ADD, SUB and MUL in TFLite's reference arithmetic looked up in their table
 * (`qs8_binary_table`, every op given one) against the same layers computed by `qs8_binary` (no op
 * given one): random scales and zero points, operands broadcast along inner or outer dimensions
 * or not at all, fused activations, with one thread and with two (every op split however small),
 * in each kernel build. `qs8_binary` itself is checked against TFLite's arithmetic in
 * `qs8_binary_kernels_test.ts` and on TensorFlow's models.
 */
import assert from "node:assert/strict";
import { Interpreter, writeModel } from "../../mod.ts";
import { setMinTableElements } from "../../src/runtime/ops/arithmetic/int8_binary.ts";
import { setMinSplitWork } from "../../src/runtime/threads/pool.ts";
import { randomFloats, VARIANTS } from "./kernel_harness.ts";
import { buildModel } from "./model_builder.ts";

const random = randomFloats(4242);

/** A random integer in [low, high]. */
function integer(low: number, high: number): number {
  return Math.min(high, low + Math.floor(((random(1)[0] + 1) / 2) * (high - low + 1)));
}

type Op = "ADD" | "SUB" | "MUL";

/** Operand shapes: equal, one broadcast along the inner or the outer dimensions, a scalar. */
const SHAPES: [number[], number[]][] = [
  [[2, 5, 7, 19], [2, 5, 7, 19]],
  [[1, 6, 5, 24], [1, 1, 1, 24]],
  [[1, 1, 1, 17], [1, 9, 4, 17]],
  [[3, 4, 5, 1], [3, 4, 5, 13]],
  [[2, 33, 8], [1]],
  [[1], [4, 40]],
  [[300], [300]],
];

/** A random int8 `op` layer on `shapes`: its single-op model and its two inputs. */
function randomLayer(op: Op, [shapeA, shapeB]: [number[], number[]]) {
  const outputShape = shapeA.length >= shapeB.length
    ? shapeA.map((size, index) =>
      Math.max(size, shapeB[index - shapeA.length + shapeB.length] ?? 1)
    )
    : shapeB.map((size, index) =>
      Math.max(size, shapeA[index - shapeB.length + shapeA.length] ?? 1)
    );
  const quantization = (scale: number) => ({ scale: [scale], zeroPoint: [integer(-128, 127)] });
  const scale = () => 0.001 * 2 ** (integer(0, 100) / 10);
  const values = (shape: number[]) =>
    Int8Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => integer(-128, 127));
  const activation = (["NONE", "RELU", "RELU6", "RELU_N1_TO_1"] as const)[integer(0, 3)];
  const model = writeModel(buildModel({
    tensors: [
      { dtype: "int8", shape: shapeA, quantization: quantization(scale()) },
      { dtype: "int8", shape: shapeB, quantization: quantization(scale()) },
      { dtype: "int8", shape: outputShape, quantization: quantization(scale() * 4) },
    ],
    operators: [{
      op,
      inputs: [0, 1],
      outputs: [2],
      version: 2,
      optionsType: op === "MUL" ? "MulOptions" : op === "ADD" ? "AddOptions" : "SubOptions",
      options: { fusedActivationFunction: activation },
    }],
    inputs: [0, 1],
    outputs: [2],
  }));
  return { model, inputs: [values(shapeA), values(shapeB)], activation };
}

/** The layer's output, every int8 binary op given a table from `minTableElements` elements. */
async function run(
  layer: ReturnType<typeof randomLayer>,
  variant: (typeof VARIANTS)[number],
  threads: number,
  minTableElements: number,
): Promise<Int8Array> {
  const previous = setMinTableElements(minTableElements);
  try {
    const interpreter = await Interpreter.load(layer.model, { kernels: variant, threads });
    return interpreter.run(layer.inputs)[0] as Int8Array;
  } finally {
    setMinTableElements(previous);
  }
}

for (const variant of VARIANTS) {
  Deno.test(`int8 ADD, SUB and MUL looked up in their table match qs8_binary (${variant})`, async () => {
    const previous = setMinSplitWork(0);
    try {
      for (let trial = 0; trial < 21; trial++) {
        const op = (["ADD", "SUB", "MUL"] as const)[trial % 3];
        const shapes = SHAPES[Math.floor(trial / 3) % SHAPES.length];
        const layer = randomLayer(op, shapes);
        const expected = await run(layer, variant, 1, Infinity);
        for (const threads of [1, 2]) {
          const actual = await run(layer, variant, threads, 0);
          assert.deepEqual(
            actual,
            expected,
            `${op} ${JSON.stringify(shapes)} ${layer.activation}, ${threads} threads`,
          );
        }
      }
    } finally {
      setMinSplitWork(previous);
    }
  });
}
