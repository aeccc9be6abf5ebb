# expect-trap: linear_bottleneck_relu
"""A ReLU6 on the projected bottleneck (v2's projection is linear)."""

import keras
from keras import layers


def build_model():
    x = keras.Input((16, 16, 32))
    y = layers.Conv2D(192, 1)(x)
    y = layers.ReLU(6.0)(y)
    y = layers.DepthwiseConv2D(3, padding="same")(y)
    y = layers.ReLU(6.0)(y)
    y = layers.Conv2D(32, 1)(y)
    y = layers.ReLU(6.0)(y)
    return keras.Model(x, layers.Add()([x, y]))
