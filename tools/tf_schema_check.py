"""Developer check (not a test dependency): src/format/schema.fbs against TensorFlow's own schema.

flatc's Python for our schema and TensorFlow's shipped schema_py_generated.py must agree on every
enum and union value and, for every table accessor, on its vtable slot, element type and default.

usage: python tools/tf_schema_check.py  (with TensorFlow installed and flatc on PATH)"""
import glob, os, re, subprocess, sys, tempfile

from tensorflow.lite.python import schema_py_generated as tf_schema


def parse(source):
    classes = {}
    for chunk in re.split(r"\nclass ", source)[1:]:
        name = chunk.split("(")[0].strip()
        if name.endswith("T"):  # object-API classes add nothing to the wire format
            continue
        constants = re.findall(r"^    (\w+) = (-?\d+)$", chunk, re.M)
        if constants and "def Init" not in chunk:
            classes[name] = ("enum", tuple(constants))
            continue
        accessors = {}
        for method in re.finditer(r"    def (\w+)\(self[^)]*\):\n(.*?)(?=\n    def |\Z|\n\S)", chunk, re.S):
            slot = re.search(r"Offset\((\d+)\)", method.group(2))
            if slot:
                types = tuple(sorted(set(re.findall(r"number_types\.(\w+Flags)", method.group(2)))))
                returns = [line.strip() for line in method.group(2).split("\n") if line.strip().startswith("return")][-1:]
                accessors[method.group(1)] = (slot.group(1), types, tuple(returns))
        classes[name] = ("table", accessors)
    return classes


def main():
    schema = os.path.join(os.path.dirname(__file__), "..", "src", "format", "schema.fbs")
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["flatc", "--python", "-o", folder, schema], check=True)
        ours = {}
        for path in glob.glob(os.path.join(folder, "tflite", "*.py")):
            ours.update(parse(open(path).read()))
    theirs = parse(open(tf_schema.__file__).read())
    differences = 0
    for name in sorted(set(ours) | set(theirs)):
        if ours.get(name) != theirs.get(name):
            print(f"differs: {name}")
            differences += 1
    print(f"{len(theirs)} enums, unions and tables in TensorFlow's schema; {differences} differ")
    return differences == 0


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
