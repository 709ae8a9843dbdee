"""Developer check (not a test dependency): every model of ../shared/realworld that TensorFlow runs
is converted by liteq's CLI in f16, dynamic and int8 (calibrated on random samples in the model's
input range, 8 of them), and each file must load and run in TensorFlow 2.21 (reference kernels,
the default resolver when those refuse). Prints a markdown table: converts? loads? runs? and the
SQNR of the first output against TensorFlow's outputs of the original file on the shared inputs.

usage: python tools/realworld_convert_check.py [SHARED_DIR] [OUT_DIR] [MODEL ...]
(run from the repository root with a TensorFlow installed; each TensorFlow run is a subprocess
with a timeout, since the reference resolver can abort or hang on some files)."""
import json, os, subprocess, sys, tempfile
import numpy as np

MODES = ["f16", "dynamic", "int8"]
DENO = os.path.join("node_modules", ".bin", "deno")

PROBE = r"""
import sys, numpy as np, tensorflow as tf
path, inputs_path, shape, resolver = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
kind = getattr(tf.lite.experimental.OpResolverType, resolver)
interpreter = tf.lite.Interpreter(model_path=path, experimental_op_resolver_type=kind, num_threads=1)
detail = interpreter.get_input_details()[0]
if shape:
    interpreter.resize_tensor_input(detail["index"], [int(s) for s in shape.split(",")])
interpreter.allocate_tensors()
inputs = np.load(inputs_path)
outputs = []
for sample in inputs:
    interpreter.set_tensor(detail["index"], sample.reshape(interpreter.get_input_details()[0]["shape"]).astype(np.float32))
    interpreter.invoke()
    outputs.append(interpreter.get_tensor(interpreter.get_output_details()[0]["index"]).astype(np.float64))
np.save(sys.argv[5], np.stack(outputs))
"""


def run_tensorflow(path, inputs_path, shape, out):
    """(resolver, error): the first resolver that runs the file, or the last error."""
    error = ""
    for resolver in ["BUILTIN_REF", "BUILTIN_WITHOUT_DEFAULT_DELEGATES"]:
        try:
            result = subprocess.run([sys.executable, "-c", PROBE, path, inputs_path, shape, resolver, out],
                                    capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            error = f"{resolver}: timed out"
            continue
        if result.returncode == 0:
            return resolver, ""
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        error = f"{resolver}: rc={result.returncode} {lines[-1][:120] if lines else ''}"
    return None, error


def sqnr(actual, expected):
    noise = np.sum((actual - expected) ** 2)
    signal = np.sum(expected ** 2)
    return float("inf") if noise == 0 else 10 * np.log10(signal / noise)


def main(shared, out_dir, only):
    realworld = os.path.join(shared, "realworld")
    manifest = json.load(open(os.path.join(realworld, "manifest.json")))["models"]
    rng = np.random.default_rng(13)
    rows = []
    for name, entry in manifest.items():
        if only and name not in only:
            continue
        source = os.path.join(realworld, entry["file"])
        if entry.get("tf_resolver") is None:
            rows.append(f"| {name} | - | - | - | - | TensorFlow cannot run the original: skipped |")
            continue
        shapes = entry.get("input_resized_to") or [entry["inputs"][0]["shape"]]
        shape_flags = sum((["--input-shape", ",".join(map(str, s))] for s in entry.get("input_resized_to") or []), [])
        low, high = entry["input_range_uniform"]
        calibration = os.path.join(out_dir, f"{name}.calibration.npy")
        np.save(calibration, rng.uniform(low, high, [8, *shapes[0]]).astype(np.float32))
        inputs = os.path.join(realworld, entry["inputs_file"])
        expected = np.load(os.path.join(realworld, entry["ref_outputs_files"][0])).astype(np.float64)
        for mode in MODES:
            target = os.path.join(out_dir, f"{name}.{mode}.tflite")
            command = [DENO, "run", "--allow-read", "--allow-write", "--allow-env", "src/cli/main.ts", "convert",
                       source, target, "--mode", mode, "--json"]
            if mode == "int8":
                command += ["--calibration", calibration, *shape_flags]
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                rows.append(f"| {name} | {mode} | no | - | - | {result.stderr.strip()[:150]} |")
                continue
            size = json.loads(result.stdout)["bytesAfter"]
            outputs = os.path.join(out_dir, f"{name}.{mode}.outputs.npy")
            resolver, error = run_tensorflow(target, inputs, ",".join(map(str, shapes[0])) if entry.get("input_resized_to") else "", outputs)
            if resolver is None:
                rows.append(f"| {name} | {mode} | yes ({size} B) | no | no | {error} |")
                continue
            actual = np.load(outputs).reshape(expected.shape)
            rows.append(f"| {name} | {mode} | yes ({size} B) | yes | yes ({resolver}) | SQNR {sqnr(actual, expected):.1f} dB vs the original |")
            print(rows[-1], flush=True)
    print("| model | mode | converts | loads in TF | runs in TF | note |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    shared = sys.argv[1] if len(sys.argv) > 1 else "../shared"
    out_dir = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="liteq-realworld-")
    os.makedirs(out_dir, exist_ok=True)
    main(shared, out_dir, sys.argv[3:])
