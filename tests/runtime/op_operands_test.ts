/**
 * Operands that do not fit their op end at load in `UnsupportedModelError` naming the operator
 * and tensor (the fuzz finds among them, once untyped errors inside kernels); indices known only
 * at run time in an `InvokeError` at invoke.
 */
import assert from "node:assert/strict";
import {
  Interpreter,
  InvokeError,
  readModel,
  UnsupportedModelError,
  writeModel,
} from "../../mod.ts";
import { elementCount } from "../../src/format/dtype.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";
import { assertRefused, seedWith } from "./robustness_helpers.ts";

/** Fuzz finds (tests/fixtures/robustness/fuzz_*), each once an untyped error inside a kernel. */
const FUZZ_FINDS: [string, RegExp][] = [
  [
    "gather_index_outside_axis",
    /^operator 0 GATHER \(version 2\): indices tensor 1 "GatherV2\/indices" holds 5, outside \[0, 3\) of axis 1 of input tensor 0 "x"$/,
  ],
  [
    "depthwise_uint8_input_unquantized",
    /^operator 0 DEPTHWISE_CONV_2D \(version 3\): tensor 0 "x" \(uint8\) has no quantization parameters$/,
  ],
  [
    "transpose_conv_output_unquantized",
    /^operator 0 TRANSPOSE_CONV \(version 3\): tensor 4 "Identity" \(uint8\) has no quantization parameters$/,
  ],
  [
    "transpose_conv_filter_unquantized",
    /^operator 0 TRANSPOSE_CONV \(version 3\): filter tensor 2 "conv2d_transpose" \(int8\) has no quantization parameters$/,
  ],
  [
    "transpose_conv_int16_short_bias",
    /^operator 0 TRANSPOSE_CONV \(version 3\): bias tensor 3 "[^"]+" has 4 values for 5 output channels$/,
  ],
  [
    "hybrid_conv_long_bias",
    /^subgraph 0, operator 8 CONV_2D \(version 5\): bias tensor 10 "[^"]+" has 49 values for 48 output channels$/,
  ],
  [
    "resize_nearest_empty_input",
    /^operator 0 RESIZE_NEAREST_NEIGHBOR \(version 3\): input tensor 0 "x" \[1,0,7,3\] has no pixels to resize$/,
  ],
  [
    "batch_to_space_negative_crops",
    /^operator 0 BATCH_TO_SPACE_ND \(version 1\): crops \[-2,1,1,0\] must not be negative$/,
  ],
];

for (const [name, message] of FUZZ_FINDS) {
  Deno.test(`load refuses fuzz find ${name}, naming the operator and tensor`, async () => {
    const bytes = readBytesSync(`${FIXTURES}/robustness/fuzz_${name}.tflite`);
    await assertRefused(bytes, UnsupportedModelError, message);
  });
}

Deno.test("operands of the wrong size are refused at load, naming the operator and tensor", async () => {
  // seed_mnist's FULLY_CONNECTED (operator 10) with one bias value too many.
  await assertRefused(
    seedWith((model) => {
      const bias = model.subgraphs[0].tensors[model.subgraphs[0].operators[10].inputs[2]];
      bias.shape = [bias.shape[0] + 1];
      bias.data = new Float32Array(bias.shape[0]);
    }),
    UnsupportedModelError,
    /^operator 10 FULLY_CONNECTED \(version \d+\): bias tensor \d+ "[^"]*" has 11 values for 10 output channels$/,
  );
  // A DEPTHWISE_CONV_2D filter must be [1, kH, kW, channels]: [3, 3, 3, 1] is a CONV_2D's.
  const depthwise = readModel(readBytesSync(`${FIXTURES}/ops/depthwise_3x3_same.tflite`));
  const filter = depthwise.subgraphs[0].tensors[depthwise.subgraphs[0].operators[0].inputs[1]];
  filter.shape = [filter.shape[3], filter.shape[1], filter.shape[2], 1];
  await assertRefused(
    writeModel(depthwise),
    UnsupportedModelError,
    /^operator 0 DEPTHWISE_CONV_2D \(version \d+\): filter tensor \d+ "[^"]*" has shape \[\d+,3,3,1\]; it must be \[1, kH, kW, a multiple of input \[[\d,]+\]'s \d+ channels\], kH and kW at least 1$/,
  );
});

Deno.test("GATHER indices computed at run time outside the axis end in an InvokeError", async () => {
  const model = readModel(readBytesSync(`${FIXTURES}/ops/gather.tflite`));
  const [main] = model.subgraphs;
  const indices = main.tensors[main.operators[0].inputs[1]];
  indices.data = null;
  indices.buffer = 0;
  main.inputs.push(main.operators[0].inputs[1]);
  const interpreter = await Interpreter.load(writeModel(model));
  interpreter.setInput(1, new Int32Array(elementCount(indices.shape)).fill(6));
  assert.throws(() => interpreter.invoke(), (error) => {
    assert.ok(error instanceof InvokeError && error instanceof UnsupportedModelError);
    assert.match(
      error.message,
      /^operator 0 GATHER \(version \d+\): indices tensor 1 "[^"]*" holds 6, outside \[0, 6\) of axis 1 of input tensor 0 "x"$/,
    );
    return true;
  });
  interpreter.setInput(1, new Int32Array(elementCount(indices.shape)).fill(5));
  interpreter.invoke();
});

Deno.test("every UNIDIRECTIONAL_SEQUENCE_LSTM weight, bias and layer norm is checked at load", async () => {
  const changes: [number, number[], RegExp][] = [
    [13, [3], /forget gate bias tensor \d+ "[^"]*" has shape \[3\]; it must be \[2\]$/],
    [22, [3], /cell gate layer norm weights tensor \d+ "[^"]*" has shape \[3\]; it must be \[2\]$/],
    [
      7,
      [2, 3],
      /cell gate recurrent weights tensor \d+ "[^"]*" has shape \[2,3\]; it must be \[2,2\]$/,
    ],
    [16, [3, 2], /projection weights tensor \d+ "[^"]*" has shape \[3,2\]; it must be \[2,2\]$/],
  ];
  for (const fixture of ["ops/unidirectional_sequence_lstm", "ops_dynamic/hybrid_lstm"]) {
    for (const [position, shape, message] of changes) {
      const model = readModel(readBytesSync(`${FIXTURES}/${fixture}.tflite`));
      const [main] = model.subgraphs;
      const tensor = main.tensors[main.operators[0].inputs[position]];
      tensor.shape = shape;
      const count = elementCount(shape);
      tensor.data = tensor.dtype === "int8" ? new Int8Array(count) : new Float32Array(count);
      await assertRefused(
        writeModel(model),
        UnsupportedModelError,
        new RegExp(
          `^operator 0 UNIDIRECTIONAL_SEQUENCE_LSTM \\(version \\d+\\): ${message.source}`,
        ),
      );
    }
  }
});

Deno.test("a CIFG integer LSTM with layer norm and TensorFlow's float intermediate 0 is refused", async () => {
  // TensorFlow's quantizer leaves the input gate's intermediate float; TFLite's kernel then gives
  // all zeros (the fixture quantizes it, and TensorFlow computes the LSTM).
  const model = readModel(readBytesSync(`${FIXTURES}/ops_graph/lstm_int8_layer_norm_cifg.tflite`));
  const [main] = model.subgraphs;
  const intermediate = main.tensors[main.operators[0].intermediates[0]];
  intermediate.dtype = "float32";
  intermediate.quantization = null;
  await assertRefused(
    writeModel(model),
    UnsupportedModelError,
    /^operator 0 UNIDIRECTIONAL_SEQUENCE_LSTM \(version \d+\): a layer-normalized integer LSTM without an input gate needs a quantized intermediate 0: TensorFlow Lite's prepare requires one/,
  );
});

Deno.test("an axis input of several values, an SVDF bias of the wrong shape are refused", async () => {
  const argMax = readModel(readBytesSync(`${FIXTURES}/ops/arg_max.tflite`));
  const axis = argMax.subgraphs[0].tensors[1];
  axis.shape = [2];
  axis.data = Int32Array.of(1, 0);
  await assertRefused(
    writeModel(argMax),
    UnsupportedModelError,
    /^operator 0 ARG_MAX \(version \d+\): axis tensor 1 "[^"]*" has 2 values for 1 axis$/,
  );
  const svdf = readModel(readBytesSync(`${FIXTURES}/ops_graph/svdf_float.tflite`));
  const bias = svdf.subgraphs[0].tensors[3];
  bias.shape = [3, 1];
  await assertRefused(
    writeModel(svdf),
    UnsupportedModelError,
    /^operator 0 SVDF \(version \d+\): bias tensor 3 "[^"]*" has shape \[3,1\]; it must be \[3\]$/,
  );
});

Deno.test("per-channel filter scales must run along the output channels", async () => {
  // Filter [3, 3, 7, 2] with 3 scales: along axis 1 they fit the file, not the op.
  const model = readModel(readBytesSync(`${FIXTURES}/ops_int8/conv_3x7_same_stride_2x1.tflite`));
  const filter = model.subgraphs[0].tensors[2];
  assert.equal(filter.quantization?.scale.length, 3);
  filter.quantization!.quantizedDimension = 1;
  await assertRefused(
    writeModel(model),
    UnsupportedModelError,
    /^operator 0 CONV_2D \(version \d+\): filter tensor 2 "[^"]*" has 3 scales along axis 1; per-channel filters have one per output channel \(3\) along axis 0$/,
  );
});

Deno.test("a convolution filter without taps is refused", async () => {
  const model = readModel(readBytesSync(`${FIXTURES}/ops/conv_1x1.tflite`));
  const filter = model.subgraphs[0].tensors[model.subgraphs[0].operators[0].inputs[1]];
  filter.shape = [33, 0, 1, 17];
  filter.data = new Float32Array(0);
  await assertRefused(
    writeModel(model),
    UnsupportedModelError,
    /^operator 0 CONV_2D \(version \d+\): filter tensor \d+ "[^"]*" has shape \[33,0,1,17\], which does not fit input/,
  );
});

Deno.test("a pooling window without taps is refused", async () => {
  for (const folder of ["ops", "ops_int8"]) {
    const model = readModel(readBytesSync(`${FIXTURES}/${folder}/avg_pool_2x2_valid.tflite`));
    model.subgraphs[0].operators[0].options!.filterHeight = 0;
    await assertRefused(
      writeModel(model),
      UnsupportedModelError,
      /^operator 0 AVERAGE_POOL_2D \(version \d+\): window 0, stride 2 and dilation 1 must be at least 1$/,
    );
  }
});
