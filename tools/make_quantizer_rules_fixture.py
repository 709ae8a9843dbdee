"""Makes tests/fixtures/quantizer_rules: a float model that exercises the rules of TensorFlow's
quantizer which a plain reading of the spec misses, TensorFlow's int8 conversion of it and the
calibration samples used; the test checks that liteq's graph and scales are TensorFlow's.
- ADD, SUB and MUL that TFLite runs in place over an input: TensorFlow's calibration records the
  op's output range on that input too (see src/quantize/in_place_ranges.ts);
- a CONCATENATION of a LOGISTIC's output (fixed parameters) and a wider tensor: TensorFlow
  requantizes the LOGISTIC's output to the concatenation's range;
- MAXIMUM with a constant: inputs, constant and output on one scale.

Developer tool, not a dependency (TensorFlow 2.21 in a venv, see README):
  python tools/make_quantizer_rules_fixture.py tests/fixtures/quantizer_rules
"""
import os
import sys

import numpy as np
import tensorflow as tf

out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)
rng = np.random.default_rng(5)


def weights(channels_in, channels_out, scale):
    return tf.constant(rng.standard_normal((1, 1, channels_in, channels_out)).astype(np.float32) * scale)


W = [weights(3, 4, s) for s in (0.3, 3.0, 1.0, 0.5)] + [weights(4, 2, 1.0), weights(8, 2, 1.0)]


def conv(tensor, kernel):
    return tf.nn.conv2d(tensor, kernel, 1, "VALID")


@tf.function(input_signature=[tf.TensorSpec([1, 4, 4, 3], tf.float32)])
def model(image):
    x = conv(image, W[0])  # read by the ADD alone: the ADD may overwrite it
    y = conv(image, W[1])  # read twice: never overwritten
    added = x + y
    product = added * y  # overwrites `added`
    v = conv(image, W[2])  # read twice
    w = conv(image, W[3])  # read by the SUB alone, as its second input
    difference = v - w
    mean = tf.reduce_mean(difference, axis=[1, 2], keepdims=True)
    total = product + mean  # a broadcast second input is never overwritten
    joined = tf.concat([tf.sigmoid(v), tf.maximum(w, 0.25)], axis=3)
    return conv(total, W[4]), conv(joined, W[5])


samples = rng.standard_normal((32, 1, 4, 4, 3)).astype(np.float32)
converter = tf.lite.TFLiteConverter.from_concrete_functions([model.get_concrete_function()], model)
float_model = converter.convert()
converter.optimizations = [tf.lite.Optimize.DEFAULT]
converter.representative_dataset = lambda: ([sample] for sample in samples)
int8_model = converter.convert()
with open(os.path.join(out_dir, "rules.float.tflite"), "wb") as f:
    f.write(float_model)
with open(os.path.join(out_dir, "rules.int8.tflite"), "wb") as f:
    f.write(int8_model)
np.save(os.path.join(out_dir, "rules.calibration.npy"), samples[:, 0])
