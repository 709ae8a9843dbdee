"""Rewrites int8 fixtures so that their output multipliers fall in [2^-32, 2^-31) (a right shift
of 31 bits, which TensorFlow Lite accepts), and stores TensorFlow's outputs for them.

Developer tool, not a dependency (tensorflow-cpu 2.21):
  python tools/make_tiny_multiplier_fixtures.py tests/fixtures/ops_int8
Reads conv_1x1 and fully_connected_relu from that folder and writes conv_tiny_multiplier and
fully_connected_tiny_multiplier beside them: the output scale grows to 2^31.5 times the largest
input-times-weight scale, and the bias to values just under +-2^30, where every sum rounds to 0
through the 31-bit shift; fully_connected_tiny_multiplier_large_sums takes the bias near +-2^31,
so that sums pass 2^30 and round to +-1.
"""
import os
import sys

import numpy as np
import tensorflow as tf
from tensorflow.lite.tools import flatbuffer_utils

folder = sys.argv[1]
for source, target, magnitude in (
        ("conv_1x1", "conv_tiny_multiplier", 2 ** 30 - 2 ** 20),
        ("fully_connected_relu", "fully_connected_tiny_multiplier", 2 ** 30 - 2 ** 20),
        ("fully_connected_relu", "fully_connected_tiny_multiplier_large_sums", 2 ** 31 - 2 ** 24)):
    model = flatbuffer_utils.read_model(os.path.join(folder, f"{source}.tflite"))
    graph = model.subgraphs[0]
    layer = next(op for op in graph.operators
                 if model.operatorCodes[op.opcodeIndex].builtinCode in (3, 9))  # CONV_2D, FC
    x, w, b = (graph.tensors[i] for i in layer.inputs[:3])
    y = graph.tensors[layer.outputs[0]]
    y.quantization.scale = np.array([x.quantization.scale[0] * max(w.quantization.scale) * 2 ** 31.5],
                                    dtype=np.float32)
    bias = np.frombuffer(bytes(model.buffers[b.buffer].data), np.int32).copy()
    bias[:] = np.where(np.arange(bias.size) % 2 == 0, magnitude, -magnitude)
    model.buffers[b.buffer].data = np.frombuffer(bias.tobytes(), np.uint8)
    content = bytes(flatbuffer_utils.convert_object_to_bytearray(model))
    interpreter = tf.lite.Interpreter(
        model_content=content,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF)
    interpreter.allocate_tensors()
    x_values = np.load(os.path.join(folder, f"{source}.input0.npy"))
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x_values)
    interpreter.invoke()
    with open(os.path.join(folder, f"{target}.tflite"), "wb") as f:
        f.write(content)
    np.save(os.path.join(folder, f"{target}.input0.npy"), x_values)
    output = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    np.save(os.path.join(folder, f"{target}.output0.npy"), output)
    print(target, np.unique(output, return_counts=True))
