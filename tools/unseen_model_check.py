"""Checks liteq's quantizer on a model nobody tuned it for: trains a small CNN on Fashion-MNIST
(Debian's dataset-fashion-mnist), converts it with TensorFlow's converter and with liteq's CLI in
every mode, and measures every file's accuracy in TensorFlow's interpreter on 2,000 test images.
For the full integer modes it also prints how far liteq's activation scales are from TensorFlow's.
Exits non-zero when a liteq file is more than 0.2 points below TensorFlow's for the same mode.

Developer tool, not a dependency (TensorFlow 2.21 in a venv, see README):
  python tools/unseen_model_check.py OUT_DIR [/usr/share/datasets/fashion-mnist]
"""
import gzip
import os
import subprocess
import sys

import numpy as np
import tensorflow as tf

out_dir = sys.argv[1]
data_dir = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
os.makedirs(out_dir, exist_ok=True)
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def idx(name):
    with gzip.open(os.path.join(data_dir, name)) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


x_train = idx("train-images-idx3-ubyte.gz")[:20000].astype(np.float32)[..., None] / 255
y_train = idx("train-labels-idx1-ubyte.gz")[:20000]
x_test = idx("t10k-images-idx3-ubyte.gz")[:2000].astype(np.float32)[..., None] / 255
y_test = idx("t10k-labels-idx1-ubyte.gz")[:2000]

tf.keras.utils.set_random_seed(3)
inputs = tf.keras.Input((28, 28, 1), batch_size=1)
x = tf.keras.layers.Conv2D(24, 3, padding="same", use_bias=False)(inputs)
x = tf.keras.layers.BatchNormalization()(x)
x = tf.keras.layers.Activation("swish")(x)
x = tf.keras.layers.DepthwiseConv2D(3, strides=2, padding="same")(x)
x = tf.keras.layers.ReLU(max_value=6)(x)
x = tf.keras.layers.Conv2D(48, 1)(x)
branch = tf.keras.layers.Conv2D(48, 3, padding="same", activation="tanh")(x)
x = tf.keras.layers.Add()([x, branch])
x = tf.keras.layers.MaxPooling2D()(x)
x = tf.keras.layers.Conv2D(64, 3, activation="relu")(x)
x = tf.keras.layers.GlobalAveragePooling2D()(x)
x = tf.keras.layers.Dense(64, activation="relu")(x)
outputs = tf.keras.layers.Dense(10, activation="softmax")(x)
model = tf.keras.Model(inputs, outputs)
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=64, epochs=2, verbose=0)

calibration = x_test[-100:]  # not in the evaluation images
np.save(os.path.join(out_dir, "calibration.npy"), calibration)


def representative():
    for sample in calibration:
        yield [sample[None]]


def convert(mode):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode != "float":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "f16":
        converter.target_spec.supported_types = [tf.float16]
    if mode in ("int8", "int16x8"):
        converter.representative_dataset = representative
    if mode == "int16x8":
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
    return converter.convert()


def accuracy(path):
    interpreter = tf.lite.Interpreter(model_path=path, num_threads=1)
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]
    out = interpreter.get_output_details()[0]
    correct = 0
    for sample, label in zip(x_test[:2000], y_test[:2000]):
        interpreter.set_tensor(inp["index"], sample[None])
        interpreter.invoke()
        correct += int(np.argmax(interpreter.get_tensor(out["index"])) == label)
    return correct / 2000


def activation_scales(path):
    """Scale and zero point of every integer op output, in operator order."""
    interpreter = tf.lite.Interpreter(model_path=path)
    tensors = interpreter.get_tensor_details()
    return [tensors[index]["quantization"] for op in interpreter._get_ops_details()
            for index in op["outputs"] if tensors[index]["dtype"] in (np.int8, np.int16)]


def scale_difference(theirs, ours):
    pairs = list(zip(activation_scales(theirs), activation_scales(ours)))
    worst_scale = max(abs(b[0] / a[0] - 1) for a, b in pairs)
    worst_zero_point = max(abs(b[1] - a[1]) for a, b in pairs)
    return f"; {len(pairs)} activations: scales within {worst_scale:.1e}, zero points within {worst_zero_point}"


float_path = os.path.join(out_dir, "fashion.float.tflite")
with open(float_path, "wb") as f:
    f.write(convert("float"))
failed = False
print(f"float: {accuracy(float_path):.4f}")
for mode in ["f16", "dynamic", "int8", "int16x8"]:
    theirs = os.path.join(out_dir, f"fashion.{mode}.tf.tflite")
    with open(theirs, "wb") as f:
        f.write(convert(mode))
    ours = os.path.join(out_dir, f"fashion.{mode}.liteq.tflite")
    command = [os.path.join(repo, "node_modules/deno/deno"), "task", "-q", "liteq", "convert",
               float_path, ours, "--mode", mode]
    if mode in ("int8", "int16x8"):
        command += ["--calibration", os.path.join(out_dir, "calibration.npy")]
    subprocess.run(command, check=True, cwd=repo, stdout=subprocess.DEVNULL)
    a, b = accuracy(theirs), accuracy(ours)
    sizes = os.path.getsize(theirs), os.path.getsize(ours)
    ok = b >= a - 0.002
    failed |= not ok
    scales = scale_difference(theirs, ours) if mode in ("int8", "int16x8") else ""
    print(f"{mode}: TensorFlow {a:.4f} ({sizes[0]} bytes), liteq {b:.4f} ({sizes[1]} bytes){scales}"
          f"{'' if ok else '  <- more than 0.2 points below'}")
sys.exit(1 if failed else 0)
