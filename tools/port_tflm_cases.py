"""Ports TensorFlow Lite Micro's hand-checked kernel test cases (tensorflow/tflite-micro,
tensorflow/lite/micro/kernels/*_test.cc and testdata/*.cc) into JSON, one file per TFLM test file,
for tests/runtime/tflm_test.ts. The figures (shapes, inputs, weights, scales, goldens, tolerances)
carry over as TFLM states them; how TFLM's helpers quantize them is a recipe per tensor:

  values                      the stored values as given (float32, or integers)
  float + scale + zeroPoint   TFLM's Quantize (round(x / scale) + zero point, clamped)
  float + perChannel: axis    SignedSymmetricPerChannelQuantize (scale = max |x| / qmax per channel)
  float + symmetricScale      SymmetricPerChannelQuantize with the given scales
  float + biasFor: [i, f]     a bias: scale = scale(i) x scale(f)[c], symmetric
  float + biasScale + scale   a bias quantized with biasScale, recorded with scale

`input: true` marks the model's runtime inputs; other op inputs are constants. The golden is
`golden` (floats, quantized with the output's parameters as TFLM does) or `goldenValues`; an op
with several outputs gives `outputs` and `goldens`, one per output. A custom op gives `custom` and
its `customOptions` bytes.

Developer tool:
  python tools/port_tflm_cases.py TFLM_GIT_DIR tests/fixtures/tflm && deno fmt tests/fixtures/tflm
(TFLM_GIT_DIR: a clone of tensorflow/tflite-micro; files are read at HEAD with git show.)
"""
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
CONV = f"{KERNELS}/conv_test.cc"
CONV_DATA = f"{KERNELS}/testdata/conv_test_data.cc"
c_in, c_filter, c_bias = array(CONV, "kInputData"), array(CONV, "kFilterData"), [1, 2, 3]
c_golden = array(CONV, "kGoldenData")
IN, FILTER, BIAS, OUT = [2, 2, 4, 1], [3, 2, 2, 1], [3], [2, 1, 2, 3]
relu6_bias, relu6_golden = [1, 2, -3], [6, 2, 0, 6, 2, 0, 6, 4, 0, 6, 4, 0]
k1_in = [1, 1, 1, 1, 2, 2, 2, 2, 1, 2, 3, 4, 1, 2, 3, 4]
k1_filter = [1, 2, 3, 4, -1, 1, -1, 1, -1, -1, 1, 1]
dilated_in = array(CONV, "input_data", "SimpleTestDilatedQuantizedPerChannel")
dilated_golden = array(CONV, "golden_data", "SimpleTestDilatedQuantizedPerChannel")
x32 = [i - 16 for i in range(32)]
f32x32 = [(i * 25) % 256 - 128 for i in range(32 * 32)]
same2 = conv_options("SAME")
conv = [
    float_case("SimpleTestFloat", "CONV_2D", conv_options(),
               [(IN, c_in), (FILTER, c_filter), (BIAS, c_bias)], OUT, c_golden),
    float_case("InputAndFilterSameWidthHeight", "CONV_2D", conv_options(),
               [(IN, c_in), ([1, 2, 4, 1], [1, 2, 3, 4, -1, -1, 1, 1]), ([1], [0])],
               [2, 1, 1, 1], [10, 34]),
    quantized_conv("SimpleTestQuantizedPerChannel", "int8", IN, c_in, 0.5, 0, FILTER, c_filter,
                   BIAS, c_bias, OUT, c_golden, 1.0, 0, conv_options()),
    quantized_conv("SimpleTestQuantized16x8PerChannel64bBias", "int16", IN, c_in, 0.5, 0, FILTER,
                   c_filter, BIAS, c_bias, OUT, c_golden, 1.0, 0, conv_options()),
    quantized_conv("SimpleTestQuantized16x8PerChannel32bBias", "int16", IN, c_in, 0.5, 0, FILTER,
                   c_filter, BIAS, c_bias, OUT, c_golden, 1.0, 0, conv_options(),
                   bias_dtype="int32"),
    quantized_conv("SimpleTestQuantizedPerChannelRelu6", "int8", IN, c_in, 0.023529, -128,
                   FILTER, c_filter, BIAS, relu6_bias, OUT, relu6_golden, 0.023529, -128,
                   conv_options()),
    quantized_conv("SimpleTestQuantized16x8PerChannelRelu664bBias", "int16", IN, c_in, 0.023529,
                   0, FILTER, c_filter, BIAS, relu6_bias, OUT, relu6_golden, 0.023529, 0,
                   conv_options(activation="RELU6")),
    quantized_conv("SimpleTestQuantized16x8PerChannelRelu632bBias", "int16", IN, c_in, 0.023529,
                   0, FILTER, c_filter, BIAS, relu6_bias, OUT, relu6_golden, 0.023529, 0,
                   conv_options(activation="RELU6"), bias_dtype="int32"),
    quantized_conv("Kernel1x1QuantizedPerChannel", "int8", [1, 2, 2, 4], k1_in, 0.5, 0,
                   [3, 1, 1, 4], k1_filter, [3], [1, 2, 3], [1, 2, 2, 3],
                   [11, 2, 3, 21, 2, 3, 31, 4, 7, 31, 4, 7], 1.0, 0,
                   conv_options(stride=(1, 1))),
    quantized_conv("Kernel1x1QuantizedPerChannelRelu6", "int8", [1, 2, 2, 4], k1_in, 0.023529,
                   -128, [3, 1, 1, 4], k1_filter, [3], [1, 2, -3], [1, 2, 2, 3],
                   [6, 2, 0, 6, 2, 0, 6, 4, 1, 6, 4, 1], 0.023529, -128,
                   conv_options(stride=(1, 1), activation="RELU6")),
    quantized_conv("Kernel1x1Quantized16x8PerChannelRelu6", "int16", [1, 2, 2, 4], k1_in,
                   0.023529, 0, [3, 1, 1, 4], k1_filter, [3], [1, 2, -3], [1, 2, 2, 3],
                   [6, 2, 0, 6, 2, 0, 6, 4, 1, 6, 4, 1], 0.023529, 0,
                   conv_options(stride=(1, 1), activation="RELU6")),
    {"name": "BroadcastPerLayerQuantizationToPerChannelShouldMatchGolden", "op": "CONV_2D",
     "optionsType": "Conv2DOptions", "options": conv_options(),
     "inputs": [
         {"shape": IN, "dtype": "int8", "float": c_in, "scale": 1.0, "zeroPoint": 0,
          "input": True},
         {"shape": FILTER, "dtype": "int8", "float": c_filter, "scale": 1.0, "zeroPoint": 0},
         {"shape": BIAS, "dtype": "int32", "float": c_bias, "biasScale": 1.0, "scale": 1.0}],
     "output": {"shape": OUT, "dtype": "int8", "scale": 1.0, "zeroPoint": 0},
     "golden": c_golden, "tolerance": 0},
] + [
    {"name": f"Int8Filter1x3x3x1ShouldMatchGolden{parity}InputPaddingSame", "op": "CONV_2D",
     "optionsType": "Conv2DOptions", "options": same2,
     "inputs": [
         {"shape": [1, size, size, 1], "dtype": "int8",
          "values": array(CONV_DATA, f"kConvInput1x{size}x{size}x1"),
          "scale": 0.00392120517, "zeroPoint": -128, "input": True},
         {"shape": [1, 3, 3, 1], "dtype": "int8", "values": array(CONV_DATA, "kConvFilter1x3x3x1"),
          "scale": [0.00448552053], "zeroPoint": [0]},
         {"shape": [1], "dtype": "int32", "values": array(CONV_DATA, "kConvZeroBias"),
          "scale": [0.00001758864], "zeroPoint": [0]}],
     "output": {"shape": [1, out, out, 1], "dtype": "int8", "scale": 0.00627814838,
                "zeroPoint": -7},
     "goldenValues": array(CONV_DATA, golden), "tolerance": 1}
    for parity, size, out, golden in [
        ("Even", 4, 2, "kConvGoldenOutput4x4InputPaddingSame2x2"),
        ("Odd", 5, 3, "kConvGoldenOutput5x5InputPaddingSame3x3")]
] + [
    {"name": "Int8Input32x1Filter32x32ShouldMatchGolden", "op": "CONV_2D",
     "optionsType": "Conv2DOptions", "options": conv_options(stride=(1, 1)),
     "inputs": [
         {"shape": [1, 1, 1, 32], "dtype": "int8", "float": x32, "scale": 1.0, "zeroPoint": 0,
          "input": True},
         {"shape": [32, 1, 1, 32], "dtype": "int8", "float": f32x32, "scale": 1.0,
          "zeroPoint": 0},
         {"shape": [32], "dtype": "int32", "float": list(range(32)), "biasScale": 50.0,
          "scale": 1.0}],
     "output": {"shape": [1, 1, 1, 32], "dtype": "int8", "scale": 50.0, "zeroPoint": 0},
     "golden": array(CONV, "expected_output", "Int8Input32x1Filter32x32ShouldMatchGolden"),
     "tolerance": 1},
    {"name": "Int8Filter8x3x3x3PerChannelScaleRelu6ShouldMatchGolden", "op": "CONV_2D",
     "note": "TFLM passes VALID padding with a 16x16 output, which only SAME gives; SAME pads "
             "after the image here, so the arithmetic is TFLM's",
     "optionsType": "Conv2DOptions", "options": conv_options("SAME", activation="RELU6"),
     "inputs": [
         {"shape": [1, 32, 32, 3], "dtype": "int8",
          "values": array(CONV_DATA, "kConvInput1x32x32x3"), "scale": 0.00784313772,
          "zeroPoint": -1, "input": True},
         {"shape": [8, 3, 3, 3], "dtype": "int8", "values": array(CONV_DATA, "kConvFilter8x3x3x3"),
          "scale": array(CONV, "filter_scales", "Int8Filter8x3x3x3PerChannel")},
         {"shape": [8], "dtype": "int32", "values": array(CONV_DATA, "kConvBiasQuantized8"),
          "scale": array(CONV, "bias_scales", "Int8Filter8x3x3x3PerChannel")}],
     "output": {"shape": [1, 16, 16, 8], "dtype": "int8", "scale": 0.0235294122,
                "zeroPoint": -128},
     "goldenValues": array(CONV_DATA, "kConvGoldenOutput1x16x16x8"), "tolerance": 1},
]
write("conv", conv, "conv_test.cc", [
    {"name": "SimpleTestDilatedQuantizedPerChannel",
     "reason": "TFLM's output shape [2,2,2,3] is not what VALID padding with dilation 2x3 gives "
               "([2,1,1,3]): TFLM reads past the image as zeros; no model expresses it"},
    {"name": "SimpleTestQuantized4bitPerChannel",
     "reason": "int4 filters: liteq does not run int4 tensors"},
    {"name": "InputOutputDifferentTypeIsError, HybridModeIsError, "
             "FilterDimsNotMatchingAffineQuantization",
     "reason": "errors of TFLM's own preparation (liteq runs hybrid convolutions)"},
    {"name": "*Compressed", "reason": "TFLM's compressed tensors have no .tflite form here"}])

# ------------------------------------------------------- depthwise_conv_test.cc
DW = f"{KERNELS}/depthwise_conv_test.cc"


def dw_options(input_channels, output_channels, stride=(1, 1), activation="NONE",
               dilation=(1, 1)):
    """TFLM's depthwise test helper always runs VALID with depth multiplier out / in channels."""
    return {"padding": "VALID", "strideW": stride[1], "strideH": stride[0],
            "depthMultiplier": output_channels // input_channels,
            "fusedActivationFunction": activation, "dilationWFactor": dilation[1],
            "dilationHFactor": dilation[0]}


dw_in = [1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12]
dw_filter = [1, 2, 3, 4, -9, 10, -11, 12, 5, 6, 7, 8, 13, -14, 15, -16]
dw_golden = [71, -34, 99, -20, 91, -26, 127, -4]
cmp_in = [3, 2, 1, -1, -2, -3, 4, 3, 2, -2, -3, -4]
cmp_filter = [1, 2, 3, 4, 3, 4, 5, 6, 7, 8, 5, 6, 3, 4, 1, 2]
cmp_golden = [43, 48, 18, 22, 3, -4, -28, -36]
B4 = [1, 1, 1, 4]


def dw_quantized(name, io, input_shape, input_float, input_scale, input_zp, filter_shape,
                 filter_float, bias_float, output_shape, golden, output_scale, output_zp,
                 options):
    return quantized_conv(name, io, input_shape, input_float, input_scale, input_zp,
                          filter_shape, filter_float, [1, 1, 1, filter_shape[3]], bias_float,
                          output_shape, golden, output_scale, output_zp, options,
                          op="DEPTHWISE_CONV_2D", axis=3, tolerance=1)


def dw_per_layer(name, input_shape, input_float, input_scale, input_zp, filter_shape,
                 filter_float, filter_scale, bias_float, output_shape, golden, output_scale,
                 output_zp, options, tolerance):
    """TFLM's per-layer cases: bias quantized with input x output scale, recorded as
    input x filter scale (the two agree wherever the bias is not zero)."""
    return {"name": name, "op": "DEPTHWISE_CONV_2D", "optionsType": "DepthwiseConv2DOptions",
            "options": options,
            "inputs": [
                {"shape": input_shape, "dtype": "int8", "float": input_float,
                 "scale": input_scale, "zeroPoint": input_zp, "input": True},
                {"shape": filter_shape, "dtype": "int8", "float": filter_float,
                 "scale": filter_scale, "zeroPoint": 0},
                {"shape": [filter_shape[3]], "dtype": "int32", "float": bias_float,
                 "biasScale": input_scale * output_scale, "scale": input_scale * filter_scale}],
            "output": {"shape": output_shape, "dtype": "int8", "scale": output_scale,
                       "zeroPoint": output_zp},
            "golden": golden, "tolerance": tolerance}


int16_in = array(DW, "input_values", "SimpleTestQuantizedPerChannelInt16InputInt8Filter")[:12]
int16_golden = array(DW, "golden", "SimpleTestQuantizedPerChannelInt16InputInt8Filter")
depthwise = [
    float_case("SimpleTest", "DEPTHWISE_CONV_2D", dw_options(2, 4),
               [([1, 3, 2, 2], dw_in), ([1, 2, 2, 4], dw_filter), (B4, [1, 2, 3, 4])],
               [1, 2, 1, 4], dw_golden),
    float_case("SimpleTestRelu", "DEPTHWISE_CONV_2D", dw_options(2, 4, activation="RELU"),
               [([1, 3, 2, 2], dw_in), ([1, 2, 2, 4], dw_filter), (B4, [1, 2, 3, 4])],
               [1, 2, 1, 4], [71, 0, 99, 0, 91, 0, 127, 0]),
    dw_quantized("SimpleTestQuantizedPerChannelDepthMultiplier1", "int8", [1, 3, 2, 2], dw_in,
                 1.0, 0, [1, 2, 2, 2], dw_filter[:8], [1, 2], [1, 2, 1, 2],
                 [-103, 127, -128, 127], 1.0, 0, dw_options(2, 2)),
    dw_quantized("TestQuantizedPerChannelDepthMultiplier1Relu6", "int8", [1, 3, 2, 4], [1] * 24,
                 0.023529, -128, [1, 2, 2, 4],
                 [0, 1, 8, -2, -1, 2, -10, 0, -1, 3, -18, 0, 0, 4, 20, -3], [1, 2, 3, 4],
                 [1, 2, 1, 4], [0, 6, 3, 0, 0, 6, 3, 0], 0.023529, -128,
                 dw_options(4, 4, activation="RELU6")),
    dw_quantized("SimpleTestDilatedQuantizedPerChannel", "int8", [1, 4, 6, 2],
                 array(DW, "input_values", "SimpleTestDilatedQuantizedPerChannel"), 0.5, 0,
                 [1, 2, 2, 4], dw_filter, [1, 2, 3, 4], [1, 2, 3, 4],
                 array(DW, "golden", "SimpleTestDilatedQuantizedPerChannel"), 1.0, 0,
                 dw_options(2, 4, dilation=(2, 3))),
    dw_quantized("TestQuantizedPerChannelCompareWithFloat (int8)", "int8", [1, 2, 3, 2], cmp_in,
                 0.5, 0, [1, 2, 2, 4], cmp_filter, [3, -2, 4, 6], [1, 1, 2, 4], cmp_golden, 1.0,
                 0, dw_options(2, 4)),
    float_case("TestQuantizedPerChannelCompareWithFloat (float)", "DEPTHWISE_CONV_2D",
               dw_options(2, 4),
               [([1, 2, 3, 2], cmp_in), ([1, 2, 2, 4], cmp_filter), (B4, [3, -2, 4, 6])],
               [1, 1, 2, 4], cmp_golden),
    dw_per_layer("PerChannelBroadcastQuantizationParams", [1, 3, 2, 2], dw_in, 1.0, 0,
                 [1, 2, 2, 4], dw_filter, 1.0, [1, 2, 3, 4], [1, 2, 1, 4], dw_golden, 1.0, 0,
                 dw_options(2, 4), 0),
] + [
    dw_per_layer(f"Int8Input32x{rows}Filter32x{rows}ShouldMatchGolden", [1, rows, 1, 32],
                 array(DW, "input_values", f"Int8Input32x{rows}Filter32x{rows}"), 0.058824,
                 -128, [1, rows, 1, 32],
                 array(DW, "filter_values", f"Int8Input32x{rows}Filter32x{rows}"), 0.003301,
                 [0] * 32, [1, 1, 1, 32],
                 array(DW, "golden", f"Int8Input32x{rows}Filter32x{rows}"), 0.092596, 0,
                 dw_options(32, 32, stride=(stride, stride)), 1)
    for rows, stride in [(4, 1), (1, 2)]
] + [
    dw_quantized("SimpleTestQuantizedPerChannel", "int8", [1, 3, 2, 2], dw_in, 0.5, 0,
                 [1, 2, 2, 4], dw_filter, [1, 2, 3, 4], [1, 2, 1, 4], dw_golden, 1.0, 0,
                 dw_options(2, 4)),
    dw_quantized("SimpleTestQuantizedPerChannelInt16InputInt8Filter", "int16", [1, 3, 2, 2],
                 int16_in, 0.5, 0, [1, 2, 2, 4], dw_filter, [1, 2, 3, 4], [1, 2, 1, 4],
                 int16_golden, 1.0, 0, dw_options(2, 4)),
]
write("depthwise_conv", depthwise, "depthwise_conv_test.cc", [
    {"name": "SimpleTestQuantizedPerChannelInt4Filter",
     "reason": "int4 filters: liteq does not run int4 tensors"},
    {"name": "FilterDimsNotMatchingAffineQuantization",
     "reason": "an error of TFLM's own preparation"},
    {"name": "*Compressed", "reason": "TFLM's compressed tensors have no .tflite form here"}])

# ------------------------------------------------------- transpose_conv_test.cc
TC = f"{KERNELS}/transpose_conv_test.cc"
tc_in, tc_filter = array(TC, "kInputData"), array(TC, "kFilterData")
tc_golden = array(TC, "kGoldenData")


def tc_options(padding="SAME", stride=1, activation="NONE"):
    return {"padding": padding, "strideW": stride, "strideH": stride,
            "fusedActivationFunction": activation}


def tc_float(name, options, input_shape, input_values, filter_shape, filter_values, bias_shape,
             bias_values, output_shape, golden):
    """TFLM leaves the output-shape input empty and takes the output tensor's shape; a model
    states it as a constant."""
    return float_case(name, "TRANSPOSE_CONV", options,
                      [([4], output_shape), (filter_shape, filter_values),
                       (input_shape, input_values), (bias_shape, bias_values)],
                      output_shape, golden)


def tc_quantized(name, io, input_scale, output_scale, bias_dtype, tolerance):
    return {"name": name, "op": "TRANSPOSE_CONV", "optionsType": "TransposeConvOptions",
            "options": tc_options(),
            "inputs": [
                {"shape": [4], "dtype": "int32", "values": [1, 4, 4, 1]},
                {"shape": [1, 3, 3, 2], "dtype": "int8", "float": tc_filter, "perChannel": 0},
                {"shape": [1, 4, 4, 2], "dtype": io, "float": tc_in, "scale": input_scale,
                 "zeroPoint": 0, "input": True},
                {"shape": [1], "dtype": bias_dtype, "float": [0], "biasScale": input_scale,
                 "scale": input_scale}],
            "output": {"shape": [1, 4, 4, 1], "dtype": io, "scale": output_scale,
                       "zeroPoint": 0},
            "golden": tc_golden, "tolerance": tolerance}


B1 = [1, 1, 1, 1]
transpose_conv = [
    tc_float("SimpleTestFloat", tc_options(), [1, 4, 4, 2], tc_in, [1, 3, 3, 2], tc_filter, B1,
             [0], [1, 4, 4, 1], tc_golden),
    tc_float("fusedRELUTest", tc_options(activation="RELU"), [1, 4, 4, 1],
             [1, 2, -3, -4, 5, 6, -7, -8, 9, 10, -11, -12, 13, 14, 15, 16], [1, 3, 3, 1],
             list(range(1, 10)), B1, [0], [1, 4, 4, 1],
             array(TC, "golden_data", "fusedRELUTest")),
    tc_float("AccuracyWithFusedActivationTest", tc_options(stride=3, activation="RELU"),
             [1, 1, 2, 1], [323, -521], [1, 3, 3, 1], [9, 5, 6, 9, 8, 5, 3, 1, 4], B1, [0],
             [1, 3, 4, 1], array(TC, "golden_data", "AccuracyWithFusedActivationTest")),
    tc_float("MultiChannelBiasWithFusedActivationTest",
             tc_options("VALID", stride=2, activation="RELU"), [1, 2, 2, 1], [1, 2, -3, 4],
             [2, 3, 3, 1], array(TC, "filter_data", "MultiChannelBiasWithFusedActivationTest"),
             [2, 1, 1, 1], [3, 4], [1, 5, 5, 2],
             array(TC, "golden_data", "MultiChannelBiasWithFusedActivationTest")),
    tc_quantized("SimpleTestQuantizedPerChannel", "int8", 0.5, 30.0, "int32", 1),
    tc_quantized("SimpleTestQuantized16x8PerChannel", "int16", 1.0, 1.0, "int64", 4),

]
write("transpose_conv", transpose_conv, "transpose_conv_test.cc", [
    {"name": "SimpleTestQuantized16x8PerChannelWithInt16Bias",
     "reason": "an int16 bias is TFLM's own: TensorFlow Lite's TRANSPOSE_CONV takes int64 for "
               "int16 activations, and liteq follows TensorFlow Lite"},
    {"name": "InputOutputDifferentTypeIsError, HybridModeIsError",
     "reason": "errors of TFLM's own preparation"},
    {"name": "*Compressed", "reason": "TFLM's compressed tensors have no .tflite form here"}])

# ------------------------------------------------------ fully_connected_test.cc
FC = f"{KERNELS}/fully_connected_test.cc"
fc = {name: array(FC, name) for name in [
    "simple_input_data", "simple_weights_data", "simple_golden", "simple_golden_null_bias",
    "relu_input_data", "relu_weights_data", "relu_golden", "representative_64x16_input_data",
    "representative_64x16_weights_data", "representative_64x16_bias_data",
    "representative_64x16_golden"]}
fc_options = {"fusedActivationFunction": "NONE", "weightsFormat": "DEFAULT",
              "keepNumDims": False}
fc_relu = {**fc_options, "fusedActivationFunction": "RELU"}


def fc_float(name, input_shape, input_values, weights_shape, weights, bias, output_shape,
             golden):
    case = float_case(name, "FULLY_CONNECTED", fc_options,
                      [(input_shape, input_values), (weights_shape, weights)] +
                      ([([len(bias)], bias)] if bias else []), output_shape, golden, 1e-4)
    if not bias:
        case["inputs"].append(None)
    return case


def fc_quantized(name, io, input_shape, input_values, input_scale, input_zp, weights_shape,
                 weights, weights_scale, bias, output_shape, golden, output_scale, output_zp,
                 options=fc_options):
    weights_tensor = {"shape": weights_shape, "dtype": "int8", "float": weights}
    if isinstance(weights_scale, list):
        weights_tensor["symmetricScale"] = weights_scale
    else:
        weights_tensor.update(scale=weights_scale, zeroPoint=0)
    bias_tensor = None if bias is None else {
        "shape": [len(bias)], "dtype": "int64" if io == "int16" else "int32", "float": bias,
        "biasFor": [0, 1]}
    return {"name": name, "op": "FULLY_CONNECTED", "optionsType": "FullyConnectedOptions",
            "options": options,
            "inputs": [{"shape": input_shape, "dtype": io, "float": input_values,
                        "scale": input_scale, "zeroPoint": input_zp, "input": True},
                       weights_tensor, bias_tensor],
            "output": {"shape": output_shape, "dtype": io, "scale": output_scale,
                       "zeroPoint": output_zp},
            "golden": golden, "tolerance": 0}


S_IN, S_W, S_B = fc["simple_input_data"], fc["simple_weights_data"], [1, 2, 3]
I16 = 128.0 / 65536
fully_connected = [
    fc_float("SimpleTest", [2, 10], S_IN, [3, 10], S_W, S_B, [2, 3], fc["simple_golden"]),
    fc_float("SimpleTestNullBias", [2, 10], S_IN, [3, 10], S_W, None, [2, 3],
             fc["simple_golden_null_bias"]),
    fc_quantized("SimpleTestQuantizedInt8", "int8", [2, 10], S_IN, 1.0, -1, [3, 10], S_W, 1.0,
                 S_B, [2, 3], fc["simple_golden"], 0.5, -1),
    fc_quantized("SimpleTestQuantizedPerChannelInt8", "int8", [2, 10], S_IN, 0.5, -1, [3, 10],
                 S_W, [0.2, 0.25, 0.5], S_B, [2, 3], fc["simple_golden"], 1.0, -1),
    fc_quantized("SimpleTestQuantizedInt16", "int16", [2, 10], S_IN, I16, 0, [3, 10], S_W, 1.0,
                 S_B, [2, 3], fc["simple_golden"], I16, 0),
    fc_quantized("SimpleTestPerChannelQuantizedInt16", "int16", [2, 10], S_IN, I16, 0, [3, 10],
                 S_W, [0.2, 0.25, 0.5], S_B, [2, 3], fc["simple_golden"], I16, 0),
    fc_quantized("SimpleTest4DInputQuantizedInt8", "int8", [1, 1, 2, 10], S_IN, 1.0, -1,
                 [3, 10], S_W, 1.0, S_B, [2, 3], fc["simple_golden"], 0.5, -1),
    fc_quantized("SimpleTestQuantizedInt8Relu", "int8", [2, 10], fc["relu_input_data"], 1.0, -1,
                 [3, 10], fc["relu_weights_data"], 1.0, [1, -2, 3], [2, 3], fc["relu_golden"],
                 0.5, -128, fc_relu),
    fc_float("SimpleTest4DInput", [1, 1, 2, 10], S_IN, [3, 10], S_W, S_B, [2, 3],
             fc["simple_golden"]),
    fc_float("Representative1x64Input1x16Output", [1, 64],
             fc["representative_64x16_input_data"], [16, 64],
             fc["representative_64x16_weights_data"], fc["representative_64x16_bias_data"],
             [1, 16], fc["representative_64x16_golden"]),
    fc_quantized("Representative1x64Input1x16OutputQuantizedInt8", "int8", [1, 64],
                 fc["representative_64x16_input_data"], 0.051445, -128, [16, 64],
                 fc["representative_64x16_weights_data"], 0.005660,
                 fc["representative_64x16_bias_data"], [1, 16],
                 fc["representative_64x16_golden"], 0.069785, -9),
    fc_quantized("SimpleTestQuantizedInt8NullBias", "int8", [2, 10], S_IN, 1.0, -1, [3, 10],
                 S_W, 1.0, None, [2, 3], fc["simple_golden_null_bias"], 0.5, -1),
]
write("fully_connected", fully_connected, "fully_connected_test.cc", [
    {"name": "SimpleTestQuantizedInt4Weights",
     "reason": "int4 weights: liteq does not run int4 tensors"},
    {"name": "*Compressed", "reason": "TFLM's compressed tensors have no .tflite form here"}])

# ------------------------------------------------------------ call_once_test.cc
# TFLM counts the initialization subgraph's invocations on a mock graph; the port counts them
# in a resource variable the initialization subgraph increments (tflm_test.ts builds the model).
write("call_once", [
    {"name": "CallOnceShouldOnlyInvokeSubgraphOnce", "kind": "callOnce",
     "invokes": [1, 10], "initInvokesGolden": 1},
], "call_once_test.cc", [])

# ----------------------------------------------------------------- svdf_test.cc
# Each case runs `steps` invocations in order, its state variable carried along: the runtime
# input and the golden are the invocations' values one after the other.
import numpy as np  # noqa: E402  (float32 arithmetic of TFLM's scale helpers)

SVDF = f"{KERNELS}/svdf_test.cc"
LIMITS = {"int8": (-128, 127), "int16": (-32768, 32767)}


def scale_from_min_max(dtype, low, high):
    """TFLM's ScaleFromMinMax<T>: (max - min) / (T max - T min), in float32."""
    lowest, highest = LIMITS[dtype]
    return float(np.float32(np.float32(high) - np.float32(low)) / np.float32(highest - lowest))


def svdf_float(name, batch, units, input_size, memory, rank, activation, suffix, steps):
    filters = units * rank
    sequence = array(SVDF, f"input_data_{suffix}")
    return {"name": name, "op": "SVDF", "optionsType": "SVDFOptions",
            "options": {"rank": rank, "fusedActivationFunction": activation,
                        "asymmetricQuantizeInputs": False},
            "steps": steps,
            "inputs": [
                {"shape": [batch, input_size], "dtype": "float32",
                 "values": sequence[:steps * batch * input_size], "input": True},
                {"shape": [filters, input_size], "dtype": "float32",
                 "values": array(SVDF, f"feature_weights_data_{suffix}")},
                {"shape": [filters, memory], "dtype": "float32",
                 "values": array(SVDF, f"time_weights_data_{suffix}")},
                {"shape": [units], "dtype": "float32",
                 "values": array(SVDF, f"bias_data_{suffix}")[:units]},
                {"shape": [batch, memory * filters], "dtype": "float32", "variable": True,
                 "values": array(SVDF, f"initial_activation_state_data_{suffix}")}],
            "output": {"shape": [batch, units], "dtype": "float32"},
            "golden": None, "tolerance": 1e-5}


def svdf_integer(name, state, batch, units, input_size, memory, rank, activation, suffix, steps,
                 input_scale, input_zp, feature_scale, time_scale, state_scale, output_scale,
                 output_zp, golden):
    filters = units * rank
    sequence = array(SVDF, f"input_data_{suffix}")
    return {"name": name, "op": "SVDF", "optionsType": "SVDFOptions",
            "options": {"rank": rank, "fusedActivationFunction": activation,
                        "asymmetricQuantizeInputs": False},
            "steps": steps,
            "inputs": [
                {"shape": [batch, input_size], "dtype": "int8",
                 "float": sequence[:steps * batch * input_size], "scale": input_scale,
                 "zeroPoint": input_zp, "input": True},
                {"shape": [filters, input_size], "dtype": "int8",
                 "float": array(SVDF, f"feature_weights_data_{suffix}"), "scale": feature_scale,
                 "zeroPoint": 0},
                {"shape": [filters, memory], "dtype": state,
                 "float": array(SVDF, f"time_weights_data_{suffix}"), "scale": time_scale,
                 "zeroPoint": 0},
                {"shape": [units], "dtype": "int32",
                 "float": array(SVDF, f"bias_data_{suffix}")[:units],
                 "biasScale": float(np.float32(time_scale) * np.float32(state_scale)),
                 "scale": float(np.float32(time_scale) * np.float32(state_scale))},
                {"shape": [batch, memory * filters], "dtype": state, "variable": True,
                 "float": array(SVDF, f"initial_activation_state_data_{suffix}"),
                 "scale": state_scale, "zeroPoint": 0}],
            "output": {"shape": [batch, units], "dtype": "int8", "scale": output_scale,
                       "zeroPoint": output_zp},
            "golden": array(SVDF, golden), "tolerance": 1}


svdf = [
    {**svdf_float("SvdfFloat2x2Input2x4OutputShouldMatchGolden", 2, 4, 2, 10, 2, "NONE",
                  "2x2x10", 10), "golden": array(SVDF, "golden_output_2x2x10")},
    {**svdf_float("SvdfFloat1x16Input64x1OutputShouldMatchGolden", 1, 64, 16, 8, 1, "NONE",
                  "16x1x1", 1), "golden": array(SVDF, "golden_output_16x1x1")},
    {**svdf_float("SvdfFloat1x16Input64x1OutputReluShouldMatchGolden", 1, 64, 16, 8, 1, "RELU",
                  "16x1x1", 1), "golden": array(SVDF, "golden_output_relu_16x1x1")},
]
for state in ["int16"]:
    suffix = "Int16"
    svdf.append(svdf_integer(
        f"SvdfQuantized2x2Input2x4OutputShouldMatchGolden{suffix}", state, 2, 4, 2, 10, 2, "RELU",
        "2x2x10", 10, 2.5 / 127, 0, 1.0 / 127, 1.0 / LIMITS[state][1],
        1.49 / LIMITS[state][1], 1.0 / 127, 0, "golden_output_2x2x10"))
    for relu in [True]:
        svdf.append(svdf_integer(
            f"SvdfQuantized1x16Input64x1Output{'Relu' if relu else ''}ShouldMatchGolden{suffix}",
            state, 1, 64, 16, 8, 1, "RELU" if relu else "NONE", "16x1x1", 1, 0.10075444, 2,
            0.00649388, scale_from_min_max(state, -.81, .81),
            scale_from_min_max(state, -17.73, 17.73), 0.051445257, -128 if relu else 0,
            "golden_output_relu_16x1x1" if relu else "golden_output_16x1x1"))
write("svdf", svdf, "svdf_test.cc", [
    {"name": "SvdfQuantized*Int8",
     "reason": "int8 time weights and state are TFLM's own: TensorFlow Lite's integer SVDF keeps "
               "them in int16, and liteq follows TensorFlow Lite"},
    {"name": "SvdfQuantized1x16Input64x1OutputShouldMatchGoldenInt16",
     "reason": "no activation: TensorFlow Lite's integer SVDF runs RELU only, and so does liteq"}])


# ------------------------------------------------ detection_postprocess_test.cc
DP = f"{KERNELS}/detection_postprocess_test.cc"
DP_OPTIONS = f"{KERNELS}/detection_postprocess_flexbuffers_generated_data.cc"
boxes4 = array(DP, "kInputData1")
scores3 = array(DP, "kInputData2")
anchors = array(DP, "kInputData3")
boxes5 = array(DP, "kInputData1", "NoBackgroundClassAndKeypoints) {")
scores2 = array(DP, "kInputData2", "NoBackgroundClassAndKeypoints) {")
fast_golden = [array(DP, "kGolden1"), array(DP, "kGolden2"), array(DP, "kGolden3"),
               array(DP, "kGolden4")]
regular_golden = [[0.0, 10.0, 1.0, 11.0, 0.0, 10.0, 1.0, 11.0, 0.0, 0.0, 0.0, 0.0],
                  array(DP, "kGolden2"), [0.95, 0.9, 0.0], [2.0]]


def detection(name, boxes, box_width, scores, classes, regular, goldens, tolerance):
    """TFLM passes the anchors as an input; a model holds them as a constant."""
    options = "g_gen_data_regular_nms" if regular else "g_gen_data_none_regular_nms"
    return {"name": name, "op": "TFLite_Detection_PostProcess", "custom": True,
            "customOptions": array(DP_OPTIONS, options),
            "inputs": [
                {"shape": [1, 6, box_width], "dtype": "float32", "values": boxes, "input": True},
                {"shape": [1, 6, classes], "dtype": "float32", "values": scores, "input": True},
                {"shape": [6, 4], "dtype": "float32", "values": anchors}],
            "outputs": [{"shape": [1, 3, 4], "dtype": "float32"},
                        {"shape": [1, 3], "dtype": "float32"},
                        {"shape": [1, 3], "dtype": "float32"},
                        {"shape": [1], "dtype": "float32"}],
            "goldens": goldens, "tolerance": tolerance}


write("detection_postprocess", [
    detection("DetectionPostprocessFloatFastNMS", boxes4, 4, scores3, 3, False, fast_golden, 0),
    detection("DetectionPostprocessFloatRegularNMS", boxes4, 4, scores3, 3, True,
              regular_golden, 0.1),
    detection("DetectionPostprocessFloatFastNMSwithNoBackgroundClassAndKeypoints", boxes5, 5,
              scores2, 2, False, fast_golden, 0),
    detection("DetectionPostprocessFloatRegularNMSwithNoBackgroundClassAndKeypoints", boxes4, 4,
              scores2, 2, True, regular_golden, 0.1),
    detection("DetectionPostprocessFloatFastNMSWithBackgroundClassAndKeypoints", boxes5, 5,
              scores3, 3, False, fast_golden, 0),
    detection("DetectionPostprocessFloatFNMSSwithNoBackgroundClassAndKeypointsStableSort",
              boxes5, 5, array(DP, "kInputData2", "KeypointsStableSort) {"), 2, False,
              [fast_golden[0], [0, 0, 0], [0.0196078, 0.0156863, 0.00392157], fast_golden[3]],
              0.3),
], "detection_postprocess_test.cc", [])

# -------------------------------------------- unidirectional_sequence_lstm_test.cc
LSTM_DATA = f"{KERNELS}/testdata/lstm_test_data.cc"


def lstm_float():
    """Create2x3x2X2FloatNodeContents: batch 2, 3 time steps, 2 inputs, 2 units; the state starts
    at zero. TFLM checks the output's first 4 values, the hidden and the cell state; a model shows
    the whole output (whose last step is the hidden state), not the cell state."""
    gates = {"input": ([10, 10, 20, 20], [-1, -2]), "forget": ([-10, -10, -20, -20], [1, 2]),
             "cell": ([1, 1, 1, 1], [0, 0]), "output": ([1, 1, 1, 1], [0, 0])}
    order = ["input", "forget", "cell", "output"]
    weight = lambda values: {"shape": [2, 2], "dtype": "float32", "values": values}  # noqa: E731
    inputs = [{"shape": [2, 3, 2], "dtype": "float32",
               "values": array(LSTM_DATA, "input_data", "Get2X2LstmEvalCheckData"),
               "input": True}]
    inputs += [weight(gates[gate][0]) for gate in order]  # input-to-gate weights
    inputs += [weight(gates[gate][0]) for gate in order]  # recurrent weights (the same figures)
    inputs += [None, None, None]  # no peepholes
    inputs += [{"shape": [2], "dtype": "float32", "values": gates[gate][1]} for gate in order]
    inputs += [None, None]  # no projection
    inputs += [{"shape": [2, 2], "dtype": "float32", "values": [0, 0, 0, 0], "variable": True}
               for _ in range(2)]  # output state, cell state
    inputs += [None, None, None, None]  # no layer normalization
    return {"name": "TestUnidirectionalLSTMFloat", "op": "UNIDIRECTIONAL_SEQUENCE_LSTM",
            "optionsType": "UnidirectionalSequenceLSTMOptions",
            "options": {"fusedActivationFunction": "TANH", "cellClip": 6, "projClip": 3,
                        "timeMajor": False, "asymmetricQuantizeInputs": True,
                        "diagonalRecurrentTensors": False},
            "inputs": inputs, "output": {"shape": [2, 3, 2], "dtype": "float32"},
            "golden": array(LSTM_DATA, "expected_output", "Get2X2LstmEvalCheckData"),
            "tolerance": 1e-6}


write("unidirectional_sequence_lstm", [lstm_float()], "unidirectional_sequence_lstm_test.cc", [
    {"name": "TestUnidirectionalLSTMInt8, TestUnidirectionalLSTMInt16",
     "reason": "not ported yet: their node's per-gate quantization (lstm_test_data.cc's "
               "NodeQuantizationParameters) needs TFLM's LstmNodeContent quantization rules"}])
