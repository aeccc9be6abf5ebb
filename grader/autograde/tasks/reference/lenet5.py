"""Reference for ``lenet5``: LeNet-5 as the zoo builds it (``models/lenet.py``), written out here because a
submission, the reference included, runs in a sandbox that holds none of this project's code.  A test checks that
it is layer for layer the zoo's model."""

import keras
from keras import layers


def build_model():
    return keras.Sequential(
        [
            keras.Input((32, 32, 1)),
            layers.Conv2D(6, 5, activation="tanh"),  # C1
            layers.AveragePooling2D(2),  # S2
            layers.Conv2D(16, 5, activation="tanh"),  # C3
            layers.AveragePooling2D(2),  # S4
            layers.Flatten(),
            layers.Dense(120, activation="tanh"),  # C5
            layers.Dense(84, activation="tanh"),  # F6
            layers.Dense(10, activation="softmax"),
        ],
        name="lenet5",
    )
