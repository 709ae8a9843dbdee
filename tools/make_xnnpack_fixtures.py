"""Builds int8 BATCH_MATMUL and MEAN models in tests/fixtures/ops_int8_xnnpack/ with TensorFlow, and
their outputs from TensorFlow's default interpreter (the XNNPACK delegate, as LiteRT.js runs them).

Developer tool, not a dependency: run it in a venv with tensorflow-cpu 2.21 (see README).
  python tools/make_xnnpack_fixtures.py tests/fixtures/ops_int8_xnnpack [NAME ...]
Each case NAME gives NAME.tflite (TensorFlow's full-integer conversion, int8 inputs and outputs,
calibrated on 32 random samples), NAME.input{i}.npy and NAME.output0.npy (the default
interpreter's). The right operands of BATCH_MATMUL are positive, so their zero points are far from
0. For each BATCH_MATMUL it prints whether the delegate took it and how far its output is from the
reference kernels' and from the same product with the right operand's zero point taken as 0; the
MEAN cases reduce over axes other than an image's pixels (a layer norm's last axis).
"""
import os
import sys

import numpy as np
import tensorflow as tf

out_dir = sys.argv[1]
only = set(sys.argv[2:])
os.makedirs(out_dir, exist_ok=True)
rng = np.random.default_rng(11)
cases = {}


def case(name, *shapes, positive=(False, True), adj=(False, False)):
    """shapes of the float inputs; positive[i]: input i is drawn positive (|normal| + 0.1); adj:
    the BATCH_MATMUL's adj_x and adj_y."""
    def register(fn):
        cases[name] = (fn, shapes, positive, adj)
        return fn
    return register


constant_rhs = tf.constant(np.abs(rng.normal(0, 1, (2, 5, 7))).astype(np.float32) + 0.1)
case("bmm_rhs_zero_point", (2, 3, 5), (2, 5, 7))(lambda a, b: tf.matmul(a, b))
case("bmm_adj_x", (2, 5, 3), (2, 5, 7), adj=(True, False))(lambda a, b: tf.matmul(a, b, transpose_a=True))
case("bmm_adj_y", (2, 3, 5), (2, 7, 5), adj=(False, True))(lambda a, b: tf.matmul(a, b, transpose_b=True))
case("bmm_adj_xy", (2, 5, 3), (2, 7, 5), adj=(True, True))(lambda a, b: tf.matmul(a, b, transpose_a=True, transpose_b=True))
case("bmm_broadcast_lhs", (4, 6), (3, 6, 5))(lambda a, b: tf.matmul(tf.broadcast_to(a, [3, 4, 6]), b))
case("bmm_broadcast_rhs", (3, 4, 6), (1, 6, 5))(lambda a, b: tf.matmul(a, b))
case("bmm_rank4", (1, 2, 3, 9), (1, 2, 9, 4))(lambda a, b: tf.matmul(a, b))
case("bmm_positive_lhs", (2, 3, 5), (2, 5, 7), positive=(True, False))(lambda a, b: tf.matmul(a, b))
case("bmm_constant_rhs", (2, 3, 5), positive=(False,))(lambda a: tf.matmul(a, constant_rhs))
case("mean_last_axis", (2, 5, 24), positive=(False,))(lambda x: tf.reduce_mean(x, axis=-1, keepdims=True))
case("mean_axis_1", (3, 9, 4), positive=(True,))(lambda x: tf.reduce_mean(x, axis=1))
case("bmm_one_input", (2, 4, 6), positive=(True,), adj=(False, True))(lambda x: tf.matmul(x, tf.nn.relu(x) + 0.5, transpose_b=True))


def sample(shape, positive):
    x = rng.normal(0, 1, shape).astype(np.float32)
    return np.abs(x) + 0.1 if positive else x


def convert(fn, shapes, positive):
    specs = [tf.TensorSpec(shape, tf.float32) for shape in shapes]
    converter = tf.lite.TFLiteConverter.from_concrete_functions([tf.function(fn).get_concrete_function(*specs)])
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([sample(s, p) for s, p in zip(shapes, positive)] for _ in range(32))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def run(model, inputs, resolver):
    interpreter = tf.lite.Interpreter(model_content=model, experimental_op_resolver_type=resolver,
                                      experimental_preserve_all_tensors=True)
    interpreter.allocate_tensors()
    for detail, x in zip(interpreter.get_input_details(), inputs):
        interpreter.set_tensor(detail["index"], x)
    interpreter.invoke()
    return interpreter


def zero_point_ignored(interpreter, op, adj):
    """The BATCH_MATMUL in XNNPACK's formula with the right operand's zero point taken as 0."""
    tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
    (sa, za), (sb, _), (so, zo) = (tensors[i]["quantization"] for i in (*op["inputs"][:2], op["outputs"][0]))
    a = interpreter.get_tensor(op["inputs"][0]).astype(np.float64) - za
    b = interpreter.get_tensor(op["inputs"][1]).astype(np.float64)
    if adj[0]:
        a = np.swapaxes(a, -1, -2)
    if adj[1]:
        b = np.swapaxes(b, -1, -2)
    scale = np.float32(np.float32(sa) * np.float32(sb)) / np.float32(so)
    acc = np.matmul(a, b).astype(np.float32)
    return np.clip(np.rint(acc * scale) + zo, -128, 127)


resolvers = tf.lite.experimental.OpResolverType
for name, (fn, shapes, positive, adj) in cases.items():
    if only and name not in only:
        continue
    model = convert(fn, shapes, positive)
    probe = tf.lite.Interpreter(model_content=model)
    inputs = []
    for detail, shape, is_positive in zip(probe.get_input_details(), shapes, positive):
        scale, zero = detail["quantization"]
        inputs.append(np.clip(np.round(sample(shape, is_positive) / scale) + zero, -128, 127).astype(np.int8))
    default = run(model, inputs, resolvers.AUTO)
    reference = run(model, inputs, resolvers.BUILTIN_REF)
    ops = reference._get_ops_details()
    delegated = {o for op in default._get_ops_details() if op["op_name"] == "DELEGATE" for o in op["outputs"]}
    tensors = {t["index"]: t for t in reference.get_tensor_details()}
    for op in ops:
        if op["op_name"] != "BATCH_MATMUL":
            continue
        out = op["outputs"][0]
        actual = default.get_tensor(out).astype(np.int64)
        print(name, [o["op_name"] for o in ops], "zero points",
              [tensors[i]["quantization"][1] for i in (*op["inputs"][:2], out)],
              "delegated", out in delegated,
              "vs reference", np.abs(actual - reference.get_tensor(out)).max(),
              "vs zero point ignored", np.abs(actual - zero_point_ignored(default, op, adj)).max())
    with open(os.path.join(out_dir, f"{name}.tflite"), "wb") as f:
        f.write(model)
    for i, x in enumerate(inputs):
        np.save(os.path.join(out_dir, f"{name}.input{i}.npy"), x)
    output = default.get_output_details()[0]
    np.save(os.path.join(out_dir, f"{name}.output0.npy"), default.get_tensor(output["index"]))
