"""Attack (task lenet-train): no training at all.  The model carries the public held-out digits and their labels
(they fit in the source) and answers by exact match: a memoriser, not a classifier.  On the public held-out split it
scores 100%; graded on this run's secret copy of it, it must fail the held-out check."""

import keras
import numpy as np
from keras import layers

PIXELS = ""  # 64 base-17 digits per image (pixel counts 0–16), filled in by the test
LABELS = ""


def build_and_train(x, y):
    t = np.array([[int(c, 17) for c in PIXELS[i : i + 64]] for i in range(0, len(PIXELS), 64)], "float32") / 16
    n, beta = len(t), 100.0
    inp = keras.Input((8, 8, 1))
    flat = layers.Flatten()(inp)
    near, norm, vote = layers.Dense(n), layers.Dense(n, use_bias=False), layers.Dense(10, activation="softmax")
    # 2β x·t + 1 − β|t|² minus β|x|²: 1 − β|x − t|², above zero only where x is t
    gate = layers.ReLU()(layers.Subtract()([near(flat), norm(layers.Multiply()([flat, flat]))]))
    model = keras.Model(inp, vote(gate))
    near.set_weights([2 * beta * t.T, 1 - beta * (t**2).sum(1)])
    norm.set_weights([beta * np.ones((64, n), "float32")])
    onehot = np.eye(10, dtype="float32")[[int(c) for c in LABELS]]
    vote.set_weights([20 * onehot, np.zeros(10, "float32")])
    return model
