"""Attack: patch count_params so the student's process reports the 'right' number (expected: the checker ignores it
and counts the rebuilt model's parameters itself, so the oversized model loses the param points)."""

import keras

keras.Model.count_params = lambda self: 61706
keras.layers.Layer.count_params = lambda self: 0


def build_model():
    x = keras.Input((32, 32, 1))
    y = keras.layers.Flatten()(x)
    y = keras.layers.Dense(2048, activation="relu")(y)
    y = keras.layers.Dense(10, activation="softmax")(y)
    return keras.Model(x, y)
