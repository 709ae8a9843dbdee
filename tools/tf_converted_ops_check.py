"""Developer check, second half (not a test dependency): liteq's conversions of the single-op
fixtures (written by tools/convert_op_fixtures.ts) must load in TensorFlow Lite's interpreter and,
with its reference kernels (or, where TensorFlow's reference SUM is wrong, its optimized ones),
give bit-identical outputs to liteq's; float ops left float (an LSTM) within 1e-5. Prints each
model's error against the float reference as well.

usage: python tools/tf_converted_ops_check.py OUT_DIR
(run with a TensorFlow installed, e.g. in a venv from the local wheel store)."""
import glob, os, sys
import numpy as np
import tensorflow as tf

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "ops")
RESOLVERS = {
    "reference": tf.lite.experimental.OpResolverType.BUILTIN_REF,
    "optimized": tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
}


def run(path, name, resolver):
    interpreter = tf.lite.Interpreter(model_path=path, experimental_op_resolver_type=RESOLVERS[resolver])
    interpreter.allocate_tensors()
    for position, detail in enumerate(interpreter.get_input_details()):
        interpreter.set_tensor(detail["index"], np.load(f"{FIXTURES}/{name}.input{position}.npy"))
    interpreter.invoke()
    return [interpreter.get_tensor(detail["index"]) for detail in interpreter.get_output_details()]


def agreement(theirs, ours):
    if theirs.tobytes() == ours.tobytes():
        return "identical"
    if np.all(np.abs(theirs - ours) <= 1e-5 * np.maximum(1, np.abs(theirs))):
        return "within 1e-5"
    return None


def main(out_dir):
    failed = 0
    for mode in ("int8", "int16x8"):
        for path in sorted(glob.glob(os.path.join(out_dir, mode, "*.tflite"))):
            name = os.path.basename(path)[: -len(".tflite")]
            outputs, errors = {}, []
            for resolver in RESOLVERS:
                try:  # the reference resolver lacks some newer op versions (TILE 3)
                    outputs[resolver] = run(path, name, resolver)
                except Exception as error:
                    errors.append(f"{resolver}: {error}")
            if not outputs:  # a file TensorFlow cannot run at all is a failure
                print(f"{mode} {name}: TensorFlow fails: {'; '.join(errors)}")
                failed += 1
                continue
            for position, reference_output in enumerate(next(iter(outputs.values()))):
                ours = np.load(f"{out_dir}/{mode}/{name}.liteq{position}.npy").reshape(reference_output.shape)
                verdicts = [(agreement(output[position], ours), resolver) for resolver, output in outputs.items()]
                result, resolver = next(((result, resolver) for result, resolver in verdicts if result), (None, next(iter(outputs))))
                failed += result is None
                expected = np.load(f"{FIXTURES}/{name}.output{position}.npy")
                error = float(np.max(np.abs(outputs[resolver][position].astype(np.float64) - expected)))
                print(f"{mode} {name}[{position}]: {result or 'DIFFERENT'} ({resolver} kernels); "
                      f"error {error:.3g} of span {float(np.ptp(expected)):.3g}")
    print("failed:", failed)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1])
