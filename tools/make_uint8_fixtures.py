"""Builds legacy uint8 models (asymmetric uint8 weights and activations, per-tensor, as TensorFlow
1.x made them) from the int8 single-op fixtures, and their reference outputs from TensorFlow's
interpreter (reference kernels). TensorFlow 2.21's converter no longer makes uint8 models, so
each int8 model is rewritten: activations and per-tensor constants shifted by 128 (zero point
+128), per-channel weights requantized per tensor over their [min, max], biases requantized to
input scale x the new weight scale. Models TensorFlow cannot run in uint8 are skipped, with its
message.

Developer tool, not a dependency: run it in a venv with tensorflow-cpu 2.21 (see README).
  python tools/make_uint8_fixtures.py tests/fixtures/ops_int8 tests/fixtures/ops_uint8
"""
import os
import shutil
import sys

import numpy as np
import tensorflow as tf
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

source_dir, out_dir = sys.argv[1], sys.argv[2]
os.makedirs(out_dir, exist_ok=True)
INT8, UINT8, INT32 = schema.TensorType.INT8, schema.TensorType.UINT8, schema.TensorType.INT32
OPTIMIZED_ONLY = {"sum_last"}
# Ops with weights: (weights, bias, data) input positions.
WEIGHTED = {schema.BuiltinOperator.CONV_2D: (1, 2, 0), schema.BuiltinOperator.DEPTHWISE_CONV_2D: (1, 2, 0),
            schema.BuiltinOperator.FULLY_CONNECTED: (1, 2, 0),
            schema.BuiltinOperator.TRANSPOSE_CONV: (1, 3, 2)}


def op_code(model, operator):
    code = model.operatorCodes[operator.opcodeIndex]
    return max(code.builtinCode, code.deprecatedBuiltinCode)


def requantize_weights(model, tensor):
    """Per-channel int8 weights to per-tensor asymmetric uint8 over the float range."""
    q = tensor.quantization
    data = model.buffers[tensor.buffer].data.view(np.int8).reshape(tensor.shape).astype(np.float64)
    axis = q.quantizedDimension
    shape = [1] * data.ndim
    shape[axis] = -1
    real = data * np.asarray(q.scale, np.float64).reshape(shape) if len(q.scale) > 1 else data * q.scale[0]
    low, high = min(0.0, real.min()), max(0.0, real.max())
    scale = np.float32((high - low) / 255 or 1.0)
    zero = int(np.clip(np.round(-low / scale), 0, 255))
    values = np.clip(np.round(real / scale) + zero, 0, 255).astype(np.uint8)
    model.buffers[tensor.buffer].data = values.reshape(-1)
    tensor.type = UINT8
    q.scale = np.array([scale], np.float32)
    q.zeroPoint = np.array([zero], np.int64)
    q.quantizedDimension = 0


def convert(model):
    graph = model.subgraphs[0]
    weights = {}
    for operator in graph.operators:
        positions = WEIGHTED.get(op_code(model, operator))
        if positions is not None:
            weights[operator.inputs[positions[0]]] = operator
    done = set()
    for operator in graph.operators:
        positions = WEIGHTED.get(op_code(model, operator))
        if positions is None:
            continue
        position, bias_position, data_position = positions
        weight = graph.tensors[operator.inputs[position]]
        old_scales = np.asarray(weight.quantization.scale, np.float64)
        if operator.inputs[position] not in done:
            requantize_weights(model, weight)
            done.add(operator.inputs[position])
        bias_index = operator.inputs[bias_position] if len(operator.inputs) > bias_position else -1
        if bias_index >= 0 and graph.tensors[bias_index].type == INT32 and bias_index not in done:
            bias = graph.tensors[bias_index]
            input_scale = graph.tensors[operator.inputs[data_position]].quantization.scale[0]
            old = model.buffers[bias.buffer].data.view(np.int32).astype(np.float64)
            real = old * (old_scales if len(old_scales) > 1 else old_scales[0]) * input_scale
            new_scale = np.float32(input_scale * weight.quantization.scale[0])
            model.buffers[bias.buffer].data = np.round(real / new_scale).astype(np.int32).view(np.uint8)
            bias.quantization.scale = np.array([new_scale], np.float32)
            bias.quantization.zeroPoint = np.array([0], np.int64)
            bias.quantization.quantizedDimension = 0
            done.add(bias_index)
    for index, tensor in enumerate(graph.tensors):
        if tensor.type != INT8 or index in done:
            continue
        tensor.type = UINT8
        tensor.quantization.zeroPoint = np.asarray(tensor.quantization.zeroPoint) + 128
        data = model.buffers[tensor.buffer].data
        if data is not None and len(data):
            model.buffers[tensor.buffer].data = (data.view(np.int8).astype(np.int16) + 128).astype(np.uint8)


def rescale_concatenation_inputs(model):
    """Gives each CONCATENATION input its own scale and zero point, as TensorFlow 1.x models could
    have them: TFLite's uint8 kernel then requantizes those inputs in float."""
    graph = model.subgraphs[0]
    for operator in graph.operators:
        if op_code(model, operator) != schema.BuiltinOperator.CONCATENATION:
            continue
        for step, index in enumerate(operator.inputs):
            q = graph.tensors[index].quantization
            q.scale = np.asarray(q.scale, np.float32) * np.float32(0.7 + 0.4 * step)
            q.zeroPoint = np.asarray(q.zeroPoint) + 9 * step - 5


# Extra fixtures: a name, the fixture it starts from and the change made after conversion.
VARIANTS = {"concatenation_rescaled": ("concatenation", rescale_concatenation_inputs)}


def write_fixture(name, source, model):
    path = os.path.join(out_dir, f"{name}.tflite")
    flatbuffer_utils.write_model(model, path)
    try:
        resolvers = tf.lite.experimental.OpResolverType
        interpreter = tf.lite.Interpreter(
            model_path=path,
            # TensorFlow 2.21's reference SUM returns uninitialised memory for quantized types.
            experimental_op_resolver_type=resolvers.BUILTIN_WITHOUT_DEFAULT_DELEGATES
            if name in OPTIMIZED_ONLY else resolvers.BUILTIN_REF)
        interpreter.allocate_tensors()
        for i, detail in enumerate(interpreter.get_input_details()):
            x = np.load(os.path.join(source_dir, f"{source}.input{i}.npy"))
            if x.dtype == np.int8:
                x = (x.astype(np.int16) + 128).astype(np.uint8)
            np.save(os.path.join(out_dir, f"{name}.input{i}.npy"), x)
            interpreter.set_tensor(detail["index"], x)
        interpreter.invoke()
    except (RuntimeError, ValueError) as error:
        print(name, "not run in uint8:", str(error).splitlines()[0][:100])
        for leftover in os.listdir(out_dir):
            if leftover.startswith(f"{name}."):
                os.remove(os.path.join(out_dir, leftover))
        return
    for j, detail in enumerate(interpreter.get_output_details()):
        np.save(os.path.join(out_dir, f"{name}.output{j}.npy"), interpreter.get_tensor(detail["index"]))
    print(name, sorted({op["op_name"] for op in interpreter._get_ops_details()}))


for name in sorted(n[:-len(".tflite")] for n in os.listdir(source_dir) if n.endswith(".tflite")):
    model = flatbuffer_utils.read_model(os.path.join(source_dir, f"{name}.tflite"))
    convert(model)
    write_fixture(name, name, model)
for name, (source, change) in VARIANTS.items():
    model = flatbuffer_utils.read_model(os.path.join(source_dir, f"{source}.tflite"))
    convert(model)
    change(model)
    write_fixture(name, source, model)
