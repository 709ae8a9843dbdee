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


def case(name, *specs, reference=True, float_only=False, sparse=False, calibration=None):
    """specs: shapes of float32 inputs, or (shape, dtype, low, high) for integer inputs.
    reference=False: outputs from TensorFlow's optimized kernels (the reference one lacks the op).
    sparse: converted with TensorFlow's sparsity optimization (sparse constants behind DENSIFY).
    calibration: a function of the rng giving one representative sample (a list of inputs)."""
    def register(fn):
        cases[name] = dict(fn=fn, specs=specs, reference=reference, float_only=float_only,
                           sparse=sparse, calibration=calibration)
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


def convert(tf, rng, mode, spec_case):
    fn, specs = spec_case["fn"], spec_case["specs"]
    signature = [tf.TensorSpec(s, tf.float32) if not isinstance(s[0], tuple) else tf.TensorSpec(s[0], s[1])
                 for s in specs]
    concrete = tf.function(fn).get_concrete_function(*signature)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete])
    if spec_case["sparse"]:
        converter.optimizations = [tf.lite.Optimize.EXPERIMENTAL_SPARSITY]
    if mode:
        def representative():
            for _ in range(32):
                if spec_case["calibration"]:
                    yield spec_case["calibration"](rng)
                else:
                    yield [sample(rng, s) for s in specs]
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
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
    for detail, spec in zip(interpreter.get_input_details(), spec_case["specs"]):
        x = sample(rng, spec)
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
