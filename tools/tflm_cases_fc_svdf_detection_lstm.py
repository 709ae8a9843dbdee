"""The second half of tools/port_tflm_cases.py (run through it): TFLM's fully_connected, svdf,
detection_postprocess and unidirectional_sequence_lstm test cases."""
from tflm_port import *  # noqa: F401,F403  (the shared helpers)

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


LSTM_GATES = {"input": ([10, 10, 20, 20], [-1, -2]), "forget": ([-10, -10, -20, -20], [1, 2]),
              "cell": ([1, 1, 1, 1], [0, 0]), "output": ([1, 1, 1, 1], [0, 0])}
LSTM_GATE_ORDER = ["input", "forget", "cell", "output"]
LSTM_OPTIONS = {"fusedActivationFunction": "TANH", "cellClip": 6, "projClip": 3,
                "timeMajor": False, "asymmetricQuantizeInputs": True,
                "diagonalRecurrentTensors": False}


def lstm_float():
    """Create2x3x2X2FloatNodeContents: batch 2, 3 time steps, 2 inputs, 2 units; the state starts
    at zero. TFLM checks the output's first 4 values, the hidden and the cell state; a model shows
    the whole output (whose last step is the hidden state), not the cell state."""
    weight = lambda values: {"shape": [2, 2], "dtype": "float32", "values": values}  # noqa: E731
    inputs = [{"shape": [2, 3, 2], "dtype": "float32",
               "values": array(LSTM_DATA, "input_data", "Get2X2LstmEvalCheckData"),
               "input": True}]
    inputs += [weight(LSTM_GATES[gate][0]) for gate in LSTM_GATE_ORDER]  # input-to-gate weights
    inputs += [weight(LSTM_GATES[gate][0]) for gate in LSTM_GATE_ORDER]  # recurrent (the same)
    inputs += [None, None, None]  # no peepholes
    inputs += [{"shape": [2], "dtype": "float32", "values": LSTM_GATES[gate][1]}
               for gate in LSTM_GATE_ORDER]
    inputs += [None, None]  # no projection
    inputs += [{"shape": [2, 2], "dtype": "float32", "values": [0, 0, 0, 0], "variable": True}
               for _ in range(2)]  # output state, cell state
    inputs += [None, None, None, None]  # no layer normalization
    return {"name": "TestUnidirectionalLSTMFloat", "op": "UNIDIRECTIONAL_SEQUENCE_LSTM",
            "optionsType": "UnidirectionalSequenceLSTMOptions", "options": LSTM_OPTIONS,
            "inputs": inputs, "output": {"shape": [2, 3, 2], "dtype": "float32"},
            "golden": array(LSTM_DATA, "expected_output", "Get2X2LstmEvalCheckData"),
            "tolerance": 1e-6}


def lstm_quantization_settings(function):
    """lstm_test_data.cc's NodeQuantizationParameters of `function`: each tensor's scale and
    zero point (a gate: its input weights', recurrent weights' and bias's scales)."""
    text = source(LSTM_DATA)
    body = text[text.index(f"NodeQuantizationParameters {function}()"):]
    body = body[:body.index("return quantization_settings;")]
    settings = {}
    for name, value in re.findall(r"quantization_settings\.(\w+) = \{(.*?)\};", body, re.S):
        scales = [float(scale) for scale in re.findall(r"/\*scale=\*/([-0-9.e]+)", value)]
        zeros = [int(zero) for zero in re.findall(r"/\*zp=\*/(-?\d+)", value)]
        settings[name] = list(zip(scales, zeros))
    return settings


def lstm_integer(name, function, io, bias_dtype, hidden_tolerance, cell_tolerance):
    """TestUnidirectionalLSTMInt8/Int16: the float node quantized as CreateIntegerNodeContents
    quantizes it (weights and biases SymmetricQuantize'd with the gate's scales, input and states
    Quantize'd). TFLM compares the dequantized output, hidden and cell states with the float
    goldens (EXPECT_NEAR); here the whole output (its last step is the hidden state) and the cell
    state after the last step, which a DEQUANTIZE after the op shows. TFLM's kernel takes the gates at Q3.12 and the
    hidden state at the output state's scale; TFLite's reads them from the op's intermediates,
    which TFLM's node lacks: they carry the same figures here."""
    settings = lstm_quantization_settings(function)
    (input_scale, input_zero), = settings["input"]
    (hidden_scale, hidden_zero), = settings["hidden_state"]
    (cell_scale, cell_zero), = settings["cell_state"]
    (output_scale, output_zero), = settings["output"]
    gate = {g: settings[f"{g}_gate"] for g in LSTM_GATE_ORDER}
    weight = lambda values, scale: {"shape": [2, 2], "dtype": "int8",  # noqa: E731
                                    "float": values, "symmetricScale": [scale]}
    inputs = [{"shape": [2, 3, 2], "dtype": io,
               "float": array(LSTM_DATA, "input_data", "Get2X2LstmEvalCheckData"),
               "scale": input_scale, "zeroPoint": input_zero, "input": True}]
    inputs += [weight(LSTM_GATES[g][0], gate[g][0][0]) for g in LSTM_GATE_ORDER]
    inputs += [weight(LSTM_GATES[g][0], gate[g][1][0]) for g in LSTM_GATE_ORDER]
    inputs += [None, None, None]  # no peepholes
    inputs += [{"shape": [2], "dtype": bias_dtype, "float": LSTM_GATES[g][1],
                "symmetricScale": [gate[g][2][0]]} for g in LSTM_GATE_ORDER]
    inputs += [None, None]  # no projection
    inputs += [{"shape": [2, 2], "dtype": io, "float": [0, 0, 0, 0], "scale": hidden_scale,
                "zeroPoint": hidden_zero, "variable": True},
               {"shape": [2, 2], "dtype": "int16", "float": [0, 0, 0, 0], "scale": cell_scale,
                "zeroPoint": cell_zero, "variable": True}]
    inputs += [None, None, None, None]  # no layer normalization
    gate_input_scale = float(re.search(r"nonlinear_activation_input_scale =\s*([0-9.e-]+)",
                                       source(LSTM_DATA)).group(1))
    intermediates = [{"shape": [], "dtype": "int16", "scale": gate_input_scale, "zeroPoint": 0}
                     for _ in LSTM_GATE_ORDER]
    intermediates.append({"shape": [], "dtype": io, "scale": hidden_scale,
                          "zeroPoint": hidden_zero})
    return {"name": name, "op": "UNIDIRECTIONAL_SEQUENCE_LSTM",
            "optionsType": "UnidirectionalSequenceLSTMOptions", "options": LSTM_OPTIONS,
            "inputs": inputs, "intermediates": intermediates,
            "outputs": [{"shape": [2, 3, 2], "dtype": io, "scale": output_scale,
                         "zeroPoint": output_zero}, {"shape": [2, 2], "stateOf": 19}],
            "dequantizedGoldens": [
                array(LSTM_DATA, "expected_output", "Get2X2LstmEvalCheckData"),
                array(LSTM_DATA, "expected_cell_state", "Get2X2LstmEvalCheckData")],
            "tolerances": [hidden_tolerance, cell_tolerance]}


LSTM_INT8_NOTE = (
    "liteq computes TFLite's EvalInteger8x8_16, which TensorFlow 2.21's reference kernel gives "
    "bit for bit on this model (output [35, 36, 80, 80, 102, 102, -21, -21, 78, 78, 85, 85], cell "
    "state [3663, 3663, 3274, 3274]); from TFLM's float goldens it is at most 0.00408 off on the "
    "output (under one quantum, 0.0047) and 0.00396 on the cell state. TFLM's own kernel (at "
    "tflite-micro 90b983c) gives output [35, 35, 80, 80, 102, 102, -21, -21, 78, 78, 85, 85] and "
    "cell state [3664, 3664, 3274, 3274]: one quantum from TFLite's in output 1 and cells 0 and 1. "
    "TFLM's kernel (lstm_eval.cc, 2023) is not TFLite's: its sigmoid and tanh are the int16 "
    "LOGISTIC and TANH ops' table "
    "interpolation (reference_integer_ops::Logistic, Tanh), not gemmlowp's fixed-point functions; "
    "forget x cell and input x cell gate go through MultiplyByQuantizedMultiplier (effective "
    "scales 2^-15 and 2^-30 / cell scale: a 2^30 multiplier, then a rounding shift: two "
    "roundings), not one rounding shift; the hidden state's multiplier is QuantizeMultiplier of "
    "a double, TFLite's of a float32; "
    "its gate multipliers come from double products of the scales, not float32 ones; it reads no "
    "intermediates (the gates at Q3.12, the hidden state at the output state's parameters, which "
    "the intermediates here repeat). With gemmlowp's sigmoid and tanh in its place, TFLM's kernel "
    "gives TFLite's values here exactly: the activations make the whole difference on this case. "
    "Both are within TFLM's tolerance of its goldens.")
LSTM_INT16_REASON = (
    "TensorFlow Lite has no 16-bit-activation form of this op, which only TFLM runs: TensorFlow "
    "2.21's kernel takes an int16 input for a float one and fails to prepare "
    "(\"input_gate_bias->type != kTfLiteFloat32 (INT64 != FLOAT32)\", INT32 biases likewise) and "
    "its converter makes none (\"Quantization to 16x8-bit not yet supported\"); liteq follows "
    "TFLite and refuses it (`refusal`, which tests/runtime/tflm_test.ts checks on `case`, "
    "ported as the int8 one). TFLM's own kernel (at tflite-micro 90b983c) gives output [12391, "
    "12577, 22439, 22439, 27159, 27159, -66, 0, 21943, 21943, 23426, 23426] and cell state [3676, "
    "3676, 3290, 3290] on it.")

int8_lstm = lstm_integer("TestUnidirectionalLSTMInt8", "Get2X2Int8LstmQuantizationSettings",
                         "int8", "int32", 1e-2, 1e-2)
int8_lstm["note"] = LSTM_INT8_NOTE
write("unidirectional_sequence_lstm", [lstm_float(), int8_lstm],
      "unidirectional_sequence_lstm_test.cc", [
          {"name": "TestUnidirectionalLSTMInt16", "reason": LSTM_INT16_REASON,
           "refusal": "int16 activations (TensorFlow Lite Micro's 16x8 LSTM) have no form",
           "case": lstm_integer("TestUnidirectionalLSTMInt16",
                                "Get2X2Int16LstmQuantizationSettings", "int16", "int64", 1e-3,
                                1e-2)}])
