# expect-failed: output shape
"""LeNet-5 with 100 output units for a 10-class problem."""

import keras
from keras import layers


def build_model():
    x = keras.Input((32, 32, 1))
    y = layers.Conv2D(6, 5, activation="tanh")(x)
    y = layers.AveragePooling2D(2)(y)
    y = layers.Conv2D(16, 5, activation="tanh")(y)
    y = layers.AveragePooling2D(2)(y)
    y = layers.Flatten()(y)
    y = layers.Dense(120, activation="tanh")(y)
    y = layers.Dense(84, activation="tanh")(y)
    return keras.Model(x, layers.Dense(100, activation="softmax")(y))
