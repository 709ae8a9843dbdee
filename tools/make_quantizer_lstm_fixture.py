"""Makes tests/fixtures/quantizer_lstm: float UNIDIRECTIONAL_SEQUENCE_LSTM models (without the
intermediates, as TensorFlow's converter writes the float op), TensorFlow 2.21's int8 conversion
of each (its calibrator, then its converter's quantizer: the path TFLiteConverter takes with a
representative dataset and int8 input and output) and the calibration samples used.

TensorFlow 2.21's converter does not make this op from a Keras 3 `keras.layers.LSTM` (it lowers
to a WHILE loop, and its int8 conversion crashes), so the float models are built directly with
tools/tflite_graph.py, as tools/make_graph_fixtures.py builds its LSTMs. TensorFlow has no 16x8
form of the op ("Quantization to 16x8-bit not yet supported").

Developer tool, not a dependency (TensorFlow 2.21 in a venv, see README):
  python tools/make_quantizer_lstm_fixture.py tests/fixtures/quantizer_lstm
then tools/quantizer_lstm_conversions.ts writes liteq's conversions beside them and
tools/run_quantizer_lstm_reference.py records TensorFlow running those.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))

CASES = {  # name: (batches, steps, inputs, cells, float_lstm options)
    "lstm": (1, 3, 4, 5, {}),
    "lstm_peephole_layer_norm": (2, 3, 4, 5, {"peephole": True, "layer_norm": 2.0}),
    "lstm_projection": (1, 4, 4, 6, {"projection": 3}),
    "lstm_layer_norm_projection": (2, 4, 3, 6, {"layer_norm": 1.5, "projection": 4}),
}


def without_intermediates(model):
    """The float model with the LSTM's intermediates (and their tensors) removed."""
    import flatbuffers
    from tensorflow.lite.python import schema_py_generated as schema
    tree = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(model, 0))
    graph = tree.subgraphs[0]
    dropped = {int(index) for op in graph.operators for index in op.intermediates}
    kept = [index for index in range(len(graph.tensors)) if index not in dropped]
    new_index = {old: new for new, old in enumerate(kept)}
    remap = lambda indices: [new_index[int(i)] if i >= 0 else -1 for i in indices]
    graph.tensors = [graph.tensors[index] for index in kept]
    for op in graph.operators:
        op.inputs, op.outputs, op.intermediates = remap(op.inputs), remap(op.outputs), []
    graph.inputs, graph.outputs = remap(graph.inputs), remap(graph.outputs)
    builder = flatbuffers.Builder(1024)
    builder.Finish(tree.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def main(out_dir):
    import tensorflow as tf
    from make_graph_fixtures import float_lstm
    from tensorflow.lite.python import convert
    from tensorflow.lite.python.optimize import calibrator
    os.makedirs(out_dir, exist_ok=True)
    for position, (name, (batches, steps, inputs, cells, options)) in enumerate(CASES.items()):
        rng = np.random.default_rng(40 + position)
        model = without_intermediates(float_lstm(rng, batches, steps, inputs, cells, **options))
        samples = rng.normal(0, 1, (8, batches, steps, inputs)).astype(np.float32)

        def representative():
            for sample in samples:
                yield [sample]
        calibrated = calibrator.Calibrator(calibrator.add_intermediate_tensors(model)).calibrate(
            representative)
        quantized = convert.mlir_quantize(calibrated, False, input_data_type=tf.int8,
                                          output_data_type=tf.int8)
        with open(os.path.join(out_dir, f"{name}.float.tflite"), "wb") as file:
            file.write(model)
        with open(os.path.join(out_dir, f"{name}.int8.tflite"), "wb") as file:
            file.write(quantized)
        np.save(os.path.join(out_dir, f"{name}.calibration.npy"), samples)


if __name__ == "__main__":
    main(sys.argv[1])
