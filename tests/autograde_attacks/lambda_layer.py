"""Attack: hide arbitrary code in a Lambda layer (expected: rejected)."""

import keras


def build_model():
    x = keras.Input((32, 32, 1))
    y = keras.layers.Lambda(lambda t: t * 2)(x)
    y = keras.layers.Flatten()(y)
    return keras.Model(x, keras.layers.Dense(10, activation="softmax")(y))
