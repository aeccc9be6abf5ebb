"""Reference for ``mobilenet-block``: MobileNet-v2's inverted residual with a linear bottleneck."""

import keras
from keras import layers


def build_model():
    x = keras.Input((16, 16, 32))
    y = layers.Conv2D(192, 1, use_bias=False)(x)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU(6.0)(y)
    y = layers.DepthwiseConv2D(3, padding="same", use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU(6.0)(y)
    y = layers.Conv2D(32, 1, use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    return keras.Model(x, layers.Add()([x, y]))
