"""Builds the string-tensor models in tests/fixtures/strings/ with TensorFlow, and records
TensorFlow's outputs for them and for the string models of ../shared/robustness in
tests/fixtures/strings/reference.json.

Developer tool, not a dependency: run it in a venv with tensorflow-cpu 2.21 (see README).
  python tools/make_string_fixtures.py tests/fixtures/strings [../shared/robustness]
  deno fmt tests/fixtures/strings/reference.json
reference.json maps a model's file name to its runs: the inputs given and TensorFlow's outputs, or
the error TensorFlow's interpreter gives. String values are written as text (UTF-8), numbers as
numbers; each value carries its dtype and shape.
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf

out_dir = sys.argv[1]
robustness = sys.argv[2] if len(sys.argv) > 2 else None
os.makedirs(out_dir, exist_ok=True)


def convert(fn, name):
    converter = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()], fn)
    data = converter.convert()
    with open(os.path.join(out_dir, name), "wb") as file:
        file.write(data)


@tf.function(input_signature=[tf.TensorSpec([4], tf.string), tf.TensorSpec([3], tf.int32)])
def string_ops(words, index):
    picked = tf.gather(words, index)
    column = tf.reshape(picked, [3, 1])
    return {
        "picked": picked,
        "is_b": tf.equal(picked, tf.constant("b")),
        "differs": tf.not_equal(words, tf.constant(["a", "héllo", "", "日本"])),
        "column": tf.expand_dims(tf.squeeze(column, 1), 0),
    }


@tf.function(input_signature=[tf.TensorSpec([], tf.bool), tf.TensorSpec([2], tf.string)])
def string_if(flag, words):
    return tf.cond(flag, lambda: tf.gather(words, [1, 0]), lambda: tf.identity(words))


@tf.function(input_signature=[tf.TensorSpec([2, 3], tf.string)])
def string_movement(words):
    return {
        "sliced": tf.slice(words, [0, 1], [2, 2]),
        "reversed": words[:, ::-1],
        "row": words[1],
        "tiled": tf.tile(words, [2, 1]),
        "picked": tf.gather_nd(words, [[1, 2], [0, 0]]),
    }


label_weights = tf.constant(np.random.default_rng(3).normal(size=(4, 3)).astype(np.float32))


@tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
def string_labels(x):
    scores = tf.matmul(x, label_weights)
    best = tf.argmax(scores, axis=1, output_type=tf.int32)
    return {"scores": scores, "label": tf.gather(tf.constant(["cat", "dog", "émeu"]), best)}


label_names = tf.constant(["zéro", "one", "two", "three", "four", "five"])


def picked_labels(x):
    """The labels at x's positive values (WHERE, then GATHER_ND of a string constant: a string
    tensor whose shape is known only at invoke), as a column, and which of them is "two"."""
    picked = tf.gather_nd(label_names, tf.where(x > 0))
    return {"picked": picked, "is_two": tf.equal(picked, "two"),
            "column": tf.reshape(picked, [-1, 1])}


string_where = tf.function(picked_labels, input_signature=[tf.TensorSpec([6], tf.float32)])


class StringSignatures(tf.Module):
    """pick (subgraph 0: picked_labels) and scale (x * 2), a signature prepared after an invoke."""

    @tf.function(input_signature=[tf.TensorSpec([6], tf.float32)])
    def pick(self, x):
        return picked_labels(x)

    @tf.function(input_signature=[tf.TensorSpec([4], tf.float32)])
    def scale(self, x):
        return {"scaled": x * 2.0}


string_signatures = StringSignatures()
concrete = [string_signatures.pick.get_concrete_function(),
            string_signatures.scale.get_concrete_function()]
with open(os.path.join(out_dir, "string_signatures.tflite"), "wb") as file:
    file.write(tf.lite.TFLiteConverter.from_concrete_functions(concrete, string_signatures).convert())

convert(string_ops, "string_ops.tflite")
convert(string_labels, "string_labels.tflite")
convert(string_if, "string_if.tflite")
convert(string_movement, "string_movement.tflite")
convert(string_where, "string_where.tflite")


def plain(value):
    value = np.asarray(value)
    if value.dtype == object or value.dtype.kind == "S":
        return {"dtype": "string", "shape": list(value.shape),
                "values": [item.decode("utf-8") for item in value.reshape(-1)]}
    return {"dtype": str(value.dtype), "shape": list(value.shape),
            "values": value.reshape(-1).tolist()}


def run(path, inputs, signature=None):
    interpreter = tf.lite.Interpreter(model_path=path)
    try:
        if signature:
            runner = interpreter.get_signature_runner(signature)
            outputs = runner(**inputs)
            return {"inputs": {k: plain(v) for k, v in inputs.items()},
                    "outputs": {k: plain(v) for k, v in outputs.items()}}
        interpreter.allocate_tensors()
        for detail, value in zip(interpreter.get_input_details(), inputs):
            interpreter.set_tensor(detail["index"], value)
        interpreter.invoke()
    except Exception as error:  # TensorFlow's refusal is the reference
        return {"inputs": [plain(v) for v in inputs], "error": str(error)}
    outputs = []
    for detail in interpreter.get_output_details():
        try:
            outputs.append(plain(interpreter.get_tensor(detail["index"])))
        except Exception as error:  # TensorFlow cannot read this output back
            outputs.append({"error": str(error)})
    return {"inputs": [plain(v) for v in inputs], "outputs": outputs}


words = np.array([s.encode() for s in ["a", "b", "", "日本"]], dtype=object)
where_inputs = [np.array(values, np.float32)
                for values in ([1, -1, 2, 0, 3, -4], [-1] * 6, [1, 2, 3, 4, 5, 6])]
reference = {
    "string_ops.tflite": [
        run(os.path.join(out_dir, "string_ops.tflite"), [words, np.array([1, 3, 1], np.int32)]),
        run(os.path.join(out_dir, "string_ops.tflite"), [words, np.array([0, 2, 0], np.int32)]),
    ],
    "string_movement.tflite": [
        run(os.path.join(out_dir, "string_movement.tflite"),
            [np.array([[b"a", b"b", b"c"], [b"d", b"", "é".encode()]], dtype=object)])
    ],
    "string_labels.tflite": [
        run(os.path.join(out_dir, "string_labels.tflite"), [np.array([[0.5, -1, 2, 0.25]], np.float32)])
    ],
    "string_if.tflite": [
        run(os.path.join(out_dir, "string_if.tflite"), [np.array(flag), np.array([b"x", "é".encode()], dtype=object)])
        for flag in (True, False)
    ],
    # Some, none and all of the values positive: 3, 0 and 6 labels picked.
    "string_where.tflite": [
        run(os.path.join(out_dir, "string_where.tflite"), [x])
        for x in where_inputs
    ],
    "string_signatures.tflite": [
        run(os.path.join(out_dir, "string_signatures.tflite"), {"x": x}, signature="pick")
        for x in where_inputs
    ] + [
        run(os.path.join(out_dir, "string_signatures.tflite"),
            {"x": np.array([0, 1, 2, 3], np.float32)}, signature="scale")
    ],
}
if robustness:
    def model(name):
        return os.path.join(robustness, name)

    reference["while_op_with_forwarding_input.tflite"] = [
        run(model("while_op_with_forwarding_input.tflite"),
            [np.array([n], np.int32), np.array([text.encode()], dtype=object)])
        for n, text in ((0, "xy"), (3, "abc"))
    ]
    reference["string_input_model.tflite"] = [
        run(model("string_input_model.tflite"), [np.array([[b"a", b"", "héllo".encode()]], dtype=object)])
    ]
    reference["string_input_model_with_signature.tflite"] = [
        run(model("string_input_model_with_signature.tflite"),
            {"a": np.array([[b"a", b"bc", b"d"], [b"", b"e", "ü".encode()]], dtype=object)},
            signature="serving_default")
    ]
    reference["tensor_string_data_type.tflite"] = [
        run(model("tensor_string_data_type.tflite"), [np.array([b"a"], dtype=object), np.array([b"b"], dtype=object)])
    ]
with open(os.path.join(out_dir, "reference.json"), "w") as file:
    json.dump(reference, file, ensure_ascii=False)  # laid out by `deno fmt` afterwards
