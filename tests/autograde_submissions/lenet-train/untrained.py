# expect-failed: held-out accuracy ≥ 95%
"""Builds the model and never trains it."""

import keras
from keras import layers


def build_and_train(x, y):
    x_in = keras.Input((8, 8, 1))
    h = layers.Flatten()(x_in)
    return keras.Model(x_in, layers.Dense(10, activation="softmax")(h))
