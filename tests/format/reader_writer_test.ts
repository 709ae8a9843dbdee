import assert from "node:assert/strict";
import { FlatBufferBuilder } from "../../src/format/flatbuffer_builder.ts";
import { type Model, ModelFormatError, readModel, type Tensor, writeModel } from "../../mod.ts";
import { writePlain } from "../../src/format/plain.ts";
import { bytesOf } from "../../src/format/dtype.ts";

function tensor(fields: Partial<Tensor> & Pick<Tensor, "name" | "shape">): Tensor {
  return {
    dtype: "float32",
    shapeSignature: null,
    buffer: 0,
    data: null,
    quantization: null,
    isVariable: false,
    hasRank: true,
    sparsity: null,
    variantTensors: [],
    externalBuffer: 0,
    ...fields,
  };
}

/** y = relu(conv(x, w) + b) with a per-channel int8 weight, a custom op and a signature. */
function tinyModel(): Model {
  const weights = new Int8Array([-127, 0, 5, 127, 1, 2, 3, 4, -1, -2, -3, -4, 9, 8, 7, 6, 5, 4]);
  const bias = new Int32Array([1, -2]);
  return {
    version: 3,
    description: "liteq test",
    buffers: [new Uint8Array(0), bytesOf(weights), bytesOf(bias), new Uint8Array([1, 2, 3])],
    subgraphs: [{
      name: "main",
      tensors: [
        tensor({ name: "x", shape: [1, 4, 4, 1], shapeSignature: [-1, 4, 4, 1] }),
        tensor({
          name: "w",
          dtype: "int8",
          shape: [2, 3, 3, 1],
          buffer: 1,
          data: weights,
          quantization: {
            scale: [0.5, 0.25],
            zeroPoint: [0, 0],
            quantizedDimension: 0,
            min: [],
            max: [],
            details: null,
          },
        }),
        tensor({ name: "b", dtype: "int32", shape: [2], buffer: 2, data: bias }),
        tensor({ name: "y", shape: [1, 2, 2, 2] }),
        tensor({ name: "z", shape: [1, 2, 2, 2] }),
      ],
      inputs: [0],
      outputs: [4],
      operators: [
        {
          op: "CONV_2D",
          custom: false,
          version: 1,
          inputs: [0, 1, 2],
          outputs: [3],
          optionsType: "Conv2DOptions",
          options: {
            padding: "VALID",
            strideW: 1,
            strideH: 1,
            fusedActivationFunction: "RELU",
            dilationWFactor: 1,
            dilationHFactor: 1,
            quantizedBiasType: "float32",
          },
          customOptions: null,
          customOptionsFormat: "FLEXBUFFERS",
          mutatingVariableInputs: [],
          intermediates: [],
          debugMetadataIndex: -1,
        },
        {
          op: "MyCustomOp",
          custom: true,
          version: 1,
          inputs: [3, -1],
          outputs: [4],
          optionsType: null,
          options: null,
          customOptions: new Uint8Array([7, 7, 7]),
          customOptionsFormat: "FLEXBUFFERS",
          mutatingVariableInputs: [false, false],
          intermediates: [],
          debugMetadataIndex: -1,
        },
      ],
      debugMetadataIndex: -1,
    }],
    signatures: [{
      key: "serving_default",
      subgraphIndex: 0,
      inputs: [{ name: "x", tensorIndex: 0 }],
      outputs: [{ name: "z", tensorIndex: 4 }],
    }],
    metadata: [{ name: "min_runtime_version", buffer: 3 }],
    metadataBuffer: [],
    externalBufferGroups: [],
    externalBuffers: [],
  };
}

/** Writes a raw plain Model table, bypassing the IR writer's checks, to forge inconsistent files. */
function forge(edit: (model: Record<string, unknown>) => void): Uint8Array {
  const model = tinyModel();
  const plain: Record<string, unknown> = {
    version: 3,
    operatorCodes: [{ builtinCode: "CONV_2D", deprecatedBuiltinCode: 3, version: 1 }],
    subgraphs: [{
      tensors: model.subgraphs[0].tensors.slice(0, 4).map((t) => ({
        name: t.name,
        shape: t.shape,
        type: t.dtype,
        buffer: t.buffer,
      })),
      inputs: [0],
      outputs: [3],
      operators: [{ opcodeIndex: 0, inputs: [0, 1, 2], outputs: [3] }],
    }],
    buffers: [{}, { data: new Uint8Array(18) }, { data: new Uint8Array(8) }],
  };
  edit(plain);
  const builder = new FlatBufferBuilder(1024);
  // deno-lint-ignore no-explicit-any
  builder.finish(writePlain(builder, "Model", plain as any, "model"), "TFL3");
  return builder.asUint8Array();
}

function assertFormatError(bytes: Uint8Array, message: string | RegExp): void {
  assert.throws(() => readModel(bytes), (error: unknown) => {
    assert.ok(error instanceof ModelFormatError, `expected ModelFormatError, got ${error}`);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

Deno.test("a hand-built model survives write and read unchanged", () => {
  const model = tinyModel();
  const bytes = writeModel(model);
  assert.equal(new TextDecoder().decode(bytes.subarray(4, 8)), "TFL3");
  const read = readModel(bytes);
  assert.deepEqual(read, model);
  assert.ok(read.subgraphs[0].tensors[1].data instanceof Int8Array);
  assert.deepEqual(readModel(writeModel(read)), model);
});

Deno.test("constant data is a zero-copy view into the file bytes", () => {
  const model = tinyModel();
  const wide = new BigInt64Array([1n, -1n]);
  model.buffers.push(bytesOf(wide));
  model.subgraphs[0].tensors.push(
    tensor({ name: "c", dtype: "int64", shape: [2], buffer: 4, data: wide }),
  );
  const bytes = writeModel(model);
  const [, weights, bias, , , constant] = readModel(bytes).subgraphs[0].tensors;
  for (const data of [weights.data!, bias.data!, constant.data!]) {
    assert.equal(data.buffer, bytes.buffer);
    assert.equal(
      (data.byteOffset - bytes.byteOffset) % data.BYTES_PER_ELEMENT,
      0,
      "buffers are aligned for their element type",
    );
  }
});

Deno.test("changing a tensor's data changes the written buffer", () => {
  const model = tinyModel();
  model.subgraphs[0].tensors[2].data = new Int32Array([100, 200]);
  const read = readModel(writeModel(model));
  assert.deepEqual(Array.from(read.subgraphs[0].tensors[2].data as Int32Array), [100, 200]);
});

Deno.test("an absent shape signature stays absent and an empty one stays empty", () => {
  const model = tinyModel();
  model.subgraphs[0].tensors[3].shapeSignature = [];
  const read = readModel(writeModel(model));
  assert.deepEqual(read.subgraphs[0].tensors[3].shapeSignature, []);
  assert.equal(read.subgraphs[0].tensors[4].shapeSignature, null);
});

Deno.test("operator codes are rebuilt: custom code, extended builtin codes, versions", () => {
  const model = tinyModel();
  model.subgraphs[0].operators[0] = {
    ...model.subgraphs[0].operators[0],
    op: "STABLEHLO_COMPOSITE",
    version: 2,
    optionsType: "StableHLOCompositeOptions",
    options: { name: "odd", decompositionSubgraphIndex: 0, version: 3 },
  };
  const read = readModel(writeModel(model));
  const [composite, custom] = read.subgraphs[0].operators;
  assert.equal(composite.op, "STABLEHLO_COMPOSITE");
  assert.equal(composite.version, 2);
  assert.equal(composite.optionsType, "StableHLOCompositeOptions");
  assert.equal(composite.options?.name, "odd");
  assert.equal(composite.options?.version, 3);
  assert.equal(custom.op, "MyCustomOp");
  assert.ok(custom.custom);
  assert.deepEqual(Array.from(custom.customOptions!), [7, 7, 7]);
});

Deno.test("options keep 64-bit integers and enum vectors", () => {
  const model = tinyModel();
  model.subgraphs[0].operators[0] = {
    ...model.subgraphs[0].operators[0],
    op: "STABLEHLO_DOT_GENERAL",
    optionsType: "StablehloDotGeneralOptions",
    options: {
      lhsBatchingDimensions: [0n, 9007199254740993n],
      precisionConfig: ["HIGHEST", "DEFAULT"],
    },
  };
  const options = readModel(writeModel(model)).subgraphs[0].operators[0].options!;
  assert.deepEqual(options.lhsBatchingDimensions, [0n, 9007199254740993n]);
  assert.deepEqual(options.precisionConfig, ["HIGHEST", "DEFAULT"]);
  assert.equal(options.rhsBatchingDimensions, null);
});

Deno.test("the writer names what is inconsistent in the IR", () => {
  const wrongSize = tinyModel();
  wrongSize.subgraphs[0].tensors[1].data = new Int8Array(5);
  assert.throws(
    () => writeModel(wrongSize),
    { message: 'subgraph 0, tensor 1 "w": data holds 5 bytes, shape [2,3,3,1] int8 needs 18' },
  );
  const unknownOp = tinyModel();
  unknownOp.subgraphs[0].operators[0].op = "CONV_9D";
  assert.throws(
    () => writeModel(unknownOp),
    /operator 0 \(CONV_9D\): unknown builtin operator "CONV_9D"/,
  );
  const badOption = tinyModel();
  badOption.subgraphs[0].operators[0].options!.strideX = 2;
  assert.throws(() => writeModel(badOption), /Conv2DOptions has no field "strideX"/);
  const badEnum = tinyModel();
  badEnum.subgraphs[0].operators[0].options!.padding = "SOMETIMES";
  assert.throws(() => writeModel(badEnum), /"SOMETIMES" is not a Padding/);
});

Deno.test("short files and foreign files are refused with the reason", () => {
  assertFormatError(new Uint8Array(3), "3 bytes is too short for a TFLite model");
  const bytes = writeModel(tinyModel()).slice();
  bytes.set([0x54, 0x46, 0x4c, 0x32], 4);
  assertFormatError(bytes, 'not a TFLite model: the file identifier is "TFL2", not "TFL3"');
});

Deno.test("a constant whose buffer does not match its shape is refused, naming both", () => {
  const bytes = forge((model) => {
    (model.buffers as unknown[])[1] = { data: new Uint8Array(100) };
  });
  assertFormatError(
    bytes,
    'subgraph 0, tensor 1 "w": buffer 1 holds 100 bytes, shape [2,3,3,1] int8 needs 18',
  );
});

Deno.test("indices out of range are refused with their place", () => {
  assertFormatError(
    forge((model) => {
      // deno-lint-ignore no-explicit-any
      (model.subgraphs as any)[0].tensors[1].buffer = 9;
    }),
    'subgraph 0, tensor 1 "w": buffer index 9 is out of range (3 in all)',
  );
  assertFormatError(
    forge((model) => {
      // deno-lint-ignore no-explicit-any
      (model.subgraphs as any)[0].operators[0].inputs = [0, 1, 7];
    }),
    "subgraph 0, operator 0 (CONV_2D), input 2: tensor index 7 is out of range (4 in all)",
  );
  assertFormatError(
    forge((model) => {
      // deno-lint-ignore no-explicit-any
      (model.subgraphs as any)[0].operators[0].opcodeIndex = 4;
    }),
    "subgraph 0, operator 0: operator code index 4 is out of range (1 in all)",
  );
  assertFormatError(
    forge((model) => {
      // deno-lint-ignore no-explicit-any
      (model.subgraphs as any)[0].outputs = [-1];
    }),
    "subgraph 0, output 0: tensor index -1 is out of range (4 in all)",
  );
});

Deno.test("negative and oversized shapes are refused before anything is allocated", () => {
  assertFormatError(
    forge((model) => {
      // deno-lint-ignore no-explicit-any
      (model.subgraphs as any)[0].tensors[3].shape = [1, -2];
    }),
    'subgraph 0, tensor 3 "y": shape [1,-2] has a negative dimension',
  );
  const huge = forge((model) => {
    // deno-lint-ignore no-explicit-any
    (model.subgraphs as any)[0].tensors[3].shape = [65536, 65536, 65536];
  });
  assertFormatError(
    huge,
    /tensor 3 "y": shape \[65536,65536,65536\] has 281474976710656 elements, more than the limit of 268435456/,
  );
  assert.throws(
    () => readModel(writeModel(tinyModel()), { maxElements: 10 }),
    /tensor 0 "x": shape \[1,4,4,1\] has 16 elements, more than the limit of 10/,
  );
});

Deno.test("unknown enum values and union types are refused", () => {
  assertFormatError(
    forge((model) => {
      // deno-lint-ignore no-explicit-any
      (model.operatorCodes as any)[0] = { builtinCode: 4000, deprecatedBuiltinCode: 0, version: 1 };
    }),
    "operator code 0: unknown builtin operator 4000",
  );
  assertFormatError(
    forge((model) => {
      // deno-lint-ignore no-explicit-any
      (model.subgraphs as any)[0].tensors[0].type = 99;
    }),
    'subgraph 0, tensor 0 "x": unknown tensor type 99',
  );
});
