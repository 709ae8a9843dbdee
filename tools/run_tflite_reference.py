"""Runs a .tflite model in TensorFlow's interpreter (reference kernels) once per entry of its
inputs' first axis and stacks each output along a new first axis.

Developer tool, not a dependency (tensorflow-cpu 2.21):
  python tools/run_tflite_reference.py MODEL.tflite OUT_PREFIX INPUT0.npy [INPUT1.npy ...]
writes OUT_PREFIX.output{j}.npy. Run it in a subprocess with a timeout: the reference resolver can
abort or loop on some graphs.
"""
import sys

import numpy as np
import tensorflow as tf


def main(model, prefix, *input_paths):
    interpreter = tf.lite.Interpreter(
        model_path=model,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF)
    interpreter.allocate_tensors()
    inputs = [np.load(path) for path in input_paths]
    details = interpreter.get_input_details()
    outputs = [[] for _ in interpreter.get_output_details()]
    for step in range(inputs[0].shape[0]):
        for detail, values in zip(details, inputs):
            interpreter.set_tensor(detail["index"], values[step].reshape(detail["shape"]))
        interpreter.invoke()
        for position, detail in enumerate(interpreter.get_output_details()):
            outputs[position].append(interpreter.get_tensor(detail["index"]).copy())
    for position, values in enumerate(outputs):
        np.save(f"{prefix}.output{position}.npy", np.stack(values))


if __name__ == "__main__":
    main(*sys.argv[1:])
