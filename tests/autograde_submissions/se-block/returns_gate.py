# expect-trap: gap_keeps_layout
"""Returns the gate vector instead of the rescaled feature map."""

import keras
from keras import layers


def build_model():
    x = keras.Input((8, 8, 64))
    s = layers.GlobalAveragePooling2D()(x)
    s = layers.Dense(4, activation="relu")(s)
    return keras.Model(x, layers.Dense(64, activation="sigmoid")(s))
