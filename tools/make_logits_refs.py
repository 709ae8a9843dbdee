"""The logits (the input of the last SOFTMAX) of the shared MobileNets on their reference inputs,
from TensorFlow's interpreter: the random-weight MobileNets' softmax outputs are all 0.001, so
agreement is checked one op earlier.

Developer tool, not a dependency (TensorFlow 2.21 in a venv, see README):
  python tools/make_logits_refs.py ../shared tests/fixtures/reference
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf

shared, out_dir = sys.argv[1], sys.argv[2]
out = {}
for name in ["mobilenet_v1.float", "mobilenet_v2.float", "mobilenet_v1.f16", "mobilenet_v2.f16"]:
    base = name.split(".")[0]
    x = np.load(os.path.join(shared, "reference", f"{base}.inputs.npy"))
    it = tf.lite.Interpreter(model_path=os.path.join(shared, "models", f"{name}.tflite"), experimental_preserve_all_tensors=True, num_threads=1)
    it.allocate_tensors()
    ops = it._get_ops_details()
    sm = [o for o in ops if o["op_name"] == "SOFTMAX"][-1]
    idx = sm["inputs"][0]
    res = []
    for i in range(x.shape[0]):
        it.set_tensor(it.get_input_details()[0]["index"], x[i:i+1])
        it.invoke()
        res.append(it.get_tensor(idx).reshape(-1).copy())
    res = np.stack(res).astype(np.float32)
    np.save(os.path.join(out_dir, f"{name}.logits.npy"), res)
    out[name] = int(idx)
print(json.dumps(out))
