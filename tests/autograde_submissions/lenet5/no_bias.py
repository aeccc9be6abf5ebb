# expect-trap: forgot_bias
"""LeNet-5 with every bias switched off."""

import keras
from keras import layers


def build_model():
    x = keras.Input((32, 32, 1))
    y = layers.Conv2D(6, 5, activation="tanh", use_bias=False)(x)
    y = layers.AveragePooling2D(2)(y)
    y = layers.Conv2D(16, 5, activation="tanh", use_bias=False)(y)
    y = layers.AveragePooling2D(2)(y)
    y = layers.Flatten()(y)
    y = layers.Dense(120, activation="tanh", use_bias=False)(y)
    y = layers.Dense(84, activation="tanh", use_bias=False)(y)
    return keras.Model(x, layers.Dense(10, activation="softmax", use_bias=False)(y))
