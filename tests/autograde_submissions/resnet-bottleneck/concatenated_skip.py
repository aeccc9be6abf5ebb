# expect-trap: resnet_concatenates
"""Concatenates the skip instead of adding it (then squeezes back to 64 channels)."""

import keras
from keras import layers


def build_model():
    x = keras.Input((16, 16, 64))
    y = layers.Conv2D(16, 1, activation="relu")(x)
    y = layers.Conv2D(16, 3, padding="same", activation="relu")(y)
    y = layers.Conv2D(64, 1)(y)
    y = layers.Concatenate()([y, x])
    return keras.Model(x, layers.Conv2D(64, 1, activation="relu")(y))
