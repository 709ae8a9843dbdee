"""Builds the single-op models of the ops added after tools/make_op_fixtures.py (sparse constants,
index and scatter ops, normalisations, sequence ops) with TensorFlow, and their reference outputs
from TensorFlow's own interpreter (reference kernels).

Developer tool, not a dependency: run it in a venv with tensorflow-cpu 2.21 (see README).
  python tools/make_more_op_fixtures.py [--int8|--int16x8] OUT_DIR [NAME ...]
Each case NAME gives NAME.tflite, NAME.input{i}.npy and NAME.output{j}.npy, as
tools/make_op_fixtures.py does (same modes). Every case runs in its own process with a timeout:
TensorFlow's reference resolver aborts or hangs on some files.
"""
import os
import subprocess
import sys
import zlib

import numpy as np

TIMEOUT_SECONDS = 180
cases = {}


def case(name, *specs, reference=True, float_only=False, sparse=False, calibration=None,
         dynamic=False, dynamic_range=False, inputs=None):
    """specs: shapes of float32 inputs, or (shape, dtype, low, high) for integer inputs.
    reference=False: outputs from TensorFlow's optimized kernels (the reference one lacks the op).
    sparse: converted with TensorFlow's sparsity optimization (sparse constants behind DENSIFY).
    calibration: a function of the rng giving one representative sample (a list of inputs).
    dynamic: the file leaves the first input's batch dimension open (-1).
    dynamic_range: TensorFlow's dynamic-range conversion (int8 weights, float activations).
    inputs: the inputs to run, instead of random ones."""
    def register(fn):
        cases[name] = dict(fn=fn, specs=specs, reference=reference, float_only=float_only,
                           sparse=sparse, calibration=calibration, dynamic=dynamic,
                           dynamic_range=dynamic_range, inputs=inputs)
        return fn
    return register


def define_cases(tf, rng):
    def const(*shape, scale=0.5):
        return tf.constant(rng.normal(0, scale, shape).astype(np.float32))

    # A sparse constant behind DENSIFY: TensorFlow stores pruned weights sparsely.
    sparse_w = rng.normal(0, 0.5, (24, 16)).astype(np.float32)
    sparse_w[rng.uniform(size=sparse_w.shape) < 0.8] = 0
    case("densify_fully_connected", (3, 24), float_only=True, sparse=True)(
        lambda x: tf.matmul(x, tf.constant(sparse_w)))

    # Weights sparse in 1x4 blocks, which TensorFlow keeps sparse in FULLY_CONNECTED itself.
    block_w = rng.normal(0, 0.5, (16, 32)).astype(np.float32)
    block_w.reshape(16, 8, 4)[rng.uniform(size=(16, 8)) < 0.7] = 0
    case("sparse_fully_connected", (3, 32), float_only=True, sparse=True)(
        lambda x: tf.matmul(x, tf.constant(block_w.T)))
    # ... and int8 weights sparse in 1x16 blocks.
    block16_w = rng.normal(0, 0.5, (16, 64)).astype(np.float32)
    block16_w.reshape(16, 4, 16)[rng.uniform(size=(16, 4)) < 0.6] = 0
    case("sparse_fully_connected_16", (3, 64), sparse=True)(
        lambda x: tf.matmul(x, tf.constant(block16_w.T)))

    # Rounding ties of the on-the-fly input quantization of a hybrid (dynamic-range) convolution
    # with per-channel weights: the scale in float32, halves away from zero before the zero point.
    tie_weights = tf.constant(np.diag(np.linspace(1, 3, 48).astype(np.float32)).reshape(1, 1, 48, 48))

    def tie_inputs():
        x = np.zeros((1, 2, 2, 48), np.float32)
        flat = x.reshape(-1)
        flat[:2] = [-100, 155]  # scale 1, zero point -28
        flat[2:12] = np.array([12.5, 13.5, -12.5, -13.5, 0.5, 1.5, -0.5, -1.5, 100.5, -99.5]) + 28
        y = np.zeros((1, 2, 2, 48), np.float32)
        y.reshape(-1)[:3] = [-8.072895, 14.574386, 4.396237]  # x / scale is 49.5 only in float32
        return [np.concatenate([x, y])]
    case("hybrid_conv_rounding_ties", (2, 2, 2, 48), float_only=True, dynamic_range=True,
         inputs=tie_inputs)(lambda x: tf.nn.conv2d(x, tie_weights, 1, "VALID"))

    # LOGISTIC beyond TFLite's cutoffs (exp(x) below -9, 1 above 16.62).
    case("logistic_tails", (3, 20), float_only=True)(lambda x: tf.sigmoid(x * 12))

    # A hybrid convolution whose channels share one weight scale: TFLite's per-tensor path
    # quantizes each image symmetrically (0.49999997 rounds to 1 in float32 there too).
    shared_scale_weights = tf.constant(np.eye(48, dtype=np.float32).reshape(1, 1, 48, 48))

    def shared_scale_inputs():
        x = np.zeros((2, 2, 2, 48), np.float32)
        x[0, 0, 0, :7] = [127, 0, 0.49999997, -0.49999997, 1.4999999, 2.5, -2.5]
        x[1] = rng.normal(0, 1, (2, 2, 48))
        return [x]
    case("hybrid_conv_shared_scale", (2, 2, 2, 48), float_only=True, dynamic_range=True,
         inputs=shared_scale_inputs)(lambda x: tf.nn.conv2d(x, shared_scale_weights, 1, "VALID"))

    # STRIDED_SLICE with ellipsis and new-axis masks.
    case("strided_slice_ellipsis", (2, 3, 4, 5))(lambda x: x[..., 1:4:2])
    case("strided_slice_new_axis", (3, 4, 5))(lambda x: x[:, tf.newaxis, 1:3, tf.newaxis])
    case("strided_slice_ellipsis_new_axis", (2, 3, 4))(lambda x: x[1, ..., tf.newaxis, ::-1])

    # Index ops: GATHER with batch dimensions, GATHER_ND, SCATTER_ND, ONE_HOT, TOPK_V2.
    gather_indices = tf.constant([[2, 0, 4], [1, 1, 3]], tf.int32)
    case("gather_batch_dims", (2, 3, 5, 4))(
        lambda x: tf.gather(x, gather_indices, axis=2, batch_dims=1))
    nd_indices = tf.constant([[0, 1], [2, 3], [1, 0], [2, 1]], tf.int32)
    case("gather_nd", (3, 4, 5))(lambda x: tf.gather_nd(x, nd_indices))
    scatter_indices = tf.constant([[4], [0], [2], [0]], tf.int32)
    case("scatter_nd", (4, 5), float_only=True)(
        lambda x: tf.scatter_nd(scatter_indices, x, [6, 5]))
    case("one_hot", ((3, 4), np.int32, -1, 6), float_only=True)(
        lambda i: tf.one_hot(i, 5, on_value=2.0, off_value=-1.0))
    case("topk", (3, 11))(lambda x: tf.math.top_k(x * 3, k=4))
    case("reverse", (2, 5, 3))(lambda x: tf.reverse(x, axis=[1]))

    # Sums and normalizations: CUMSUM, L2_NORMALIZATION, LOCAL_RESPONSE_NORMALIZATION.
    case("cumsum", (3, 7), float_only=True)(lambda x: tf.concat(
        [tf.cumsum(x, axis=1), tf.cumsum(x, axis=1, exclusive=True),
         tf.cumsum(x, axis=0, reverse=True)], 1))
    case("l2_normalization", (2, 3, 6))(lambda x: tf.math.l2_normalize(x, axis=-1))
    case("local_response_normalization", (1, 4, 5, 7), float_only=True)(
        lambda x: tf.nn.local_response_normalization(x, depth_radius=2, bias=1.5, alpha=0.3,
                                                     beta=0.75))

    # Shape-built tensors, from a batch dimension left open in the file (1 when run): FILL,
    # ZEROS_LIKE, RANGE, known when the model loads.
    case("fill", (1, 3), float_only=True, dynamic=True)(
        lambda x: x + tf.fill(tf.shape(x), 0.5))
    case("zeros_like", (1, 3), float_only=True, dynamic=True)(
        lambda x: tf.zeros_like(x) + tf.ones_like(x) * 2 + x)
    case("range", (1, 6), float_only=True, dynamic=True)(
        lambda x: x * tf.cast(tf.range(1, tf.shape(x)[0] * 2 + 5, 1), tf.float32)[:6])

    # NON_MAX_SUPPRESSION_V4 (padded) and V5 (with scores and soft-NMS sigma).
    def boxes_and_scores(x):
        corners = tf.sigmoid(x[:, :2]) * 0.8
        sizes = tf.sigmoid(x[:, 2:4]) * 0.4 + 0.05
        return tf.concat([corners, corners + sizes], 1), tf.sigmoid(x[:, 4])

    def nms_v4(x):
        boxes, scores = boxes_and_scores(x)
        indices, count = tf.raw_ops.NonMaxSuppressionV4(
            boxes=boxes, scores=scores, max_output_size=6, iou_threshold=0.4,
            score_threshold=0.3, pad_to_max_output_size=True)
        return indices, count

    def nms_v5(x):
        boxes, scores = boxes_and_scores(x)
        return tf.raw_ops.NonMaxSuppressionV5(
            boxes=boxes, scores=scores, max_output_size=6, iou_threshold=0.4,
            score_threshold=0.3, soft_nms_sigma=0.0, pad_to_max_output_size=True)
    def soft_nms(x):
        boxes, scores = boxes_and_scores(x)
        return tf.raw_ops.NonMaxSuppressionV5(
            boxes=boxes, scores=scores, max_output_size=12, iou_threshold=0.6,
            score_threshold=0.55, soft_nms_sigma=0.5, pad_to_max_output_size=True)
    case("non_max_suppression_v4", (20, 5), float_only=True)(nms_v4)
    case("non_max_suppression_v5", (20, 5), float_only=True)(nms_v5)
    case("non_max_suppression_v5_soft", (20, 5), float_only=True)(soft_nms)


def convert(tf, rng, mode, spec_case):
    fn, specs = spec_case["fn"], spec_case["specs"]
    signature = [tf.TensorSpec(s, tf.float32) if not isinstance(s[0], tuple) else tf.TensorSpec(s[0], s[1])
                 for s in specs]
    if spec_case["dynamic"]:
        signature[0] = tf.TensorSpec([None, *signature[0].shape[1:]], signature[0].dtype)
    concrete = tf.function(fn).get_concrete_function(*signature)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete])
    if spec_case["dynamic_range"]:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    sparsity = [tf.lite.Optimize.EXPERIMENTAL_SPARSITY] if spec_case["sparse"] else []
    converter.optimizations = list(converter.optimizations) + sparsity
    if mode:
        def representative():
            for _ in range(32):
                if spec_case["calibration"]:
                    yield spec_case["calibration"](rng)
                else:
                    yield [sample(rng, s) for s in specs]
        converter.optimizations = [tf.lite.Optimize.DEFAULT] + sparsity
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.TFLITE_BUILTINS_INT8 if mode == "--int8"
            else tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8
        ]
        integer = tf.int8 if mode == "--int8" else tf.int16
        converter.inference_input_type = integer
        converter.inference_output_type = integer
    return converter.convert()


def sample(rng, spec):
    if isinstance(spec[0], tuple):
        shape, dtype, low, high = spec
        return rng.integers(low, high, shape).astype(dtype)
    return rng.normal(0, 1, spec).astype(np.float32)


def make_one(mode, out_dir, name):
    import tensorflow as tf
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    define_cases(tf, rng)
    spec_case = cases[name]
    model = convert(tf, rng, mode, spec_case)
    resolvers = tf.lite.experimental.OpResolverType
    interpreter = tf.lite.Interpreter(
        model_content=model,
        experimental_op_resolver_type=resolvers.BUILTIN_REF if spec_case["reference"]
        else resolvers.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    inputs = []
    given = spec_case["inputs"]() if spec_case["inputs"] else None
    for position, (detail, spec) in enumerate(zip(interpreter.get_input_details(), spec_case["specs"])):
        x = given[position] if given else sample(rng, spec)
        if mode and detail["dtype"] in (np.int8, np.int16) and x.dtype == np.float32:
            scale, zero = detail["quantization"]
            info = np.iinfo(detail["dtype"])
            x = np.clip(np.round(x / scale) + zero, info.min, info.max).astype(detail["dtype"])
        interpreter.set_tensor(detail["index"], x)
        inputs.append(x)
    interpreter.invoke()
    with open(os.path.join(out_dir, f"{name}.tflite"), "wb") as f:
        f.write(model)
    for i, x in enumerate(inputs):
        np.save(os.path.join(out_dir, f"{name}.input{i}.npy"), x)
    for j, detail in enumerate(interpreter.get_output_details()):
        np.save(os.path.join(out_dir, f"{name}.output{j}.npy"), interpreter.get_tensor(detail["index"]))
    print(name, sorted({op["op_name"] for op in interpreter._get_ops_details()}))


def main():
    arguments = sys.argv[1:]
    if arguments[0] == "--one":
        mode = arguments[1] if arguments[1] != "-" else None
        make_one(mode, arguments[2], arguments[3])
        return
    mode = arguments.pop(0) if arguments[0] in ("--int8", "--int16x8") else None
    out_dir, only = arguments[0], set(arguments[1:])
    os.makedirs(out_dir, exist_ok=True)
    import tensorflow as tf
    define_cases(tf, np.random.default_rng(0))
    for name, spec_case in cases.items():
        if (only and name not in only) or (mode and spec_case["float_only"]):
            continue
        try:
            result = subprocess.run(
                [sys.executable, __file__, "--one", mode or "-", out_dir, name],
                capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
            lines = (result.stdout or result.stderr).strip().splitlines()
            print(lines[-1] if lines else f"{name}: exit {result.returncode}")
        except subprocess.TimeoutExpired:
            print(name, f"not made: TensorFlow took over {TIMEOUT_SECONDS} s")


if __name__ == "__main__":
    main()
