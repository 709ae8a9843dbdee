"""Developer check (not a test dependency): liteq's own dynamic-range and int8 conversions of every
model of ../shared/realworld that TensorFlow runs (tools/realworld_conversion.ts converts them, int8
calibrated on fixed synthetic samples, and runs them in liteq on the shared inputs) are run in
TensorFlow 2.21 on the same inputs (reference kernels; an op version the reference resolver does
not register, such as DEPTH_TO_SPACE 2 for int8 or BATCH_MATMUL 4 for asymmetric hybrid inputs, is
declared one lower in a copy, since the reference kernel reads the types and options all the
same; the default resolver without delegates when that fails too), and every output is compared: float outputs within 1e-4 * max(1, |ref|), integer
outputs bit-exact. Prints a markdown table. With --fixtures DIR, writes TensorFlow's outputs of
sample 0 under DIR (float outputs' first FLOAT_KEPT values; integer outputs' first INTEGER_KEPT
values and the SHA-256 of the whole output's bytes: see write_fixture) for
tests/runtime/realworld_conversions_test.ts.

usage: python tools/realworld_conversion_check.py [--fixtures DIR] [SHARED_DIR] [OUT_DIR] [MODEL ...]
(run from the repository root with a TensorFlow installed; each TensorFlow run is a subprocess
with a timeout, since the reference resolver can abort or hang on some files)."""
import hashlib, json, os, subprocess, sys, tempfile
import numpy as np

MODES = ["dynamic", "int8"]
DENO = os.path.join("node_modules", ".bin", "deno")
FLOAT_KEPT = 4096
INTEGER_KEPT = 256

PROBE = r"""
import re, sys, numpy as np, tensorflow as tf
from tensorflow.lite.tools import flatbuffer_utils
path, inputs_path, shape, resolver, out = sys.argv[1:6]
kind = getattr(tf.lite.experimental.OpResolverType, resolver)
content = open(path, "rb").read()
lowered = []
while True:
    try:
        interpreter = tf.lite.Interpreter(model_content=content, experimental_op_resolver_type=kind,
                                          num_threads=1)
        break
    except (RuntimeError, ValueError) as error:
        # The reference resolver registers some ops at older versions only (DEPTH_TO_SPACE 1, not
        # the int8 version 2); their reference kernels take the newer types all the same.
        missing = re.search(r"builtin opcode '(\w+)' version '(\d+)'", str(error))
        if resolver != "BUILTIN_REF" or not missing or int(missing.group(2)) <= 1:
            raise
        model = flatbuffer_utils.convert_bytearray_to_object(bytearray(content))
        for code in model.operatorCodes:
            name = flatbuffer_utils.opcode_to_name(model, model.operatorCodes.index(code))
            if name == missing.group(1) and code.version == int(missing.group(2)):
                code.version -= 1
        content = bytes(flatbuffer_utils.convert_object_to_bytearray(model))
        lowered.append(f"{missing.group(1)} v{missing.group(2)}")
detail = interpreter.get_input_details()[0]
if shape:
    interpreter.resize_tensor_input(detail["index"], [int(s) for s in shape.split(",")])
interpreter.allocate_tensors()
detail = interpreter.get_input_details()[0]
inputs = np.load(inputs_path)
outputs = [[] for _ in interpreter.get_output_details()]
for sample in inputs:
    interpreter.set_tensor(detail["index"], sample.reshape(detail["shape"]).astype(detail["dtype"]))
    interpreter.invoke()
    for position, output in enumerate(interpreter.get_output_details()):
        outputs[position].append(interpreter.get_tensor(output["index"]).copy())
np.savez(out, *[np.stack(values) for values in outputs])
if lowered:
    print("registered lower: " + ", ".join(lowered))
"""


def run_tensorflow(path, inputs_path, shape, out):
    """(resolver, error): the first resolver that runs the file, or each one's error."""
    errors = []
    for resolver in ["BUILTIN_REF", "BUILTIN_WITHOUT_DEFAULT_DELEGATES"]:
        try:
            result = subprocess.run([sys.executable, "-c", PROBE, path, inputs_path, shape, resolver, out],
                                    capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            errors.append(f"{resolver}: timed out")
            continue
        if result.returncode == 0:
            lowered = result.stdout.strip()
            return resolver + (f" ({lowered})" if lowered else ""), "; ".join(errors)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        errors.append(f"{resolver}: rc={result.returncode} {lines[-1][:120] if lines else ''}")
    return None, "; ".join(errors)


def compare(actual, expected):
    """(matches, what): float outputs within 1e-4 * max(1, |ref|), integer outputs bit-exact."""
    if actual.shape != expected.shape:
        actual = actual.reshape(expected.shape) if actual.size == expected.size else actual
    if actual.size != expected.size:
        return False, f"{actual.size} values, expected {expected.size}"
    if expected.dtype.kind in "iub":
        differing = int(np.sum(actual != expected))
        worst = int(np.max(np.abs(actual.astype(np.int64) - expected.astype(np.int64)), initial=0))
        return differing == 0, "exact" if differing == 0 else f"{differing} differ (by up to {worst})"
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    excess = np.abs(a - e) - 1e-4 * np.maximum(1, np.abs(e))
    both_nan = np.isnan(a) & np.isnan(e)
    bad = int(np.sum((excess > 0) | (np.isnan(excess) & ~both_nan)))
    worst = float(np.nanmax(np.abs(a - e), initial=0))
    exact = bool(np.array_equal(a, e, equal_nan=True))
    return bad == 0, ("exact" if exact else f"max |diff| {worst:.3g}") if bad == 0 else f"{bad} beyond tolerance, max |diff| {worst:.3g}"


def write_fixture(fixtures, stem, tensorflow):
    """TensorFlow's outputs of sample 0, trimmed as the module doc says: STEM.json (each output's
    shape, dtype and, for integer outputs, SHA-256) and STEM.POSITION.npy (the kept values)."""
    described = []
    for position in range(len(tensorflow.files)):
        output = tensorflow[f"arr_{position}"][0]
        flat = output.reshape(-1)
        entry = {"shape": list(output.shape), "dtype": str(output.dtype)}
        if output.dtype.kind in "iub":
            kept = flat[:INTEGER_KEPT]
            entry["sha256"] = hashlib.sha256(np.ascontiguousarray(output).tobytes()).hexdigest()
        else:
            kept = flat[:FLOAT_KEPT].astype(np.float32)
        np.save(os.path.join(fixtures, f"{stem}.{position}.npy"), kept)
        described.append(entry)
    with open(os.path.join(fixtures, f"{stem}.json"), "w") as file:
        json.dump({"outputs": described}, file, indent=1)
        file.write("\n")


def main(shared, out_dir, only, fixtures):
    realworld = os.path.join(shared, "realworld")
    manifest = json.load(open(os.path.join(realworld, "manifest.json")))["models"]
    rows = []
    for name, entry in manifest.items():
        if only and name not in only:
            continue
        if entry.get("tf_resolver") is None:
            rows.append(f"| {name} | - | no (the original does not run in TensorFlow) | - | skipped |")
            continue
        inputs = os.path.join(realworld, entry["inputs_file"])
        resized = entry.get("input_resized_to")
        shape = ",".join(map(str, resized[0])) if resized else ""
        for mode in MODES:
            driver = subprocess.run([DENO, "run", "--allow-read", "--allow-write", "--allow-env",
                                     "tools/realworld_conversion.ts", shared, out_dir, name, mode],
                                    capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
            if driver.returncode != 0:
                lines = [line for line in driver.stderr.splitlines() if line.strip()]
                rows.append(f"| {name} | {mode} | - | no | liteq: {lines[0][:150] if lines else driver.returncode} |")
                print(rows[-1], flush=True)
                continue
            target = os.path.join(out_dir, f"{name}.{mode}.tflite")
            out = os.path.join(out_dir, f"{name}.{mode}.tf.npz")
            resolver, error = run_tensorflow(target, inputs, shape, out)
            if resolver is None:
                rows.append(f"| {name} | {mode} | no: {error} | - | - |")
                print(rows[-1], flush=True)
                continue
            tensorflow = np.load(out)
            verdicts, all_match = [], True
            for position in range(len(tensorflow.files)):
                suffix = "" if position == 0 else f".{position}"
                actual = np.load(os.path.join(out_dir, f"{name}.{mode}.liteq{suffix}.npy"))
                matches, what = compare(actual, tensorflow[f"arr_{position}"])
                all_match &= matches
                verdicts.append(f"{position}: {what}")
            if fixtures:
                write_fixture(fixtures, f"{name}.{mode}", tensorflow)
            note = f" ({error})" if error else ""
            rows.append(f"| {name} | {mode} | yes, {resolver}{note} | {'yes' if all_match else 'NO'} | {'; '.join(verdicts)} |")
            print(rows[-1], flush=True)
    print("| model | mode | TensorFlow runs it | liteq matches | outputs |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    args = sys.argv[1:]
    fixtures = None
    if args[:1] == ["--fixtures"]:
        fixtures, args = args[1], args[2:]
        os.makedirs(fixtures, exist_ok=True)
    shared = args[0] if args else "../shared"
    out_dir = args[1] if len(args) > 1 else tempfile.mkdtemp(prefix="liteq-conversions-")
    os.makedirs(out_dir, exist_ok=True)
    main(shared, out_dir, args[2:], fixtures)
