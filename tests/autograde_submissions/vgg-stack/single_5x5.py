# expect-trap: single_large_kernel
"""The one 5×5 conv the task asks to replace."""

import keras
from keras import layers


def build_model():
    x = keras.Input((32, 32, 16))
    return keras.Model(x, layers.Conv2D(16, 5, padding="same", activation="relu")(x))
