# expect-trap: inception_1x1_after
"""The 1×1 convs sit *after* the 3×3 and 5×5, which then run on all 192 channels."""

import keras
from keras import layers


def build_model():
    x = keras.Input((28, 28, 192))
    b1 = layers.Conv2D(64, 1, activation="relu")(x)
    b2 = layers.Conv2D(96, 3, padding="same", activation="relu")(x)
    b2 = layers.Conv2D(128, 1, activation="relu")(b2)
    b3 = layers.Conv2D(16, 5, padding="same", activation="relu")(x)
    b3 = layers.Conv2D(32, 1, activation="relu")(b3)
    b4 = layers.MaxPooling2D(3, strides=1, padding="same")(x)
    b4 = layers.Conv2D(32, 1, activation="relu")(b4)
    return keras.Model(x, layers.Concatenate()([b1, b2, b3, b4]))
