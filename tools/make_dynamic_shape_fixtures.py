"""Builds the models in tests/fixtures/ops_dynamic_shape/ with TensorFlow: graphs whose output
shapes depend on input values (SPLIT on an axis given as a model input, WHERE on a condition
computed from an input, and ops downstream of them), and TensorFlow's reference outputs for
several inputs each, giving different output shapes (for WHERE, one input with no true element).

Developer tool, not a dependency: run it in a venv with tensorflow-cpu 2.21 (see README).
  python tools/make_dynamic_shape_fixtures.py tests/fixtures/ops_dynamic_shape [NAME ...]
Each case NAME gives NAME.tflite and, per input set k, NAME.{k}.input{i}.npy and
NAME.{k}.output{j}.npy (TensorFlow's reference kernels, tensors resized at invoke).
"""
import os
import sys

import numpy as np
import tensorflow as tf

out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)
rng = np.random.default_rng(17)
cases = {}


def case(name, specs, *input_sets):
    """specs: (shape, dtype) per input (None for a tf.Module: its signatures); input_sets: lists
    of arrays, one list per invocation of subgraph 0."""
    def register(fn):
        cases[name] = (fn, specs, input_sets)
        return fn
    return register


def normal(*shape):
    return rng.normal(0, 1, shape).astype(np.float32)


def axis(value):
    return np.array(value, np.int32)


# SPLIT whose axis is a model input: the pieces' shapes change with it (negative axes too).
x46 = normal(4, 6)
case("split_runtime_axis", [((4, 6), tf.float32), ((), tf.int32)],
     [x46, axis(0)], [x46, axis(1)], [normal(4, 6), axis(-1)], [x46, axis(-2)])(
    lambda x, a: tf.split(x, 2, axis=a))
# The pieces go on through SQUEEZE (of all size-1 axes) and an element-wise op, and a branch that
# does not read them keeps its static plan.
x26 = normal(2, 6)
case("split_runtime_axis_squeeze", [((2, 6), tf.float32), ((), tf.int32)],
     [x26, axis(0)], [x26, axis(1)], [normal(2, 6), axis(0)])(
    lambda x, a: [tf.squeeze(p) * 2.0 + 1.0 for p in tf.split(x, 2, axis=a)] + [tf.nn.relu(x)])

# WHERE on a condition computed from an input: the coordinates of the positive values, the values
# gathered at them (GATHER_ND) and their sum, for inputs with 0, some and all values positive.
x34 = normal(3, 4)
case("where_gather_nd_sum", [((3, 4), tf.float32)],
     [x34], [-np.abs(x34)], [np.abs(x34) + 0.1], [normal(3, 4)])(
    lambda x: [tf.where(x > 0), tf.gather_nd(x, tf.where(x > 0)),
               tf.reduce_sum(tf.gather_nd(x, tf.where(x > 0)))])
# WHERE of a bool input, rank 3.
case("where_bool_input", [((2, 3, 2), tf.bool)],
     [normal(2, 3, 2) > 0], [np.zeros((2, 3, 2), bool)], [np.ones((2, 3, 2), bool)])(
    lambda c: tf.where(c))
# WHERE on a numeric input (non-zero counts as true), then GATHER of a 1-D input at the indices
# (RESHAPE to drop the coordinate axis) and a static branch.
v = np.array([0, 3, 0, -2, 5, 0, 0, 1], np.float32)
case("where_numeric_gather", [((8,), tf.float32), ((8,), tf.float32)],
     [v, normal(8)], [np.zeros(8, np.float32), normal(8)], [v[::-1].copy(), normal(8)])(
    lambda c, p: [tf.gather(p, tf.reshape(tf.where(c), [-1])), p * 3.0])



# WHILE whose body sums the values above a threshold that rises each iteration (WHERE and
# GATHER_ND inside the body, their shapes changing from one iteration to the next), then WHERE in
# the main graph on the loop's result.
def while_where_sum(x):
    def body(i, total):
        threshold = tf.cast(i, tf.float32) * 0.5 - 1.0
        return i + 1, total + tf.reduce_sum(tf.gather_nd(x, tf.where(x > threshold)))
    _, total = tf.while_loop(lambda i, total: i < 5, body, [tf.constant(0), tf.constant(0.0)])
    return [total, tf.where(x > total / 30.0)]


case("while_where_sum", [((6,), tf.float32)],
     [normal(6)], [np.full(6, -3.0, np.float32)], [normal(6) + 1.0])(while_where_sum)


# Two signatures: find_positive (subgraph 0, the main graph: WHERE on its input) and scale (x * 2),
# whose subgraph liteq prepares only when its runner is asked for, after the main graph has run.
class TwoSignatures(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec((2, 3), tf.float32)])
    def find_positive(self, x):
        return {"coordinates": tf.where(x > 0)}

    @tf.function(input_signature=[tf.TensorSpec((4,), tf.float32)])
    def scale(self, x):
        return {"scaled": x * 2.0}


case("two_signatures", None, [normal(2, 3)], [normal(2, 3)], [np.ones((2, 3), np.float32)])(
    TwoSignatures())


def convert(fn, specs):
    if isinstance(fn, tf.Module):
        functions = [fn.find_positive, fn.scale]
        concrete = [function.get_concrete_function() for function in functions]
        return tf.lite.TFLiteConverter.from_concrete_functions(concrete, fn).convert()
    signature = [tf.TensorSpec(shape, dtype) for shape, dtype in specs]
    concrete = tf.function(fn).get_concrete_function(*signature)
    return tf.lite.TFLiteConverter.from_concrete_functions([concrete]).convert()


only = set(sys.argv[2:])
for name, (fn, specs, input_sets) in cases.items():
    if only and name not in only:
        continue
    model = convert(fn, specs)
    interpreter = tf.lite.Interpreter(
        model_content=model,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF,
    )
    interpreter.allocate_tensors()
    with open(os.path.join(out_dir, f"{name}.tflite"), "wb") as f:
        f.write(model)
    for k, inputs in enumerate(input_sets):
        for detail, x in zip(interpreter.get_input_details(), inputs):
            interpreter.set_tensor(detail["index"], x)
        interpreter.invoke()
        for i, x in enumerate(inputs):
            np.save(os.path.join(out_dir, f"{name}.{k}.input{i}.npy"), x)
        shapes = []
        for j, detail in enumerate(interpreter.get_output_details()):
            if 0 in detail["shape"]:  # TensorFlow's get_tensor refuses a tensor without elements
                y = np.zeros(detail["shape"], detail["dtype"])
            else:
                y = interpreter.get_tensor(detail["index"])
            shapes.append(list(y.shape))
            np.save(os.path.join(out_dir, f"{name}.{k}.output{j}.npy"), y)
        print(name, k, shapes)
    print(name, sorted({op["op_name"] for op in interpreter._get_ops_details()}))
