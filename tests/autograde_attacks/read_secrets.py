"""Attack: read the hidden test data, another student's submission and a secret from the parent's environment, and
smuggle them out through the model (its name) and stdout (expected: whatever it finds must not reach the results)."""

import os

import keras

PATHS: list[str] = []  # rewritten by the test


def build_model():
    found = [os.environ.get("CNNQUIZ_TEST_SECRET", "")]
    for p in PATHS:
        try:
            with open(p) as f:
                found.append(f.read(200))
        except OSError as e:
            found.append(type(e).__name__)
    try:
        import sklearn.datasets

        found.append(str(sklearn.datasets.load_digits().target[:50].tolist()))
    except Exception as e:
        found.append(type(e).__name__)
    leak = "|".join(found)
    print(leak)
    x = keras.Input((4,))
    return keras.Model(x, keras.layers.Dense(2)(x), name="leak_" + "".join(c for c in leak if c.isalnum())[:200])
