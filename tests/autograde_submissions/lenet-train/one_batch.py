# expect-failed: held-out accuracy ≥ 95%
"""Trains on a single batch of 32 digits."""

import keras
from keras import layers


def build_and_train(x, y):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Flatten(), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x[:32], y[:32], epochs=1, verbose=0)
    return model
