"""What tools/port_tflm_cases.py and its second half share: the command line (a TFLM clone and
the fixture folder), reading C arrays from TFLM's sources at HEAD, writing one JSON file per TFLM
test file, and the option and tensor recipes both halves build cases from."""
import json
import re
import subprocess
import sys

REPO, FOLDER = sys.argv[1], sys.argv[2]
KERNELS = "tensorflow/lite/micro/kernels"


def source(path):
    return subprocess.run(["git", "-C", REPO, "show", f"HEAD:{path}"], check=True,
                          capture_output=True, text=True).stdout


def array(path, name, after=None):
    """The numbers of the C array `name` defined in `path` (the first after `after`)."""
    text = source(path)
    if after:
        text = text[text.index(after):]
    match = re.search(re.escape(name) + r"\s*\[[^\]]*\]\s*=?\s*\{([^}]*)\}", text)
    body = re.sub(r"//[^\n]*", "", match.group(1))
    return [int(value, 16) if value.startswith("0x") else
            float(value) if "." in value or "e" in value else int(value)
            for value in re.findall(r"0x[0-9a-fA-F]+|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?", body)]


def write(name, cases, source_file, not_ported):
    document = {"source": f"tensorflow/tflite-micro {KERNELS}/{source_file}", "cases": cases,
                "notPorted": not_ported}
    with open(f"{FOLDER}/{name}.json", "w") as file:
        json.dump(document, file, indent=1)
        file.write("\n")


def conv_options(padding="VALID", stride=(2, 2), activation="NONE", dilation=(1, 1)):
    return {"padding": padding, "strideW": stride[1], "strideH": stride[0],
            "fusedActivationFunction": activation, "dilationWFactor": dilation[1],
            "dilationHFactor": dilation[0]}


def quantized_conv(name, io, input_shape, input_float, input_scale, input_zp, filter_shape,
                   filter_float, bias_shape, bias_float, output_shape, golden, output_scale,
                   output_zp, options, op="CONV_2D", axis=0, tolerance=1, bias_dtype=None):
    bias_dtype = bias_dtype or ("int64" if io == "int16" else "int32")
    return {
        "name": name, "op": op, "optionsType": OPTIONS_TYPE[op], "options": options,
        "inputs": [
            {"shape": input_shape, "dtype": io, "float": input_float, "scale": input_scale,
             "zeroPoint": input_zp, "input": True},
            {"shape": filter_shape, "dtype": "int8", "float": filter_float, "perChannel": axis},
            {"shape": bias_shape, "dtype": bias_dtype, "float": bias_float, "biasFor": [0, 1]},
        ],
        "output": {"shape": output_shape, "dtype": io, "scale": output_scale,
                   "zeroPoint": output_zp},
        "golden": golden, "tolerance": tolerance,
    }


def float_case(name, op, options, tensors, output_shape, golden, tolerance=1e-5):
    inputs = [{"shape": shape, "dtype": "float32", "values": values} for shape, values in tensors]
    if op == "TRANSPOSE_CONV":
        inputs[0]["dtype"] = "int32"  # the output shape
    inputs[0 if op != "TRANSPOSE_CONV" else 2]["input"] = True
    return {"name": name, "op": op, "optionsType": OPTIONS_TYPE[op], "options": options,
            "inputs": inputs, "output": {"shape": output_shape, "dtype": "float32"},
            "golden": golden, "tolerance": tolerance}


OPTIONS_TYPE = {"CONV_2D": "Conv2DOptions", "DEPTHWISE_CONV_2D": "DepthwiseConv2DOptions",
                "TRANSPOSE_CONV": "TransposeConvOptions",
                "FULLY_CONNECTED": "FullyConnectedOptions"}


# ---------------------------------------------------------------- conv_test.cc
