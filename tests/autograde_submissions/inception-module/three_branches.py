# expect-failed: branches concatenated
"""Forgets the pooling branch: three branches, 224 channels."""

import keras
from keras import layers


def build_model():
    x = keras.Input((28, 28, 192))
    b1 = layers.Conv2D(64, 1, activation="relu")(x)
    b2 = layers.Conv2D(96, 1, activation="relu")(x)
    b2 = layers.Conv2D(128, 3, padding="same", activation="relu")(b2)
    b3 = layers.Conv2D(16, 1, activation="relu")(x)
    b3 = layers.Conv2D(32, 5, padding="same", activation="relu")(b3)
    return keras.Model(x, layers.Concatenate()([b1, b2, b3]))
