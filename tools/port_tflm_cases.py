"""Ports TensorFlow Lite Micro's hand-checked kernel test cases (tensorflow/tflite-micro,
tensorflow/lite/micro/kernels/*_test.cc and testdata/*.cc) into JSON, one file per TFLM test file,
for tests/runtime/tflm_test.ts. The figures (shapes, inputs, weights, scales, goldens, tolerances)
carry over as TFLM states them; how TFLM's helpers quantize them is a recipe per tensor:

  values                      the stored values as given (float32, or integers)
  float + scale + zeroPoint   TFLM's Quantize (round(x / scale) + zero point, clamped)
  float + perChannel: axis    SignedSymmetricPerChannelQuantize (scale = max |x| / qmax per channel)
  float + symmetricScale      SymmetricPerChannelQuantize with the given scales (one: per tensor)
  float + biasFor: [i, f]     a bias: scale = scale(i) x scale(f)[c], symmetric
  float + biasScale + scale   a bias quantized with biasScale, recorded with scale

`input: true` marks the model's runtime inputs; other op inputs are constants; `intermediates`
are the op's tensors that only carry quantization. The golden is `golden` (floats, quantized with
the output's parameters as TFLM does) or `goldenValues`; an op with several outputs gives `outputs`
and `goldens`, one per output; `dequantizedGoldens` with `tolerances` (float units) are compared
with the dequantized outputs, as TFLM's LSTM test compares them; an output `stateOf: position` is
that variable input after the run. A custom op gives `custom` and its `customOptions` bytes. A
`notPorted` entry may carry its `case` and the `refusal` liteq gives it.

Developer tool:
  python tools/port_tflm_cases.py TFLM_GIT_DIR tests/fixtures/tflm && deno fmt tests/fixtures/tflm
(TFLM_GIT_DIR: a clone of tensorflow/tflite-micro; files are read at HEAD with git show.)
"""
from tflm_port import *  # noqa: F401,F403  (the shared helpers)

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

# FULLY_CONNECTED, SVDF, detection post-processing and the LSTM: the second half.
import tflm_cases_fc_svdf_detection_lstm  # noqa: E402,F401
