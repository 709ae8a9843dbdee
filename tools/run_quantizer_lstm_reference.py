"""Runs liteq's int8 LSTM conversions (tools/quantizer_lstm_conversions.ts) in TensorFlow 2.21's
interpreter with its reference kernels, and records inputs and outputs for
tests/quantize/lstm_quantize_test.ts: NAME.liteq_int8.input0.npy (int8, the input quantized from
normal samples) and NAME.liteq_int8.output0.npy, one entry per invocation, in order (the states
carry from one invocation to the next).

Developer tool, not a dependency (TensorFlow 2.21 in a venv, see README):
  python tools/run_quantizer_lstm_reference.py tests/fixtures/quantizer_lstm
"""
import os
import sys

import numpy as np

CASES = ["lstm", "lstm_peephole_layer_norm", "lstm_projection", "lstm_layer_norm_projection"]
INVOCATIONS = 4


def main(directory):
    import tensorflow as tf
    for position, name in enumerate(CASES):
        path = os.path.join(directory, f"{name}.liteq_int8.tflite")
        interpreter = tf.lite.Interpreter(
            model_path=path,
            experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF)
        interpreter.allocate_tensors()
        detail = interpreter.get_input_details()[0]
        scale, zero = detail["quantization"]
        rng = np.random.default_rng(90 + position)
        floats = rng.normal(0, 1, (INVOCATIONS, *detail["shape"]))
        inputs = np.clip(np.round(floats / scale) + zero, -128, 127).astype(np.int8)
        outputs = []
        for sample in inputs:
            interpreter.set_tensor(detail["index"], sample)
            interpreter.invoke()
            outputs.append(interpreter.get_tensor(interpreter.get_output_details()[0]["index"]))
        np.save(os.path.join(directory, f"{name}.liteq_int8.input0.npy"), inputs)
        np.save(os.path.join(directory, f"{name}.liteq_int8.output0.npy"), np.array(outputs))


if __name__ == "__main__":
    main(sys.argv[1])
