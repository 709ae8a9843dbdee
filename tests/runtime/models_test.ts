/**
 * The float and float16-weight models run within 1e-4 * max(1, |reference|) of TensorFlow on
 * the shared reference inputs: the small ones from tests/fixtures, the MobileNets from
 * ../shared (skipped when absent), where the logits are compared too (TensorFlow's, made by
 * tools/make_logits_refs.py), since random-weight MobileNets output a flat softmax.
 */
import assert from "node:assert/strict";
import { readModel } from "../../src/format/reader.ts";
import { parseNpy } from "../../src/io/npy.ts";
import { Interpreter } from "../../src/runtime/interpreter.ts";
import { runSamples } from "../../src/runtime/samples.ts";
import { FIXTURES, readBytesSync, SHARED, skipWithoutShared } from "../helpers.ts";
import { assertClose } from "./compare.ts";

const FLOAT_MODELS = [
  "seed_mnist.float",
  "seed_mnist.f16",
  "seed_cifar_arch.float",
  "seed_cifar_arch.f16",
  "mobile_mnist.float",
  "mobile_mnist.f16",
  "tflm_hello_world_float",
  "alankrantas_mnist",
];

/** The reference inputs of a model: `NAME.inputs.npy` for a family `NAME.MODE`. */
function inputsPath(folder: string, name: string): string {
  return `${folder}/${name.split(".")[0]}.inputs.npy`;
}

for (const name of ["seed_mnist.float", "seed_cifar_arch.float", "seed_cifar_arch.f16"]) {
  Deno.test(`${name} on the plain-SIMD kernels is TensorFlow's reference, bit for bit`, async () => {
    const interpreter = await Interpreter.load(`${FIXTURES}/models/${name}.tflite`, {
      kernels: "simd",
    });
    const inputs = parseNpy(readBytesSync(inputsPath(`${FIXTURES}/reference`, name)));
    const expected = parseNpy(readBytesSync(`${FIXTURES}/reference/${name}.ref_outputs.npy`));
    const [actual] = runSamples(interpreter, [inputs]);
    assert.deepEqual(actual.data, expected.data);
  });
}

for (const name of FLOAT_MODELS) {
  Deno.test(`${name} matches TensorFlow on the reference inputs`, async () => {
    const interpreter = await Interpreter.load(`${FIXTURES}/models/${name}.tflite`);
    const inputs = parseNpy(readBytesSync(inputsPath(`${FIXTURES}/reference`, name)));
    const expected = parseNpy(readBytesSync(`${FIXTURES}/reference/${name}.ref_outputs.npy`));
    const [actual] = runSamples(interpreter, [inputs]);
    assert.deepEqual(actual.shape, expected.shape);
    assertClose(actual.data, expected.data, name);
  });
}

for (
  const name of ["mobilenet_v1.float", "mobilenet_v1.f16", "mobilenet_v2.float", "mobilenet_v2.f16"]
) {
  Deno.test(`${name} matches TensorFlow, outputs and logits`, async () => {
    if (skipWithoutShared(name)) return;
    const model = readModel(readBytesSync(`${SHARED}/models/${name}.tflite`));
    const subgraph = model.subgraphs[0];
    const softmax = subgraph.operators.findLast((operator) => operator.op === "SOFTMAX")!;
    subgraph.outputs.push(softmax.inputs[0]);
    const interpreter = await Interpreter.load(model);
    const inputs = parseNpy(readBytesSync(inputsPath(`${SHARED}/reference`, name)));
    const [outputs, logits] = runSamples(interpreter, [inputs]);
    const expected = parseNpy(readBytesSync(`${SHARED}/reference/${name}.ref_outputs.npy`));
    assertClose(outputs.data, expected.data, `${name} outputs`);
    const expectedLogits = parseNpy(readBytesSync(`${FIXTURES}/reference/${name}.logits.npy`));
    const classes = expectedLogits.shape[1];
    for (let sample = 0; sample < expectedLogits.shape[0]; sample++) {
      const want = (expectedLogits.data as Float32Array).subarray(
        sample * classes,
        (sample + 1) * classes,
      );
      const got = (logits.data as Float32Array).subarray(sample * classes, (sample + 1) * classes);
      const magnitude = Math.max(...want.map(Math.abs));
      // Relative to the row's largest logit: these logits are around 1e-11 and 1e-19.
      const scaled = (values: Float32Array) =>
        Float64Array.from(values, (value) => value / magnitude);
      assertClose(scaled(got), scaled(want), `${name} logits of sample ${sample}`);
    }
  });
}
