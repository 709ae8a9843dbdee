"""Builds models of ops that TensorFlow's converter does not emit from Python code (SVDF, the
full-integer LSTM, TFLite_Detection_PostProcess) with tools/tflite_graph.py, and records
TensorFlow's interpreter (reference kernels) running them.

Developer tool, not a dependency (tensorflow-cpu 2.21):
  python tools/make_graph_fixtures.py tests/fixtures/ops_graph [NAME ...]
Each case NAME gives NAME.tflite, NAME.input{i}.npy and NAME.output{j}.npy whose first axis is
the invocation: the model runs once per entry, in order, its state carried from one to the next.
Every case runs in its own process with a timeout (TensorFlow's reference resolver can abort).
"""
import os
import subprocess
import sys
import zlib

import numpy as np

TIMEOUT_SECONDS = 120
cases = {}


def case(name):
    def register(fn):
        cases[name] = fn
        return fn
    return register


def svdf(rng, kind, asymmetric=False):
    """SVDF, batch 2, 5 inputs, 6 filters of rank 2 (3 units), memory 4: float32, hybrid or int8."""
    import tensorflow as tf
    from tensorflow.lite.python import schema_py_generated as schema
    from tflite_graph import Graph
    batches, inputs, filters, rank, memory = 2, 5, 6, 2, 4
    graph = Graph()
    options = schema.SVDFOptionsT()
    options.rank = rank
    options.fusedActivationFunction = schema.ActivationFunctionType.RELU
    options.asymmetricQuantizeInputs = asymmetric
    feature = rng.normal(0, 0.5, (filters, inputs))
    time = rng.normal(0, 0.5, (filters, memory))
    bias = rng.normal(0, 0.3, (filters // rank,))
    if kind == "int8":
        x = graph.input("input", np.int8, (batches, inputs), scale=0.05, zero_point=3)
        wf = graph.tensor("weights_feature", np.int8, feature.shape,
                          np.clip(np.round(feature / 0.01), -127, 127), scale=0.01)
        wt = graph.tensor("weights_time", np.int16, time.shape,
                          np.round(time / 0.0001), scale=0.0001)
        b = graph.tensor("bias", np.int32, bias.shape, np.round(bias / 1e-7))
        state = graph.tensor("state", np.int16, (batches, memory * filters), scale=0.0003,
                             variable=True)
        y = graph.tensor("output", np.int8, (batches, filters // rank), scale=0.01,
                         zero_point=-128)
        samples = rng.integers(-128, 128, (6, batches, inputs)).astype(np.int8)
    else:
        x = graph.input("input", np.float32, (batches, inputs))
        if kind == "hybrid":
            wf = graph.tensor("weights_feature", np.int8, feature.shape,
                              np.clip(np.round(feature / 0.01), -127, 127), scale=0.01)
            wt = graph.tensor("weights_time", np.int8, time.shape,
                              np.clip(np.round(time / 0.01), -127, 127), scale=0.01)
        else:
            wf = graph.tensor("weights_feature", np.float32, feature.shape, feature)
            wt = graph.tensor("weights_time", np.float32, time.shape, time)
        b = graph.tensor("bias", np.float32, bias.shape, bias)
        state = graph.tensor("state", np.float32, (batches, memory * filters), variable=True)
        y = graph.tensor("output", np.float32, (batches, filters // rank))
        samples = rng.normal(0, 1, (6, batches, inputs)).astype(np.float32)
        samples[2] = 0  # an all-zero input skips the feature product in the hybrid kernel
    graph.operator(schema.BuiltinOperator.SVDF, [x, wf, wt, b, state], [y],
                   schema.BuiltinOptions.SVDFOptions, options)
    return graph.bytes([y]), [samples]


case("svdf_float")(lambda rng: svdf(rng, "float"))
case("svdf_hybrid")(lambda rng: svdf(rng, "hybrid"))
case("svdf_hybrid_asymmetric")(lambda rng: svdf(rng, "hybrid", asymmetric=True))
case("svdf_int8")(lambda rng: svdf(rng, "int8"))


def float_lstm(rng, batches, steps, inputs, cells, peephole=False, cifg=False, projection=0,
               layer_norm=0.0, cell_clip=0.0, time_major=False):
    """A float32 UNIDIRECTIONAL_SEQUENCE_LSTM (TANH), with `projection` outputs, layer norm
    coefficients around `layer_norm` and a cell clip when given."""
    from tensorflow.lite.python import schema_py_generated as schema
    from tflite_graph import Graph
    graph = Graph()
    x = graph.input("input", np.float32,
                    (steps, batches, inputs) if time_major else (batches, steps, inputs))
    position = [x]
    gates = ("input", "forget", "cell", "output")
    outputs = projection or cells
    for source, width in (("input", inputs), ("recurrent", outputs)):
        for gate in gates:
            if cifg and gate == "input":
                position.append(-1)
                continue
            position.append(graph.tensor(f"{source}_to_{gate}", np.float32, (cells, width),
                                         rng.normal(0, 0.4, (cells, width))))
    for gate in ("input", "forget", "output"):
        if peephole and not (cifg and gate == "input"):
            position.append(graph.tensor(f"cell_to_{gate}", np.float32, (cells,),
                                         rng.normal(0, 0.3, cells)))
        else:
            position.append(-1)
    for gate in gates:
        if cifg and gate == "input":
            position.append(-1)
            continue
        position.append(graph.tensor(f"{gate}_bias", np.float32, (cells,),
                                     rng.normal(0, 0.3, cells) + (1 if gate == "forget" else 0)))
    if projection:
        position.append(graph.tensor("projection", np.float32, (outputs, cells),
                                     rng.normal(0, 0.4, (outputs, cells))))
        position.append(graph.tensor("projection_bias", np.float32, (outputs,),
                                     rng.normal(0, 0.2, outputs)))
    else:
        position += [-1, -1]
    position.append(graph.tensor("output_state", np.float32, (batches, outputs), variable=True))
    position.append(graph.tensor("cell_state", np.float32, (batches, cells), variable=True))
    for gate in gates:  # layer norm coefficients around `layer_norm`, or none
        if layer_norm and not (cifg and gate == "input"):
            position.append(graph.tensor(f"{gate}_norm", np.float32, (cells,),
                                         layer_norm * rng.uniform(0.5, 1.5, cells)))
        else:
            position.append(-1)
    y = graph.tensor("output", np.float32,
                     (steps, batches, outputs) if time_major else (batches, steps, outputs))
    options = schema.UnidirectionalSequenceLSTMOptionsT()
    options.fusedActivationFunction = schema.ActivationFunctionType.TANH
    options.timeMajor = time_major
    options.cellClip = cell_clip
    # The calibrator records the gates' and the hidden state's ranges in 5 intermediates.
    intermediates = [graph.tensor(f"intermediate_{i}", np.float32, (0,)) for i in range(5)]
    graph.operator(schema.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, position, [y],
                   schema.BuiltinOptions.UnidirectionalSequenceLSTMOptions, options,
                   intermediates=intermediates)
    return graph.bytes([y])


def integer_lstm(rng, model, invocations=3):
    """TensorFlow's calibrating quantizer on a float LSTM model: int8 input and output, int16
    cell state, int8 weights (the form TensorFlow Lite Micro's sequence models take)."""
    import tensorflow as tf
    from tensorflow.lite.python.optimize import calibrator
    shape = tf.lite.Interpreter(model_content=model).get_input_details()[0]["shape"]

    def representative():
        for _ in range(16):
            yield [rng.normal(0, 1, shape).astype(np.float32)]
    quantized = calibrator.Calibrator(model).calibrate_and_quantize(
        representative, tf.int8, tf.int8, False, activations_type=tf.int8)
    detail = tf.lite.Interpreter(model_content=quantized).get_input_details()[0]
    scale, zero = detail["quantization"]
    samples = rng.normal(0, 1, (invocations, *shape))
    return quantized, [np.clip(np.round(samples / scale) + zero, -128, 127).astype(np.int8)]


case("lstm_int8_projection")(lambda rng: integer_lstm(rng, float_lstm(rng, 2, 3, 4, 6, projection=3)))
case("lstm_int8_time_major")(
    lambda rng: integer_lstm(rng, float_lstm(rng, 3, 4, 5, 7, time_major=True)))
case("lstm_int8_layer_norm")(
    lambda rng: integer_lstm(rng, float_lstm(rng, 2, 3, 4, 8, layer_norm=3.0, cell_clip=0.5)))
case("lstm_int8_layer_norm_peephole")(lambda rng: integer_lstm(
    rng, float_lstm(rng, 1, 3, 5, 6, peephole=True, layer_norm=2.0)))
case("lstm_int8")(lambda rng: integer_lstm(rng, float_lstm(rng, 2, 4, 5, 8)))
case("lstm_int8_peephole_cifg")(
    lambda rng: integer_lstm(rng, float_lstm(rng, 1, 3, 4, 6, peephole=True, cifg=True)))


def with_input_gate_intermediate_quantized(quantized):
    """The model with its LSTM's intermediate 0 (the input gate's, which a CIFG LSTM lacks) int16
    at 2^-12. With layer norm, TensorFlow Lite's prepare requires every gate intermediate to be
    quantized, this one included though nothing reads it; TensorFlow's quantizer leaves it float,
    so its prepare stops early (its status unchecked) and the kernel runs with zero multipliers:
    every output is 0. Quantized, TensorFlow computes the CIFG LSTM with layer norm."""
    import flatbuffers
    from tensorflow.lite.python import schema_py_generated as schema
    tree = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(quantized, 0))
    graph = tree.subgraphs[0]
    intermediate = graph.tensors[graph.operators[0].intermediates[0]]
    intermediate.type = schema.TensorType.INT16
    intermediate.quantization = schema.QuantizationParametersT()
    intermediate.quantization.scale, intermediate.quantization.zeroPoint = [2.0 ** -12], [0]
    builder = flatbuffers.Builder(1024)
    builder.Finish(tree.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def integer_cifg_layer_norm_lstm(rng):
    model, inputs = integer_lstm(rng, float_lstm(rng, 2, 3, 4, 6, cifg=True, layer_norm=2.0,
                                                 cell_clip=0.8))
    return with_input_gate_intermediate_quantized(model), inputs


case("lstm_int8_layer_norm_cifg")(integer_cifg_layer_norm_lstm)


def detection_postprocess(rng, regular, quantized=False, max_classes_per_detection=1):
    """TFLite_Detection_PostProcess over 48 overlapping anchors and 3 classes plus background."""
    from flatbuffers import flexbuffers
    from tflite_graph import Graph
    anchors_count, classes = 48, 3
    centers = rng.uniform(0.2, 0.8, (anchors_count, 2))
    sizes = rng.uniform(0.1, 0.4, (anchors_count, 2))
    anchors = np.concatenate([centers, sizes], 1).astype(np.float32)
    encodings = rng.normal(0, 1, (2, 1, anchors_count, 4)).astype(np.float32)
    scores = rng.uniform(0, 1, (2, 1, anchors_count, classes + 1)).astype(np.float32)
    scores[:, :, ::7] = 0.3  # ties in score
    graph = Graph()
    if quantized:  # uint8: TensorFlow's interpreter refuses int8 inputs to this op
        box_scale, score_scale, anchor_scale = 0.05, 1 / 255, 0.004
        encodings = np.clip(np.round(encodings / box_scale) + 128, 0, 255).astype(np.uint8)
        scores = np.clip(np.round(scores / score_scale), 0, 255).astype(np.uint8)
        x = graph.input("box_encodings", np.uint8, encodings.shape[1:], scale=box_scale,
                        zero_point=128)
        y = graph.input("class_predictions", np.uint8, scores.shape[1:], scale=score_scale)
        a = graph.tensor("anchors", np.uint8, anchors.shape,
                         np.clip(np.round(anchors / anchor_scale), 0, 255), scale=anchor_scale)
    else:
        x = graph.input("box_encodings", np.float32, encodings.shape[1:])
        y = graph.input("class_predictions", np.float32, scores.shape[1:])
        a = graph.tensor("anchors", np.float32, anchors.shape, anchors)
    max_detections = 10
    detected = max_detections * max_classes_per_detection
    outputs = [graph.tensor("boxes", np.float32, (1, detected, 4)),
               graph.tensor("classes", np.float32, (1, detected)),
               graph.tensor("scores", np.float32, (1, detected)),
               graph.tensor("count", np.float32, (1,))]
    options = flexbuffers.Dumps({
        "max_detections": max_detections, "max_classes_per_detection": max_classes_per_detection,
        "detections_per_class": 5, "use_regular_nms": regular, "nms_score_threshold": 0.3,
        "nms_iou_threshold": 0.5, "num_classes": classes, "y_scale": 10.0, "x_scale": 10.0,
        "h_scale": 5.0, "w_scale": 5.0})
    graph.operator(0, [x, y, a], outputs, custom="TFLite_Detection_PostProcess",
                   custom_options=options)
    return graph.bytes(outputs), [encodings, scores]


case("detection_postprocess_regular")(lambda rng: detection_postprocess(rng, True))
case("detection_postprocess_fast")(lambda rng: detection_postprocess(rng, False))
case("detection_postprocess_fast_two_classes")(
    lambda rng: detection_postprocess(rng, False, max_classes_per_detection=2))
case("detection_postprocess_uint8")(lambda rng: detection_postprocess(rng, True, quantized=True))


def strided_slice(rng, shape, begin, end, strides, **masks):
    """STRIDED_SLICE with explicit masks (TensorFlow's converter expands ellipses and new axes
    itself, other producers leave them in the file)."""
    from tensorflow.lite.python import schema_py_generated as schema
    from tflite_graph import Graph
    graph = Graph()
    x = graph.input("input", np.float32, shape)
    arguments = [graph.tensor(name, np.int32, (len(values),), values)
                 for name, values in (("begin", begin), ("end", end), ("strides", strides))]
    y = graph.tensor("output", np.float32, (1,))
    options = schema.StridedSliceOptionsT()
    for key, value in masks.items():
        setattr(options, key, value)
    graph.operator(schema.BuiltinOperator.STRIDED_SLICE, [x, *arguments], [y],
                   schema.BuiltinOptions.StridedSliceOptions, options)
    return graph.bytes([y]), [rng.normal(0, 1, (1, *shape)).astype(np.float32)]


case("strided_slice_ellipsis_mask")(lambda rng: strided_slice(
    rng, (2, 3, 4, 5), [0, 0], [0, 3], [1, 2], ellipsisMask=0b01))
case("strided_slice_new_axis_ellipsis_reverse")(lambda rng: strided_slice(
    rng, (3, 4, 5), [0, 1, 0, 0], [0, 3, 0, 0], [1, 1, 1, -1], newAxisMask=0b0001,
    ellipsisMask=0b0100, beginMask=0b1000, endMask=0b1000))
case("strided_slice_shrink_new_axis_ellipsis")(lambda rng: strided_slice(
    rng, (2, 3, 4), [1, 0, 0, 2], [2, 0, 0, 3], [1, 1, 1, 1], shrinkAxisMask=0b1001,
    newAxisMask=0b0010, ellipsisMask=0b0100))


def embedding_lookup(rng, table_type, output_type=np.float32):
    """EMBEDDING_LOOKUP of int32 ids in a 10 x 6 table: float32, int8 with one scale into float32
    (hybrid), or int8 into int8."""
    from tensorflow.lite.python import schema_py_generated as schema
    from tflite_graph import Graph
    graph = Graph()
    ids = graph.input("ids", np.int32, (4,))
    table = rng.normal(0, 1, (10, 6))
    if table_type == np.int8:
        t = graph.tensor("table", np.int8, table.shape, np.clip(np.round(table / 0.02), -127, 127),
                         scale=0.02)
    else:
        t = graph.tensor("table", np.float32, table.shape, table)
    y = graph.tensor("output", output_type, (4, 6), **({"scale": 0.02} if output_type == np.int8 else {}))
    graph.operator(schema.BuiltinOperator.EMBEDDING_LOOKUP, [ids, t], [y])
    return graph.bytes([y]), [rng.integers(0, 10, (2, 4)).astype(np.int32)]


case("embedding_lookup")(lambda rng: embedding_lookup(rng, np.float32))
case("embedding_lookup_hybrid")(lambda rng: embedding_lookup(rng, np.int8))
case("embedding_lookup_int8")(lambda rng: embedding_lookup(rng, np.int8, np.int8))


def where(rng):
    """WHERE of a constant condition (known at load) added to a float input, so that the model has
    an input to run with."""
    from tensorflow.lite.python import schema_py_generated as schema
    from tflite_graph import Graph
    graph = Graph()
    condition = rng.uniform(size=(3, 4)) < 0.4
    c = graph.tensor("condition", np.bool_, condition.shape, condition)
    coordinates = graph.tensor("coordinates", np.int64, (1, 2))
    graph.operator(schema.BuiltinOperator.WHERE, [c], [coordinates])
    x = graph.input("x", np.float32, (1,))
    cast = graph.tensor("cast", np.float32, (1, 2))
    graph.operator(schema.BuiltinOperator.CAST, [coordinates], [cast])
    y = graph.tensor("y", np.float32, (1, 2))
    graph.operator(schema.BuiltinOperator.ADD, [cast, x], [y])
    return graph.bytes([y]), [rng.normal(0, 1, (2, 1)).astype(np.float32)]


case("where_constant")(where)


def make_one(out_dir, name):
    import tensorflow as tf
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    model, inputs = cases[name](rng)
    interpreter = tf.lite.Interpreter(
        model_content=model,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF)
    interpreter.allocate_tensors()
    outputs = [[] for _ in interpreter.get_output_details()]
    for step in range(len(inputs[0])):
        for detail, values in zip(interpreter.get_input_details(), inputs):
            interpreter.set_tensor(detail["index"], values[step])
        interpreter.invoke()
        for j, detail in enumerate(interpreter.get_output_details()):
            outputs[j].append(interpreter.get_tensor(detail["index"]))
    with open(os.path.join(out_dir, f"{name}.tflite"), "wb") as f:
        f.write(model)
    for i, values in enumerate(inputs):
        np.save(os.path.join(out_dir, f"{name}.input{i}.npy"), values)
    for j, values in enumerate(outputs):
        np.save(os.path.join(out_dir, f"{name}.output{j}.npy"), np.stack(values))
    print(name, "made,", len(inputs[0]), "invocations")


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    arguments = sys.argv[1:]
    if arguments[0] == "--one":
        make_one(arguments[1], arguments[2])
        return
    out_dir, only = arguments[0], set(arguments[1:])
    os.makedirs(out_dir, exist_ok=True)
    for name in cases:
        if only and name not in only:
            continue
        try:
            result = subprocess.run([sys.executable, __file__, "--one", out_dir, name],
                                    capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
            lines = (result.stdout.strip() or result.stderr.strip()).splitlines()
            print(lines[-1] if lines else f"{name}: exit {result.returncode}")
        except subprocess.TimeoutExpired:
            print(name, f"not made: TensorFlow took over {TIMEOUT_SECONDS} s")


if __name__ == "__main__":
    main()
