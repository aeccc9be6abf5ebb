# expect-failed: nonlinearity between
"""Two linear 3×3 convs: they collapse into one 5×5."""

import keras
from keras import layers


def build_model():
    x = keras.Input((32, 32, 16))
    y = layers.Conv2D(16, 3, padding="same")(x)
    y = layers.Conv2D(16, 3, padding="same", activation="relu")(y)
    return keras.Model(x, y)
