"""Reference for ``resnet-bottleneck``."""

import keras
from keras import layers


def build_model():
    x = keras.Input((16, 16, 64))
    y = layers.Conv2D(16, 1)(x)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(16, 3, padding="same")(y)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(64, 1)(y)
    y = layers.BatchNormalization()(y)
    y = layers.Add()([y, x])
    return keras.Model(x, layers.ReLU()(y))
