# expect-trap: mobilenet_v1_inverted_residual
"""Builds v2's inverted residual (expand, depthwise, project, add) where v1's plain block was asked for."""

import keras
from keras import layers


def build_model():
    x = keras.Input((16, 16, 32))
    y = layers.Conv2D(192, 1, activation="relu6")(x)
    y = layers.DepthwiseConv2D(3, padding="same", activation="relu6")(y)
    y = layers.Conv2D(32, 1)(y)
    y = layers.Add()([x, y])
    return keras.Model(x, layers.Conv2D(64, 1, activation="relu")(y))
