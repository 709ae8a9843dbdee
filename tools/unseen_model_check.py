"""Checks liteq's quantizer on a model nobody tuned it for: trains a small network on Fashion-MNIST
(Debian's dataset-fashion-mnist), converts it with TensorFlow's converter and with liteq's CLI in
every mode, and measures every file's accuracy in TensorFlow's interpreter on 2,000 test images.
For the full integer modes it also prints how far liteq's activation scales are from TensorFlow's.
Exits non-zero when a liteq file is more than 0.2 points below TensorFlow's for the same mode.

Three architectures (`--arch`): `cnn` (BatchNorm, swish, depthwise, a tanh residual branch, global
average pooling), `branchy` (a Rescaling input, two concatenated branches, hard-swish, a
LeakyReLU residual, global max pooling, a ReLU6 dense layer) and `attention` (the image's rows as
28 tokens through one multi-head self-attention block with layer norms and a GELU feed-forward).

With `--fallback BUDGET` it then converts with `convert --mode int8 --calibration-method auto
--accuracy-budget BUDGET`, the budget measured by liteq on 1,000 other test images (5,000 to 5,999),
and prints that file's top-1 on the 2,000 evaluation images in TensorFlow's interpreter (as it
runs by default, with the XNNPACK delegate, and with its reference kernels) and in liteq's (in
both its arithmetics, `reference` and `xnnpack`), how many ops are integer and float, and the
layers the fallback kept float with what each bought (the fallback measures its budget in both
arithmetics).

Developer tool, not a dependency (TensorFlow 2.21 in a venv, see README):
  python tools/unseen_model_check.py OUT_DIR [--arch cnn|branchy|attention] [--fallback 1.5]
      [/usr/share/datasets/fashion-mnist]
"""
import json
import gzip
import os
import subprocess
import sys

import numpy as np
import tensorflow as tf

arguments = sys.argv[1:]
arch = "cnn"
if "--arch" in arguments:
    at = arguments.index("--arch")
    arch = arguments[at + 1]
    del arguments[at:at + 2]
budget = None
if "--fallback" in arguments:
    at = arguments.index("--fallback")
    budget = arguments[at + 1]
    del arguments[at:at + 2]
out_dir = arguments[0]
data_dir = arguments[1] if len(arguments) > 1 else "/usr/share/datasets/fashion-mnist"
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
all_test = idx("t10k-images-idx3-ubyte.gz").astype(np.float32)[..., None] / 255
all_labels = idx("t10k-labels-idx1-ubyte.gz")
x_test, y_test = all_test[:2000], all_labels[:2000]

tf.keras.utils.set_random_seed(3)
layers = tf.keras.layers
if arch == "cnn":
    inputs = tf.keras.Input((28, 28, 1), batch_size=1)
    x = layers.Conv2D(24, 3, padding="same", use_bias=False)(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("swish")(x)
    x = layers.DepthwiseConv2D(3, strides=2, padding="same")(x)
    x = layers.ReLU(max_value=6)(x)
    x = layers.Conv2D(48, 1)(x)
    branch = layers.Conv2D(48, 3, padding="same", activation="tanh")(x)
    x = layers.Add()([x, branch])
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
elif arch == "branchy":
    inputs = tf.keras.Input((28, 28, 1), batch_size=1)
    x = layers.Rescaling(2.0, offset=-1.0)(inputs)
    x = layers.Conv2D(16, 3, strides=2, padding="same", activation="hard_swish")(x)
    left = layers.Conv2D(16, 1, activation="relu")(x)
    right = layers.Conv2D(16, 3, padding="same")(x)
    right = layers.LeakyReLU(0.1)(right)
    x = layers.Concatenate()([left, right])
    x = layers.DepthwiseConv2D(3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    shortcut = x
    x = layers.Conv2D(32, 1)(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Add()([x, shortcut])
    x = layers.AveragePooling2D(2)(x)
    x = layers.Conv2D(48, 3, activation="hard_swish")(x)
    x = layers.GlobalMaxPooling2D()(x)
    x = layers.Dense(32, activation="relu6")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
elif arch == "attention":
    # The image's 28 rows as a sequence of 28 tokens: one self-attention block with layer norm.
    inputs = tf.keras.Input((28, 28, 1), batch_size=1)
    tokens = layers.Reshape((28, 28))(inputs)
    x = layers.Dense(32)(tokens)
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=16)(x, x)
    x = layers.LayerNormalization()(layers.Add()([x, attended]))
    feed = layers.Dense(64, activation="gelu")(x)
    x = layers.LayerNormalization()(layers.Add()([x, layers.Dense(32)(feed)]))
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
else:
    sys.exit(f"--arch must be cnn, branchy or attention, not {arch}")
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


def accuracy(path, reference=False):
    resolver = tf.lite.experimental.OpResolverType.BUILTIN_REF if reference else \
        tf.lite.experimental.OpResolverType.AUTO
    interpreter = tf.lite.Interpreter(model_path=path, num_threads=1,
                                      experimental_op_resolver_type=resolver)
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
    ours = os.path.join(out_dir, f"fashion.{mode}.liteq.tflite")
    command = [os.path.join(repo, "node_modules/deno/deno"), "task", "-q", "liteq", "convert",
               float_path, ours, "--mode", mode]
    if mode in ("int8", "int16x8"):
        command += ["--calibration", os.path.join(out_dir, "calibration.npy")]
    subprocess.run(command, check=True, cwd=repo, stdout=subprocess.DEVNULL)
    b = accuracy(ours)
    try:
        converted = convert(mode)
    except Exception as error:  # TensorFlow refuses some ops in some modes (16x8 HARD_SWISH)
        reason = str(error).strip().splitlines()[-1]
        print(f"{mode}: TensorFlow refuses ({reason}); liteq {b:.4f} ({os.path.getsize(ours)} bytes)")
        continue
    theirs = os.path.join(out_dir, f"fashion.{mode}.tf.tflite")
    with open(theirs, "wb") as f:
        f.write(converted)
    a = accuracy(theirs)
    sizes = os.path.getsize(theirs), os.path.getsize(ours)
    ok = b >= a - 0.002
    failed |= not ok
    scales = scale_difference(theirs, ours) if mode in ("int8", "int16x8") else ""
    print(f"{mode}: TensorFlow {a:.4f} ({sizes[0]} bytes), liteq {b:.4f} ({sizes[1]} bytes){scales}"
          f"{'' if ok else '  <- more than 0.2 points below'}")


def liteq(*arguments):
    command = [os.path.join(repo, "node_modules/deno/deno"), "task", "-q", "liteq", *arguments]
    return subprocess.run(command, check=True, cwd=repo, capture_output=True, text=True).stdout


def liteq_top1(path, arithmetic):
    """Top-1 of a float-I/O classifier on the evaluation images in liteq's interpreter."""
    script = (
        'import { Interpreter, parseNpy, runSamples } from "./mod.ts";'
        f'const interpreter = await Interpreter.load({json.dumps(path)}, {{ arithmetic: "{arithmetic}" }});'
        f'const [x, y] = await Promise.all({json.dumps([os.path.join(out_dir, "test_x.npy"), os.path.join(out_dir, "test_y.npy")])}'
        '.map(async (file) => parseNpy(await Deno.readFile(file))));'
        'const [out] = runSamples(interpreter, [x]); const classes = out.data.length / y.data.length;'
        'let correct = 0; for (let i = 0; i < y.data.length; i++) {'
        ' const row = Array.from(out.data.subarray(i * classes, (i + 1) * classes), Number);'
        ' if (row.indexOf(Math.max(...row)) === Number(y.data[i])) correct++; }'
        'console.log(correct / y.data.length);')
    command = [os.path.join(repo, "node_modules/deno/deno"), "eval", "--ext=ts", script]
    return float(subprocess.run(command, check=True, cwd=repo, capture_output=True, text=True).stdout)


def op_counts(path):
    """Ops computing in integers and in float (QUANTIZE and DEQUANTIZE counted apart)."""
    interpreter = tf.lite.Interpreter(model_path=path)
    tensors = interpreter.get_tensor_details()
    counts = {"integer": 0, "float": 0, "conversions": 0}
    for op in interpreter._get_ops_details():
        if op["op_name"] in ("QUANTIZE", "DEQUANTIZE"):
            counts["conversions"] += 1
        elif tensors[op["outputs"][0]]["dtype"] in (np.int8, np.int16):
            counts["integer"] += 1
        else:
            counts["float"] += 1
    return counts


if budget is not None:
    np.save(os.path.join(out_dir, "budget_x.npy"), all_test[5000:6000])
    np.save(os.path.join(out_dir, "budget_y.npy"), all_labels[5000:6000].astype(np.int64))
    np.save(os.path.join(out_dir, "test_x.npy"), x_test)
    np.save(os.path.join(out_dir, "test_y.npy"), y_test.astype(np.int64))
    ours = os.path.join(out_dir, "fashion.int8.fallback.liteq.tflite")
    report = json.loads(liteq(
        "convert", float_path, ours, "--mode", "int8",
        "--calibration", os.path.join(out_dir, "calibration.npy"),
        "--calibration-method", "auto", "--accuracy-budget", budget,
        "--eval-data", os.path.join(out_dir, "budget_x.npy"),
        "--eval-labels", os.path.join(out_dir, "budget_y.npy"),
        "--html", os.path.join(out_dir, "fallback.html"), "--json"))
    fallback = report["fallback"]
    measured = ", ".join(f"{entry['arithmetic']} {entry['before']:.4f} -> {entry['after']:.4f}"
                         for entry in fallback["arithmetics"])
    print(f"int8, auto, --accuracy-budget {budget} (measured by liteq on {fallback['samples']} "
          f"images: float {fallback['floatTop1']:.4f}, fully integer -> returned: {measured}): "
          f"TensorFlow's interpreter {accuracy(ours):.4f} "
          f"(reference kernels {accuracy(ours, reference=True):.4f}), liteq "
          f"{liteq_top1(ours, 'reference'):.4f} (xnnpack {liteq_top1(ours, 'xnnpack'):.4f}); "
          f"ops {op_counts(ours)}")
    for layer in fallback["layers"]:
        print(f"  kept float: operator {layer['operator']} {layer['op']} ({layer['tensor']}): "
              f"+{layer['bought']:.2f} top-1 points")
    for note in report.get("notes", []):
        print(f"  note: {note}")
sys.exit(1 if failed else 0)
