"""Builds the small single-purpose models in tests/fixtures/ops/ with TensorFlow, and their
reference outputs from TensorFlow's own interpreter (reference kernels).

Developer tool, not a dependency: run it in a venv with tensorflow-cpu 2.21 (see README).
  python tools/make_op_fixtures.py tests/fixtures/ops [NAME ...]
  python tools/make_op_fixtures.py --int8 tests/fixtures/ops_int8 [NAME ...]
  python tools/make_op_fixtures.py --int16x8 tests/fixtures/ops_int16x8 [NAME ...]
  python tools/make_op_fixtures.py --dynamic tests/fixtures/ops_dynamic [NAME ...]
Each case NAME gives NAME.tflite, NAME.input{i}.npy and NAME.output{j}.npy. With --int8 the
models are TensorFlow's full-integer conversions with int8 inputs and outputs (calibrated on 32
random samples), and inputs and outputs are int8; with --int16x8 they are its int16-activation,
int8-weight conversions with int16 inputs and outputs; --dynamic makes only the hybrid_* cases
(weights large enough to quantize), TensorFlow's dynamic-range conversions, float inputs and
outputs.
"""
import os
import sys

import numpy as np
import tensorflow as tf

mode = sys.argv[1] if sys.argv[1] in ("--int8", "--int16x8", "--dynamic") else None
dynamic = mode == "--dynamic"
int8 = mode in ("--int8", "--int16x8")  # a full integer conversion
integer_type = {"--int8": (tf.int8, np.int8, -128, 127), "--int16x8": (tf.int16, np.int16, -32768, 32767)}.get(mode)
arguments = sys.argv[2:] if mode else sys.argv[1:]
out_dir = arguments[0]
os.makedirs(out_dir, exist_ok=True)
rng = np.random.default_rng(7)
cases = {}


def case(name, *shapes, positive=False, reference=True):
    """reference=False: outputs from TensorFlow's optimized kernels (its reference one is broken)."""
    def register(fn):
        cases[name] = (fn, shapes, positive, reference)
        return fn
    return register


def const(*shape, scale=0.5):
    return tf.constant(rng.normal(0, scale, shape).astype(np.float32))


# Convolutions: odd channel counts, strides, dilations, paddings, fused activations, batch 2.
w_a = const(5, 3, 3, 7)
b_a = const(5)
case("conv_3x3_same_relu", (2, 9, 11, 7))(lambda x: tf.nn.relu(tf.nn.conv2d(x, tf.transpose(w_a, [1, 2, 3, 0]), 1, "SAME") + b_a))
w_b = const(17, 3, 3, 3)
case("conv_3x3_valid_stride2", (1, 13, 10, 3))(lambda x: tf.nn.conv2d(x, tf.transpose(w_b, [1, 2, 3, 0]), 2, "VALID"))
w_c = const(9, 5, 5, 4)
case("conv_5x5_dilation2_relu6", (1, 15, 14, 4))(lambda x: tf.nn.relu6(tf.nn.conv2d(x, tf.transpose(w_c, [1, 2, 3, 0]), 1, "SAME", dilations=2)))
w_d = const(33, 1, 1, 17)
b_d = const(33)
case("conv_1x1", (1, 7, 5, 17))(lambda x: tf.nn.conv2d(x, tf.transpose(w_d, [1, 2, 3, 0]), 1, "VALID") + b_d)
case("conv_1x1_stride2", (1, 7, 6, 17))(lambda x: tf.nn.conv2d(x, tf.transpose(w_d, [1, 2, 3, 0]), 2, "SAME"))
w_e = const(3, 3, 7, 2)
case("conv_3x7_same_stride_2x1", (1, 8, 12, 2))(lambda x: tf.nn.conv2d(x, tf.transpose(w_e, [1, 2, 3, 0]), [1, 2, 1, 1], "SAME"))

dw_a = const(3, 3, 7, 1)
dwb_a = const(7)
case("depthwise_3x3_same", (2, 9, 8, 7))(lambda x: tf.nn.relu6(tf.nn.depthwise_conv2d(x, dw_a, [1, 1, 1, 1], "SAME") + dwb_a))
dw_b = const(3, 3, 17, 1)
case("depthwise_3x3_valid_stride2", (1, 12, 13, 17))(lambda x: tf.nn.depthwise_conv2d(x, dw_b, [1, 2, 2, 1], "VALID"))
dw_c = const(5, 5, 8, 1)
case("depthwise_5x5_dilation2", (1, 14, 15, 8))(lambda x: tf.nn.depthwise_conv2d(x, dw_c, [1, 1, 1, 1], "SAME", dilations=[2, 2]))
dw_d = const(3, 3, 3, 2)
case("depthwise_multiplier2", (1, 7, 9, 3))(lambda x: tf.nn.depthwise_conv2d(x, dw_d, [1, 2, 2, 1], "SAME"))

fc_w = const(33, 17)
fc_b = const(17)
case("fully_connected_relu", (3, 33))(lambda x: tf.nn.relu(tf.matmul(x, fc_w) + fc_b))
case("fully_connected_rank3", (2, 5, 33))(lambda x: tf.matmul(x, fc_w))
case("batch_matmul", (2, 3, 5), (2, 5, 7))(lambda a, b: tf.matmul(a, b))
case("batch_matmul_adjoint", (2, 5, 3), (2, 7, 5))(lambda a, b: tf.matmul(a, b, transpose_a=True, transpose_b=True))
case("batch_matmul_broadcast", (3, 4, 6), (6, 5))(lambda a, b: tf.linalg.matmul(a, tf.broadcast_to(b, [3, 6, 5])))

case("max_pool_3x3_stride2_same", (1, 9, 10, 5))(lambda x: tf.nn.max_pool2d(x, 3, 2, "SAME"))
case("avg_pool_2x2_valid", (2, 8, 7, 6))(lambda x: tf.nn.avg_pool2d(x, 2, 2, "VALID"))
case("avg_pool_3x3_same", (1, 5, 6, 9))(lambda x: tf.nn.avg_pool2d(x, 3, 1, "SAME"))

case("add_broadcast", (2, 3, 4, 5), (4, 1))(lambda a, b: a + b)
case("add_relu", (1, 6, 6, 9), (1, 6, 6, 9))(lambda a, b: tf.nn.relu(a + b))
case("sub_broadcast", (3, 1, 7), (1, 5, 1))(lambda a, b: a - b)
case("mul_channel", (1, 4, 4, 13), (1, 1, 1, 13))(lambda a, b: a * b)
case("div", (2, 9), (2, 9), positive=True)(lambda a, b: a / b)
case("maximum_minimum", (3, 8), (8,))(lambda a, b: tf.minimum(tf.maximum(a, b), 0.3))
case("squared_difference", (4, 6), (4, 6))(lambda a, b: tf.math.squared_difference(a, b))

case("logistic", (2, 19))(tf.sigmoid)
case("tanh", (2, 19))(tf.tanh)
case("exp", (2, 19))(tf.exp)
case("sqrt", (3, 7), positive=True)(tf.sqrt)
case("rsqrt", (3, 7), positive=True)(tf.math.rsqrt)
case("log", (3, 7), positive=True)(tf.math.log)
case("hard_swish", (2, 21))(lambda x: x * tf.nn.relu6(x + 3) * 0.16666667)
case("leaky_relu", (2, 21))(lambda x: tf.nn.leaky_relu(x, 0.15))
case("relu_relu6", (2, 21))(lambda x: tf.concat([tf.nn.relu(x * 4), tf.nn.relu6(x * 4)], 1))
case("neg_abs_square", (2, 9))(lambda x: tf.concat([-x, tf.abs(x * 2), tf.square(x)], 1))
case("softmax", (3, 11))(lambda x: tf.nn.softmax(x * 3))

case("mean_keepdims", (2, 5, 6, 7))(lambda x: tf.reduce_mean(x, [1, 2], keepdims=True))
# TensorFlow 2.21's reference SUM returns uninitialised memory for int8 and int16.
case("sum_last", (3, 4, 9), reference=False)(lambda x: tf.reduce_sum(x, -1))
case("reduce_max_min", (5, 7))(lambda x: tf.concat([tf.reduce_max(x, 0), tf.reduce_min(x, 0)], 0))

case("transpose", (2, 3, 4, 5))(lambda x: tf.transpose(x, [0, 3, 1, 2]))
case("pad", (1, 4, 5, 3))(lambda x: tf.pad(x, [[0, 0], [1, 2], [2, 1], [0, 0]]))
case("pad_constant", (2, 3))(lambda x: tf.pad(x, [[1, 0], [0, 2]], constant_values=1.5))
case("concatenation", (1, 3, 4, 2), (1, 3, 4, 5), (1, 3, 4, 1))(lambda a, b, c: tf.concat([a, b, c], 3))
case("strided_slice", (3, 8, 9, 5))(lambda x: x[1:, 1:-1:2, ::-2, 2])
case("slice", (4, 7, 6))(lambda x: tf.slice(x, [1, 2, 0], [2, -1, 4]))
case("pack_unpack", (3, 4), (3, 4))(lambda a, b: tf.stack(tf.unstack(a, axis=1) + tf.unstack(b, axis=1), axis=0))
case("split", (2, 12))(lambda x: tf.concat(tf.split(x, 3, axis=1)[::-1], 0))
case("split_v", (2, 12))(lambda x: tf.concat(tf.split(x, [2, 7, 3], axis=1)[::-1], 1))
case("gather", (4, 6, 3))(lambda x: tf.gather(x, [5, 0, 2, 2], axis=1))
case("cast_round_trip", (3, 7))(lambda x: tf.cast(tf.cast(x * 10, tf.int32), tf.float32))
case("expand_squeeze_reshape", (2, 3, 4))(lambda x: tf.reshape(tf.squeeze(tf.expand_dims(x, 1), 1), [4, 6]))

# Dynamic range (--dynamic only): weights of at least 1024 values, which TensorFlow quantizes.
hw_fc = const(48, 40)
case("hybrid_fully_connected", (3, 48))(lambda x: tf.nn.relu(tf.matmul(x, hw_fc)))
hw_bmm = const(2, 64, 40)
case("hybrid_batch_matmul", (2, 3, 64))(lambda x: tf.matmul(x, hw_bmm))
hw_bmm_t = const(2, 40, 64)
case("hybrid_batch_matmul_adjoint", (2, 3, 64))(lambda x: tf.matmul(x, hw_bmm_t, transpose_b=True))
hw_conv = const(32, 3, 3, 16)
case("hybrid_conv", (1, 9, 9, 16))(lambda x: tf.nn.relu6(tf.nn.conv2d(x, tf.transpose(hw_conv, [1, 2, 3, 0]), 1, "SAME")))
hw_dw = const(3, 3, 128, 1)
case("hybrid_depthwise", (1, 6, 7, 128))(lambda x: tf.nn.depthwise_conv2d(x, hw_dw, [1, 2, 2, 1], "SAME"))

# Keras 3 LSTMs convert to WHILE loops, so the LSTM case is TensorFlow Lite's own test model.
case("unidirectional_sequence_lstm", (1, 2, 2))(
    os.path.join(os.path.dirname(__file__), "../tests/fixtures/robustness/unidirectional_sequence_lstm.tflite"))

# GELU, exact (erf) and tanh-approximated, over a wide range so that both tails show.
case("gelu", (4, 29))(lambda x: tf.nn.gelu(x * 2.5))
case("gelu_approximate", (4, 29))(lambda x: tf.nn.gelu(x * 2.5, approximate=True))

# Index and rearranging ops: ARG_MAX/ARG_MIN (int32 and int64 results), DEPTH_TO_SPACE,
# SPACE_TO_DEPTH, TILE and RESIZE_NEAREST_NEIGHBOR in its three coordinate conventions.
case("arg_max", (3, 5, 7))(lambda x: tf.math.argmax(x, axis=1, output_type=tf.int32))
case("arg_min_int64", (4, 9))(lambda x: tf.math.argmin(x, axis=-1, output_type=tf.int64))
case("depth_to_space", (1, 3, 5, 12))(lambda x: tf.nn.depth_to_space(x, 2))
case("space_to_depth", (1, 6, 4, 3))(lambda x: tf.nn.space_to_depth(x, 2))
case("tile", (2, 3, 4))(lambda x: tf.tile(x, [2, 1, 3]))
case("resize_nearest", (1, 5, 7, 3))(lambda x: tf.compat.v1.image.resize_nearest_neighbor(x, [9, 4]))
case("resize_nearest_align_corners", (1, 5, 7, 3))(
    lambda x: tf.compat.v1.image.resize_nearest_neighbor(x, [9, 12], align_corners=True))
case("resize_nearest_half_pixel", (1, 5, 7, 3))(
    lambda x: tf.compat.v1.image.resize_nearest_neighbor(x, [8, 11], half_pixel_centers=True))

# PRELU with a learned slope per channel (Keras PReLU shares it over height and width).
prelu_layer = tf.keras.layers.PReLU(shared_axes=[1, 2])
prelu_layer.build((1, 4, 5, 6))
prelu_layer.set_weights([rng.uniform(0.05, 0.6, (1, 1, 6)).astype(np.float32)])
case("prelu", (1, 4, 5, 6))(lambda x: prelu_layer(x))

# More rearranging ops, and float-only element-wise ones.
case("mirror_pad_reflect", (1, 5, 6, 3))(lambda x: tf.pad(x, [[0, 0], [1, 2], [2, 1], [0, 0]], mode="REFLECT"))
case("mirror_pad_symmetric", (2, 4, 5))(lambda x: tf.pad(x, [[0, 1], [2, 0], [1, 3]], mode="SYMMETRIC"))
case("space_to_batch", (1, 6, 5, 3))(lambda x: tf.space_to_batch_nd(x, [2, 2], [[1, 1], [1, 0]]))
case("batch_to_space", (4, 3, 4, 2))(lambda x: tf.batch_to_space(x, [2, 2], [[0, 1], [1, 0]]))
case("broadcast_to", (3, 1))(lambda x: tf.broadcast_to(x, [2, 3, 4]))
case("floor_ceil_round", (2, 17))(lambda x: tf.concat([tf.floor(x * 3), tf.math.ceil(x * 3), tf.round(x * 2.5)], 1))
case("sin_cos", (2, 17))(lambda x: tf.concat([tf.sin(x * 2), tf.cos(x * 2)], 1))

# Transposed convolutions: SAME with stride 2 and a bias, VALID with stride 3x1 and a ReLU.
tw_a = const(3, 3, 5, 4)  # [kH, kW, outC, inC] as tf.nn.conv2d_transpose takes it
tb_a = const(5)
case("transpose_conv_same", (1, 4, 5, 4))(
    lambda x: tf.nn.conv2d_transpose(x, tw_a, [1, 8, 10, 5], 2, "SAME") + tb_a)
tw_b = const(2, 3, 3, 6)
case("transpose_conv_valid_relu", (1, 3, 4, 6))(
    lambda x: tf.nn.relu(tf.nn.conv2d_transpose(x, tw_b, [1, 7, 6, 3], [3, 1], "VALID")))

# RESIZE_BILINEAR in its three coordinate conventions, upsampling and downsampling.
case("resize_bilinear", (1, 5, 7, 3))(lambda x: tf.compat.v1.image.resize_bilinear(x, [9, 4]))
case("resize_bilinear_align_corners", (1, 5, 7, 3))(
    lambda x: tf.compat.v1.image.resize_bilinear(x, [9, 12], align_corners=True))
case("resize_bilinear_half_pixel", (2, 5, 7, 3))(
    lambda x: tf.compat.v1.image.resize_bilinear(x, [8, 13], half_pixel_centers=True))

# Comparisons, logical ops and SELECT_V2: a mask from two comparisons picks between two inputs.
case("compare_select", (3, 8), (3, 8))(lambda a, b: tf.where(
    tf.logical_and(tf.less(a, b), tf.logical_not(tf.equal(a, 0.5))), a * 2.0, b))
case("compare_all", (2, 9), (2, 9))(lambda a, b: tf.concat([
    tf.cast(op(a, b), tf.float32) for op in (tf.less, tf.less_equal, tf.greater,
                                              tf.greater_equal, tf.equal, tf.not_equal)], 1))


def convert(fn, shapes, positive):
    if isinstance(fn, str):
        with open(fn, "rb") as f:
            return f.read()
    specs = [tf.TensorSpec(shape, tf.float32) for shape in shapes]
    concrete = tf.function(fn).get_concrete_function(*specs)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete])
    if dynamic:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if int8:
        def representative():
            for _ in range(32):
                samples = [rng.normal(0, 1, shape).astype(np.float32) for shape in shapes]
                yield [np.abs(x) + 0.1 if positive else x for x in samples]
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.TFLITE_BUILTINS_INT8 if mode == "--int8"
            else tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8
        ]
        converter.inference_input_type = integer_type[0]
        converter.inference_output_type = integer_type[0]
    return converter.convert()


only = set(arguments[1:])
for name, (fn, shapes, positive, reference) in cases.items():
    if only and name not in only:
        continue
    if int8 and isinstance(fn, str):
        continue
    if dynamic != name.startswith("hybrid_"):
        continue
    try:
        model = convert(fn, shapes, positive)
    except Exception as error:  # TensorFlow has no int8 form for some ops
        print(name, "not converted:", str(error).splitlines()[0][:120])
        continue
    resolvers = tf.lite.experimental.OpResolverType
    try:
        interpreter = tf.lite.Interpreter(
            model_content=model,
            experimental_op_resolver_type=resolvers.BUILTIN_REF if reference else resolvers.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
        )
    except ValueError as error:  # the reference resolver lacks hybrid BATCH_MATMUL (version 4)
        print(name, "runs on TensorFlow's optimized kernels:", str(error).splitlines()[0][:80])
        interpreter = tf.lite.Interpreter(
            model_content=model,
            experimental_op_resolver_type=resolvers.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
        )
    inputs = []
    for i, detail in enumerate(interpreter.get_input_details()):
        shape = shapes[i]
        x = rng.normal(0, 1, shape).astype(np.float32)
        if positive:
            x = np.abs(x) + 0.1
        if int8:
            scale, zero = detail["quantization"]
            _, dtype, low, high = integer_type
            x = np.clip(np.round(x / scale) + zero, low, high).astype(dtype)
        inputs.append(x)
    try:  # TensorFlow converts some ops it cannot run (int16 SQUARED_DIFFERENCE)
        interpreter.allocate_tensors()
        for detail, x in zip(interpreter.get_input_details(), inputs):
            interpreter.set_tensor(detail["index"], x)
        interpreter.invoke()
    except RuntimeError as error:
        print(name, "not run:", str(error).splitlines()[0][:120])
        continue
    with open(os.path.join(out_dir, f"{name}.tflite"), "wb") as f:
        f.write(model)
    for i, x in enumerate(inputs):
        np.save(os.path.join(out_dir, f"{name}.input{i}.npy"), x)
    ops = sorted({op["op_name"] for op in interpreter._get_ops_details()})
    for j, detail in enumerate(interpreter.get_output_details()):
        np.save(os.path.join(out_dir, f"{name}.output{j}.npy"), interpreter.get_tensor(detail["index"]))
    print(name, ops)
