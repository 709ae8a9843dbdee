"""A small builder of one-subgraph .tflite files from TensorFlow's own schema classes, for
fixtures of ops that TensorFlow's converter does not emit from Python (SVDF, integer LSTM, custom
ops). Used by tools/make_graph_fixtures.py; needs tensorflow-cpu 2.21 (a developer tool only).
"""
import numpy as np
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

TYPES = {np.float32: schema.TensorType.FLOAT32, np.int8: schema.TensorType.INT8,
         np.int16: schema.TensorType.INT16, np.int32: schema.TensorType.INT32,
         np.int64: schema.TensorType.INT64, np.uint8: schema.TensorType.UINT8,
         np.bool_: schema.TensorType.BOOL}


class Graph:
    """Tensors, operators, inputs and outputs of one subgraph; `bytes()` gives the file."""

    def __init__(self):
        self.model = schema.ModelT()
        self.model.version = 3
        self.model.buffers = [schema.BufferT()]
        self.model.operatorCodes = []
        self.subgraph = schema.SubGraphT()
        self.subgraph.tensors, self.subgraph.operators = [], []
        self.subgraph.inputs, self.subgraph.outputs = [], []
        self.model.subgraphs = [self.subgraph]

    def tensor(self, name, dtype, shape, data=None, scale=None, zero_point=None, variable=False,
               axis=0):
        """Adds a tensor (a constant when `data` is given); returns its index."""
        tensor = schema.TensorT()
        tensor.name, tensor.type = name, TYPES[np.dtype(dtype).type]
        tensor.shape = np.array(shape, np.int32)
        tensor.isVariable = variable
        tensor.buffer = 0
        if data is not None:
            buffer = schema.BufferT()
            buffer.data = np.frombuffer(np.asarray(data, dtype).tobytes(), np.uint8)
            self.model.buffers.append(buffer)
            tensor.buffer = len(self.model.buffers) - 1
        elif not variable:
            self.model.buffers.append(schema.BufferT())
            tensor.buffer = len(self.model.buffers) - 1
        if scale is not None:
            quantization = schema.QuantizationParametersT()
            quantization.scale = np.atleast_1d(np.asarray(scale, np.float32))
            zero = 0 if zero_point is None else zero_point
            quantization.zeroPoint = np.atleast_1d(np.asarray(zero, np.int64))
            quantization.quantizedDimension = axis
            tensor.quantization = quantization
        self.subgraph.tensors.append(tensor)
        return len(self.subgraph.tensors) - 1

    def input(self, *args, **kwargs):
        index = self.tensor(*args, **kwargs)
        self.subgraph.inputs.append(index)
        return index

    def operator(self, op, inputs, outputs, options_type=0, options=None, custom=None,
                 custom_options=None, intermediates=(), version=1):
        """Adds a builtin op (a BuiltinOperator value) or, with `custom`, a custom op."""
        code = schema.OperatorCodeT()
        code.builtinCode = op if custom is None else schema.BuiltinOperator.CUSTOM
        code.deprecatedBuiltinCode = min(code.builtinCode, 127)
        code.customCode = custom
        code.version = version
        self.model.operatorCodes.append(code)
        operator = schema.OperatorT()
        operator.opcodeIndex = len(self.model.operatorCodes) - 1
        operator.inputs = np.array(inputs, np.int32)
        operator.outputs = np.array(outputs, np.int32)
        operator.builtinOptionsType, operator.builtinOptions = options_type, options
        if custom_options is not None:
            operator.customOptions = np.frombuffer(bytes(custom_options), np.uint8)
        if intermediates:
            operator.intermediates = np.array(intermediates, np.int32)
        self.subgraph.operators.append(operator)

    def bytes(self, outputs):
        self.subgraph.outputs = list(outputs)
        return bytes(flatbuffer_utils.convert_object_to_bytearray(self.model))
