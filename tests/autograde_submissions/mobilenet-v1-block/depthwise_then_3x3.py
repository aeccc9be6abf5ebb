# expect-trap: separable_is_depthwise_plus_3x3
"""A depthwise 3×3 followed by a regular 3×3: the cost the block was meant to remove comes back."""

import keras
from keras import layers


def build_model():
    x = keras.Input((16, 16, 32))
    y = layers.DepthwiseConv2D(3, padding="same", activation="relu")(x)
    return keras.Model(x, layers.Conv2D(64, 3, padding="same", activation="relu")(y))
