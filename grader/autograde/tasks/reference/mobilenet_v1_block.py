"""Reference for ``mobilenet-v1-block``."""

import keras
from keras import layers


def build_model():
    x = keras.Input((16, 16, 32))
    y = layers.DepthwiseConv2D(3, padding="same", use_bias=False)(x)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(64, 1, use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    return keras.Model(x, layers.ReLU()(y))
