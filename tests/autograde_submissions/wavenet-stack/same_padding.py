# expect-trap: wavenet_not_causal
"""Centred ('same') dilated convs: every output also sees the future."""

import keras
from keras import layers


def build_model():
    x = keras.Input((2048, 1))
    y = x
    for i in range(10):
        y = layers.Conv1D(16, 2, dilation_rate=2**i, padding="same", activation="tanh")(y)
    return keras.Model(x, y)
