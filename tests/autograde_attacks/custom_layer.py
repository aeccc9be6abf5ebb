"""Attack: a custom layer class (expected: rejected: its code would have to run in the checker)."""

import keras


@keras.saving.register_keras_serializable(package="evil")
class Evil(keras.layers.Layer):
    def call(self, x):
        return x


def build_model():
    x = keras.Input((32, 32, 1))
    y = keras.layers.Flatten()(Evil()(x))
    return keras.Model(x, keras.layers.Dense(10, activation="softmax")(y))
