"""Reference for ``vgg-stack``."""

import keras
from keras import layers


def build_model():
    x = keras.Input((32, 32, 16))
    y = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    y = layers.Conv2D(16, 3, padding="same", activation="relu")(y)
    return keras.Model(x, y)
