/**
 * Malformed models end at load in `ModelFormatError` or `UnsupportedModelError` naming the
 * operator and tensor: broken dataflow, computed shapes over `maxElements`, memory over the
 * budget (index maps included), no subgraphs. Labels and calibration samples that do not fit are
 * named. Operands that do not fit their op: `op_operands_test.ts`.
 */
import assert from "node:assert/strict";
import {
  Interpreter,
  type Model,
  ModelFormatError,
  quantize,
  QuantizeError,
  readModel,
  SampleError,
  UnsupportedModelError,
  writeModel,
} from "../../mod.ts";
import { elementCount } from "../../src/format/dtype.ts";
import { evaluateAccuracy } from "../../src/runtime/evaluate.ts";
import { Program } from "../../src/runtime/control_flow/program.ts";
import { OpContext } from "../../src/runtime/op.ts";
import { FILL, separableCopy } from "../../src/runtime/ops/movement/movement_common.ts";
import type { RuntimeTensor } from "../../src/runtime/tensor.ts";
import { Random } from "../fuzz/random.ts";
import { freshMemory } from "./kernel_harness.ts";
import { FIXTURES, modelsIn, readBytesSync } from "../helpers.ts";
import { assertRefused, SEED, seedWith } from "./robustness_helpers.ts";

const DATAFLOW: [string, (model: Model) => void, RegExp][] = [
  [
    "an op writing a model input",
    (model) => (model.subgraphs[0].operators[5].outputs = [0]),
    /^operator 5 MAX_POOL_2D: output 0 tensor 0 "[^"]*" is an input of the model$/,
  ],
  [
    "an op writing a constant",
    (model) => (model.subgraphs[0].operators[5].outputs = [3]),
    /^operator 5 MAX_POOL_2D: output 0 tensor 3 "[^"]*" is a constant$/,
  ],
  [
    "two ops writing one tensor",
    (model) => (model.subgraphs[0].operators[5].outputs = [14]),
    /^operator 5 MAX_POOL_2D: output 0 tensor 14 "[^"]*" is also written by operator 4$/,
  ],
  [
    "a model output that is a constant",
    (model) => (model.subgraphs[0].outputs = [4]),
    /^output 0 tensor 4 "[^"]*": is a constant; a model output must be computed$/,
  ],
  [
    "a subgraph whose operators were removed",
    (model) => (model.subgraphs[0].operators = []),
    /^output 0 tensor 20 "[^"]*": is written by no operator/,
  ],
  [
    "a tensor read before it is written",
    (model) => {
      const operators = model.subgraphs[0].operators;
      [operators[4], operators[5]] = [operators[5], operators[4]];
    },
    /^operator 4 MAX_POOL_2D: input 0 tensor 14 "[^"]*" is read before any operator writes it \(operator 5 writes it\)$/,
  ],
  [
    "a cycle",
    (model) => (model.subgraphs[0].operators[5].inputs = [15]),
    /^operator 5 MAX_POOL_2D: input 0 tensor 15 "[^"]*" is read before any operator writes it \(operator 5 writes it: a cycle\)$/,
  ],
];

for (const [name, change, message] of DATAFLOW) {
  Deno.test(`load refuses ${name}, naming the operator and tensor`, async () => {
    await assertRefused(seedWith(change), ModelFormatError, message);
  });
}

Deno.test("a model without subgraphs is a ModelFormatError", async () => {
  const bytes = seedWith((model) => {
    model.subgraphs = [];
    model.signatures = [];
  });
  await assertRefused(bytes, ModelFormatError, /^the model has no subgraphs$/);
  for (const [name, path] of modelsIn(`${FIXTURES}/robustness`)) {
    if (!/^(no|0)_subgraphs/.test(name)) continue;
    await assertRefused(readBytesSync(path), ModelFormatError, /no subgraphs/);
  }
});

Deno.test("a shape computed at load over maxElements is refused before it is allocated", async () => {
  const pad = readModel(readBytesSync(`${FIXTURES}/ops/pad.tflite`));
  (pad.subgraphs[0].tensors[1].data as Int32Array).set([0, 0, 1e5, 1e5, 1e5, 1e5, 0, 0]);
  await assertRefused(
    writeModel(pad),
    ModelFormatError,
    /^operator 0 PAD \(version \d+\): tensor 2 "Identity" would have shape \[1,200004,200005,3\], 120005400060 elements, more than the limit of 268435456$/,
  );
  await assert.rejects(
    Interpreter.load(readBytesSync(`${FIXTURES}/ops/pad.tflite`), { maxElements: 100 }),
    /operator 0 PAD .*: tensor 2 "Identity" would have shape \[1,7,8,3\], 168 elements, more than the limit of 100$/,
  );
});

Deno.test("the memory plan is checked against the memory budget, with the figures", async () => {
  // A 700-byte model whose three tensors hold 2^27 floats each: 1.5 GiB of activations.
  const add = readModel(readBytesSync(`${FIXTURES}/ops/add_relu.tflite`));
  for (const tensor of add.subgraphs[0].tensors) tensor.shape = [8192, 16384];
  const bytes = writeModel(add);
  assert.ok(bytes.byteLength < 1000);
  await assertRefused(
    bytes,
    UnsupportedModelError,
    /^activations: the memory plan needs 1610612736 bytes \(1536\.0 MiB\) for activations and scratch, beside \d+ bytes of constants and weights: more than the memory budget of 1073741824 bytes \(option memoryBudget\)$/,
  );
  // One tensor over the budget is refused as soon as its shape is known, before any op is prepared.
  for (const tensor of add.subgraphs[0].tensors) tensor.shape = [16384, 16384];
  await assertRefused(
    writeModel(add),
    UnsupportedModelError,
    /^input 0: tensor 0 "a" takes 1073741824 bytes \(1024\.0 MiB\) beside the \d+ in use: more than the memory budget of 1073741824 bytes/,
  );
  const pad = readModel(readBytesSync(`${FIXTURES}/ops/pad.tflite`));
  (pad.subgraphs[0].tensors[1].data as Int32Array).set([0, 0, 1000, 1000, 1000, 1000, 0, 0]);
  await assert.rejects(
    Interpreter.load(writeModel(pad), { memoryBudget: 2 ** 24 }),
    /^UnsupportedModelError: operator 0 PAD \(version \d+\): tensor 2 "Identity" takes 48216240 bytes \(46\.0 MiB\) beside the \d+ in use: more than the memory budget of 16777216 bytes/,
  );
  await assert.rejects(Interpreter.load(SEED, { memoryBudget: 100_000 }), (error) => {
    assert.ok(error instanceof UnsupportedModelError);
    assert.match(
      error.message,
      /^operator 10 FULLY_CONNECTED \(version 1\): needs \d+ bytes of wasm memory \(0\.1 MiB\), more than the memory budget of 100000 bytes/,
    );
    return true;
  });
  const roomy = await Interpreter.load(SEED, { memoryBudget: 2 ** 24 });
  assert.ok(roomy.memoryBytes <= 2 ** 24);
});

Deno.test("load refuses a model input that is a constant", async () => {
  await assertRefused(
    seedWith((model) => model.subgraphs[0].inputs.push(3)),
    ModelFormatError,
    /^input 1 tensor 3 "[^"]*": is a constant; a model input is filled by the caller$/,
  );
});

Deno.test("inputShapes are checked like computed shapes, and must not outnumber the inputs", async () => {
  await assert.rejects(
    Interpreter.load(SEED, { inputShapes: [[1, 28, 28], [1]] }),
    /^RangeError: inputShapes has 2 shapes; the model takes 1 inputs$/,
  );
  await assert.rejects(
    Interpreter.load(SEED, { inputShapes: [[1, -28, 28]] }),
    /^ModelFormatError: input 0 \(option inputShapes\): tensor 0 "[^"]*" would have shape \[1,-28,28\], which is not a shape$/,
  );
  const batch = await Interpreter.load(SEED, { inputShapes: [[4, 28, 28]] });
  assert.deepEqual(batch.inputDetails()[0].shape, [4, 28, 28]);
});

Deno.test("evaluateAccuracy checks the labels against the classes before running a sample", async () => {
  const interpreter = await Interpreter.load(SEED);
  const data = { dtype: "float32" as const, shape: [2, 28, 28], data: new Float32Array(1568) };
  assert.throws(
    () =>
      evaluateAccuracy(interpreter, data, {
        dtype: "int32",
        shape: [2],
        data: Int32Array.of(3, 10),
      }),
    (error) => {
      assert.ok(error instanceof SampleError);
      assert.match(error.message, /^label 1 is 10; output "[^"]*" scores 10 classes \(0 to 9\)$/);
      return true;
    },
  );
});

Deno.test("a QuantizeError about the representative dataset names the sample", async () => {
  const model = readModel(readBytesSync(SEED));
  const dataset = [new Float32Array(784), new Float32Array(10)];
  await assert.rejects(
    quantize(model, { mode: "int8", representativeDataset: dataset }),
    (error) => {
      assert.ok(error instanceof QuantizeError);
      assert.equal(error.sample, 1);
      assert.match(error.message, /^calibration sample 1, input 0: 10 values/);
      return true;
    },
  );
  await assert.rejects(quantize(model, { mode: "int8", representativeDataset: [] }), (error) => {
    assert.ok(error instanceof QuantizeError);
    assert.equal(error.sample, undefined);
    return true;
  });
});

Deno.test("separable copies equal the index map they replace, rows merged or not", async () => {
  const memory = await freshMemory();
  const tensor = (index: number, shape: number[]): RuntimeTensor => ({
    index,
    name: `t${index}`,
    dtype: "int16",
    shape,
    quantization: null,
    sparsity: null,
    offset: memory.allocate(elementCount(shape) * 2),
    data: null,
    constant: false,
    isVariable: false,
  });
  const random = new Random(7);
  for (const shape of [[3, 5, 7, 2], [2, 3000, 3], [5000], [70, 70], []]) {
    const input = tensor(0, shape.map((size) => size + 2));
    const output = tensor(1, shape);
    // Per axis: ascending with its ends FILL (PAD, copied in blocks), reversed (MIRROR_PAD), or
    // a shuffle with some FILL (element by element).
    const strides = input.shape.map((_, axis) => elementCount(input.shape.slice(axis + 1)));
    const tables = shape.map((size, axis) => {
      const mode = axis === shape.length - 1 && size === 5000 ? 0 : random.below(3);
      return Array.from({ length: size }, (_, index) => {
        if (mode === 0) return index === 0 || index === size - 1 ? FILL : index * strides[axis];
        if (mode === 1) return (size - 1 - index) * strides[axis];
        return random.below(10) === 0 ? FILL : random.below(size) * strides[axis];
      });
    });
    const model = readModel(readBytesSync(SEED));
    const operator = model.subgraphs[0].operators[0];
    const program = new Program(model, memory);
    const context = new OpContext(operator, "test", [input], [output], [], memory, program);
    const prepared = separableCopy(
      context,
      input,
      output,
      tables.map((table) => (index: number) => table[index]),
      Int16Array.of(-9),
    );
    const source = memory.view("int16", input.offset, elementCount(input.shape)) as Int16Array;
    source.forEach((_, index) => (source[index] = index % 30000));
    prepared.run(0);
    const expected = new Int16Array(elementCount(shape));
    expected.forEach((_, index) => {
      let rest = index;
      let from = 0;
      for (let axis = shape.length - 1; axis >= 0; axis--) {
        const term = tables[axis][rest % shape[axis]];
        from = term === FILL || from === FILL ? FILL : from + term;
        rest = Math.floor(rest / shape[axis]);
      }
      expected[index] = from === FILL ? -9 : (from % 30000);
    });
    assert.deepEqual(memory.view("int16", output.offset, expected.length), expected, `[${shape}]`);
  }
});

Deno.test("data movement keeps no map of its output: a 46 MiB PAD takes its tensors' bytes", async () => {
  const pad = readModel(readBytesSync(`${FIXTURES}/ops/pad.tflite`));
  (pad.subgraphs[0].tensors[1].data as Int32Array).set([0, 0, 1000, 1000, 1000, 1000, 0, 0]);
  const interpreter = await Interpreter.load(writeModel(pad), { memoryBudget: 2 ** 26 });
  const outputBytes = 4 * elementCount(interpreter.outputDetails()[0].shape);
  assert.equal(outputBytes, 48216240);
  assert.ok(interpreter.memoryBytes < outputBytes + 2 ** 20, `${interpreter.memoryBytes} bytes`);
  interpreter.setInput(
    0,
    new Float32Array(elementCount(interpreter.inputDetails()[0].shape)).fill(1),
  );
  interpreter.invoke();
  const output = interpreter.output(0) as Float32Array;
  assert.equal(
    output.reduce((sum, value) => sum + value, 0),
    elementCount(interpreter.inputDetails()[0].shape),
  );
});

Deno.test("reductions walk rows of a table, no map of their input, and keep their results", async () => {
  const shape = [2, 500, 600, 7];
  const count = elementCount(shape);
  const values = Float32Array.from({ length: count }, (_, index) => ((index * 7919) % 1000) / 250);
  for (const axes of [[1, 2], [0, 3]]) {
    const mean = readModel(readBytesSync(`${FIXTURES}/ops/mean_keepdims.tflite`));
    mean.subgraphs[0].tensors[0].shape = shape;
    mean.subgraphs[0].tensors[1].data = Int32Array.from(axes);
    const interpreter = await Interpreter.load(writeModel(mean));
    assert.ok(interpreter.memoryBytes < count * 4 + 2 ** 21, `${interpreter.memoryBytes} bytes`);
    interpreter.setInput(0, values);
    interpreter.invoke();
    const outputShape = shape.map((size, axis) => (axes.includes(axis) ? 1 : size));
    const sums = new Float32Array(elementCount(outputShape));
    const strides = outputShape.map((_, axis) => elementCount(outputShape.slice(axis + 1)));
    values.forEach((value, index) => {
      let slot = 0;
      for (let axis = shape.length - 1, rest = index; axis >= 0; axis--) {
        if (!axes.includes(axis)) slot += (rest % shape[axis]) * strides[axis];
        rest = Math.floor(rest / shape[axis]);
      }
      sums[slot] = Math.fround(sums[slot] + value);
    });
    const perOutput = count / sums.length;
    assert.deepEqual(interpreter.output(0), sums.map((sum) => sum / perOutput), `axes [${axes}]`);
  }
});
