# expect-trap: wavenet_rf_dilation_sum
"""Causal, but every layer has dilation 1: the receptive field is 11 samples, not 1024."""

import keras
from keras import layers


def build_model():
    x = keras.Input((2048, 1))
    y = x
    for _ in range(10):
        y = layers.Conv1D(16, 2, padding="causal", activation="tanh")(y)
    return keras.Model(x, y)
