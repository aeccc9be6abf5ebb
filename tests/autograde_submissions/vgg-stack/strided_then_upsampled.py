# expect-trap: equivariance_is_invariance
"""A stride-2 3×3 then upsampling: same output shape, but an odd shift of the input no longer shifts the output."""

import keras
from keras import layers


def build_model():
    x = keras.Input((32, 32, 16))
    y = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(x)
    y = layers.UpSampling2D(2)(y)
    y = layers.Conv2D(16, 3, padding="same", activation="relu")(y)
    return keras.Model(x, y)
