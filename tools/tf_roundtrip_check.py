"""Developer check (not a test dependency): each ORIGINAL.tflite and its liteq rewrite REWRITTEN.tflite
must load in TensorFlow Lite's interpreter and give bit-identical outputs on the same inputs.

usage: python tools/tf_roundtrip_check.py ORIGINAL_DIR REWRITTEN_DIR
(run with a TensorFlow installed, e.g. in a venv from the local wheel store)."""
import os, sys
import numpy as np
import tensorflow as tf


def run(path, seed):
    interpreter = tf.lite.Interpreter(model_path=path, num_threads=1)
    interpreter.allocate_tensors()
    rng = np.random.default_rng(seed)
    for detail in interpreter.get_input_details():
        dtype = detail["dtype"]
        shape = detail["shape"]
        if np.issubdtype(dtype, np.floating):
            value = rng.standard_normal(shape).astype(dtype)
        elif dtype == np.bool_:
            value = rng.integers(0, 2, shape).astype(dtype)
        elif np.issubdtype(dtype, np.integer):
            info = np.iinfo(dtype)
            value = rng.integers(max(info.min, -100), min(info.max, 100), shape, endpoint=True).astype(dtype)
        else:
            value = np.array([b"liteq"] * int(np.prod(shape))).reshape(shape)
        interpreter.set_tensor(detail["index"], value)
    interpreter.invoke()
    return [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]


def same_values(actual, expected):
    if actual.dtype == object:  # strings: compare the values, not the object pointers
        return actual.tolist() == expected.tolist()
    return actual.tobytes() == expected.tobytes()


def main(original_dir, rewritten_dir):
    same = differ = skipped = 0
    for name in sorted(os.listdir(rewritten_dir)):
        original = os.path.join(original_dir, name)
        try:
            expected = run(original, 7)
        except Exception as error:  # TensorFlow itself cannot run the original
            print(f"SKIP {name}: TensorFlow cannot run the original ({str(error).splitlines()[0][:100]})")
            skipped += 1
            continue
        try:
            actual = run(os.path.join(rewritten_dir, name), 7)
            ok = len(actual) == len(expected) and all(
                a.dtype == e.dtype and a.shape == e.shape and same_values(a, e)
                for a, e in zip(actual, expected))
        except Exception as error:
            print(f"FAIL {name}: {error}")
            ok = False
        print(("SAME " if ok else "DIFF ") + name)
        same += ok
        differ += not ok
    print(f"{same} bit-identical, {differ} different, {skipped} not runnable by TensorFlow")
    return differ == 0


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1], sys.argv[2]) else 1)
