"""Attack: skip Keras and forge the export files directly: a status that says 'exported' and a config for a model
of billions of parameters, meant to exhaust the checker's memory (expected: rejected, checker and host unharmed)."""

import json
import os

DENSE = {"module": "keras.layers", "class_name": "Dense", "registered_name": None}


def build_model():
    layers = [
        {
            "module": "keras.layers",
            "class_name": "InputLayer",
            "registered_name": None,
            "name": "x",
            "config": {"batch_shape": [None, 100000], "dtype": "float32", "sparse": False, "name": "x"},
            "inbound_nodes": [],
        },
        {
            **DENSE,
            "name": "d",
            "config": {"name": "d", "units": 100000, "use_bias": True},
            "inbound_nodes": [
                {
                    "args": [
                        {
                            "class_name": "__keras_tensor__",
                            "config": {"shape": [None, 100000], "dtype": "float32", "keras_history": ["x", 0, 0]},
                        }
                    ],
                    "kwargs": {},
                }
            ],
        },
    ]
    config = {
        "module": "keras",
        "class_name": "Functional",
        "registered_name": "Functional",
        "config": {"name": "huge", "layers": layers, "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]]},
    }
    with open("model.json", "w") as f:
        json.dump(config, f)
    with open("status.json", "w") as f:
        json.dump({"phase": "exported"}, f)
    os._exit(0)
