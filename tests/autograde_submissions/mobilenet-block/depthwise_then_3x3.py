# expect-trap: separable_is_depthwise_plus_3x3
"""A regular 3×3 after the depthwise conv instead of the pointwise 1×1."""

import keras
from keras import layers


def build_model():
    x = keras.Input((16, 16, 32))
    y = layers.Conv2D(192, 1, activation="relu6")(x)
    y = layers.DepthwiseConv2D(3, padding="same", activation="relu6")(y)
    y = layers.Conv2D(32, 3, padding="same")(y)
    return keras.Model(x, layers.Add()([x, y]))
