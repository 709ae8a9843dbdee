"""Loads .tflite files in TensorFlow's interpreter and measures their accuracy on the shared
evaluation split, next to TensorFlow's own figure for the same model and mode.

Developer tool, not a dependency (TensorFlow 2.21 in a venv, see README):
  python tools/tf_accuracy_check.py ../shared FILE.tflite ...
Files are named NAME.MODE[...].tflite (NAME: seed_mnist, seed_cifar_arch, mobile_mnist); MODE is
matched to the manifest's variant (float16 -> f16, dynamicRange -> dynamic, int8_uint8 ->
int8_uint8io, ...). Exits non-zero when a model is more than 0.2 points below TensorFlow's.
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf

shared = sys.argv[1]
manifest = json.load(open(os.path.join(shared, "reference", "manifest.tf.json")))
VARIANT = {"float16": "f16", "dynamicRange": "dynamic", "int8": "int8", "int16x8": "int16x8",
           "int8_int8": "int8_int8io", "int8_uint8": "int8_uint8io", "float": "float"}
failed = False
for path in sys.argv[2:]:
    name, mode = os.path.basename(path)[:-len(".tflite")].split(".", 1)
    variant = VARIANT.get(mode, mode)
    data = "mnist32rgb" if name == "seed_cifar_arch" else "mnist"
    x = np.load(os.path.join(shared, "data", "mnist", f"{data}_eval_x.npy"))
    y = np.load(os.path.join(shared, "data", "mnist", f"{data}_eval_y.npy"))
    interpreter = tf.lite.Interpreter(model_path=path, num_threads=1)
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]
    out = interpreter.get_output_details()[0]
    correct = 0
    for i in range(len(x)):
        sample = x[i:i + 1].reshape(inp["shape"])
        if inp["dtype"] != np.float32:
            scale, zero = inp["quantization"]
            info = np.iinfo(inp["dtype"])
            sample = np.clip(np.round(sample / scale) + zero, info.min, info.max).astype(inp["dtype"])
        interpreter.set_tensor(inp["index"], sample)
        interpreter.invoke()
        correct += int(np.argmax(interpreter.get_tensor(out["index"])) == y[i])
    accuracy = correct / len(x)
    reference = manifest[name]["variants"][variant]
    ok = accuracy >= reference["eval_accuracy"] - 0.002
    failed |= not ok
    print(f"{'ok  ' if ok else 'LOW '} {os.path.basename(path)}: {os.path.getsize(path)} bytes, "
          f"accuracy {accuracy:.4f}; TensorFlow {variant}: {reference['bytes']} bytes, "
          f"{reference['eval_accuracy']:.4f}")
sys.exit(1 if failed else 0)
