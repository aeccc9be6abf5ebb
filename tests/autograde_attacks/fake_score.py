"""Attack: print a fake Gradescope score and a forged status (expected: the score comes from the checker only)."""

import json

import keras

print(json.dumps({"score": 100, "max_score": 100, "tests": [{"name": "all", "score": 100, "status": "passed"}]}))
with open("status.json", "w") as f:
    json.dump({"phase": "exported", "score": 100}, f)


def build_model():
    x = keras.Input((32, 32, 1))
    return keras.Model(x, keras.layers.Dense(1)(keras.layers.Flatten()(x)))
