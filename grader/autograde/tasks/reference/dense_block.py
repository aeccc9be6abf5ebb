"""Reference for ``dense-block``."""

import keras
from keras import layers


def build_model():
    x = keras.Input((16, 16, 24))
    y = x
    for _ in range(4):
        h = layers.BatchNormalization()(y)
        h = layers.ReLU()(h)
        h = layers.Conv2D(12, 3, padding="same")(h)
        y = layers.Concatenate()([y, h])
    return keras.Model(x, y)
