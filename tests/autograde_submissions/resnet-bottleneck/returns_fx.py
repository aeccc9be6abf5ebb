# expect-trap: resnet_output_fx
"""Returns F(x): the bottleneck without the skip."""

import keras
from keras import layers


def build_model():
    x = keras.Input((16, 16, 64))
    y = layers.Conv2D(16, 1, activation="relu")(x)
    y = layers.Conv2D(16, 3, padding="same", activation="relu")(y)
    y = layers.Conv2D(64, 1)(y)
    return keras.Model(x, layers.ReLU()(y))
