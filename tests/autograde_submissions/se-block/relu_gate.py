# expect-trap: se_gate_not_sigmoid
"""A ReLU where the sigmoid gate belongs."""

import keras
from keras import layers


def build_model():
    x = keras.Input((8, 8, 64))
    s = layers.GlobalAveragePooling2D()(x)
    s = layers.Dense(4, activation="relu")(s)
    s = layers.Dense(64, activation="relu")(s)
    s = layers.Reshape((1, 1, 64))(s)
    return keras.Model(x, layers.Multiply()([x, s]))
