/**
 * What a project using liteq checks, in plain JavaScript so that Node, Bun and a browser run it
 * as it is (tests/package/package_test.ts, tests/browser/index.html): seed_mnist's float model,
 * read and written back, runs on the plain-SIMD kernels to TensorFlow's reference outputs bit for
 * bit, and quantized to float16 runs within 1e-4 * max(1, |reference|) of TensorFlow's float16
 * model.
 */

/** The fixture files the check reads, relative to `tests/fixtures/`. */
export const SEED_MNIST_FILES = {
  model: "models/seed_mnist.float.tflite",
  inputs: "reference/seed_mnist.inputs.npy",
  floatReference: "reference/seed_mnist.float.ref_outputs.npy",
  float16Reference: "reference/seed_mnist.f16.ref_outputs.npy",
};

/** Throws naming the first element where `actual` differs from `expected` by more than allowed. */
function expectClose(actual, expected, what, tolerance) {
  if (actual.data.length !== expected.data.length) {
    throw new Error(`${what}: ${actual.data.length} values, expected ${expected.data.length}`);
  }
  for (let index = 0; index < expected.data.length; index++) {
    const want = expected.data[index];
    const got = actual.data[index];
    const allowed = tolerance * Math.max(1, Math.abs(want));
    if (!(Math.abs(got - want) <= allowed)) {
      throw new Error(`${what}: element ${index} is ${got}, expected ${want} (within ${allowed})`);
    }
  }
}

/** The index of the highest score of each sample (rows of a [samples, classes] array). */
function top1(outputs) {
  const classes = outputs.shape[1];
  const labels = [];
  for (let row = 0; row < outputs.shape[0]; row++) {
    const scores = Array.from(outputs.data.subarray(row * classes, (row + 1) * classes));
    labels.push(scores.indexOf(Math.max(...scores)));
  }
  return labels;
}

/**
 * Runs the check with `liteq` (the package's module) on the bytes of `SEED_MNIST_FILES`; throws
 * on a mismatch, and returns the number of samples and each sample's predicted digit.
 */
export async function checkSeedMnist(liteq, files) {
  const { Interpreter, parseNpy, quantize, readModel, runSamples, writeModel } = liteq;
  const model = readModel(files.model);
  const inputs = parseNpy(files.inputs);
  const float = await Interpreter.load(writeModel(model), { kernels: "simd" });
  const [floatOutputs] = runSamples(float, [inputs]);
  expectClose(floatOutputs, parseNpy(files.floatReference), "float32", 0);
  const float16 = await Interpreter.load(writeModel(await quantize(model, { mode: "float16" })));
  const [float16Outputs] = runSamples(float16, [inputs]);
  expectClose(float16Outputs, parseNpy(files.float16Reference), "float16", 1e-4);
  return { samples: inputs.shape[0], digits: top1(floatOutputs) };
}
