"""Inside a small CNN: the registry's LeNet-5 trained in seconds on scikit-learn's bundled digits (8×8, upsampled
×3 and zero-padded to 32×32; nothing is downloaded), its activation maps, one unit's kernel times its input patch,
and what a shift and a rotation do to the maps and the prediction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np

from quizbank import formulas as F

SHIFT = 4  # pixels: a multiple of C1·S2's total stride 2, so the S2 maps move by exactly 2


def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 1,797 digits as (N, 32, 32, 1) float32 in [0, 1] and their labels."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = np.kron(d.images / 16.0, np.ones((3, 3)))  # 8×8 → 24×24
    x = np.pad(x, ((0, 0), (4, 4), (4, 4)))  # → 32×32, the digit centred as LeNet-5's MNIST was
    return x[..., None].astype("float32"), d.target.astype("int64")


@dataclass
class Trained:
    model: Any
    accuracy: float  # on the held-out quarter
    x_test: np.ndarray
    y_test: np.ndarray


def train(epochs: int = 4, seed: int = 0) -> Trained:
    """Train the registry's ``lenet5`` on three quarters of the digits; accuracy on the rest."""
    from models import registry
    from models._keras import keras

    keras.utils.set_random_seed(seed)
    x, y = digits()
    idx = np.random.default_rng(seed).permutation(len(x))
    cut = len(x) * 3 // 4
    tr, te = idx[:cut], idx[cut:]
    model = registry.get("lenet5")
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[tr], y[tr], epochs=epochs, batch_size=32, verbose=0)
    acc = float(np.mean(np.argmax(model.predict(x[te], verbose=0), axis=1) == y[te]))
    return Trained(model, acc, x[te], y[te])


def map_layers(model: Any) -> list[str]:
    """The layers with spatial maps, in order (conv and pool)."""
    return [layer.name for layer in model.layers if len(layer.output.shape) == 4 and layer.name != "input_layer"]


def activations(model: Any, image: np.ndarray) -> dict[str, np.ndarray]:
    """Every map layer's output (H, W, C) on one (32, 32, 1) image, and the class probabilities."""
    names = map_layers(model)
    outs = _probe(model)([image[None]], training=False)
    got = {n: np.asarray(o)[0] for n, o in zip(names, outs[:-1], strict=True)}
    got["predictions"] = np.asarray(outs[-1])[0]
    return got


_PROBES: dict[int, Any] = {}


def _probe(model: Any) -> Any:
    """A model returning every map layer's output and the prediction (built once per model)."""
    from models._keras import keras

    if id(model) not in _PROBES:
        names = map_layers(model)
        _PROBES[id(model)] = keras.Model(model.inputs, [model.get_layer(n).output for n in names] + [model.output])
    return _PROBES[id(model)]


def grid_cells(a: np.ndarray, name: str = "") -> list[dict[str, Any]]:
    """Chart data of a 2D array: one cell per value."""
    return [
        {"map": name, "row": r, "col": c, "value": round(float(a[r, c]), 4)}
        for r in range(a.shape[0])
        for c in range(a.shape[1])
    ]


def heat(a: np.ndarray, title: str, size: int = 160, text: bool = False) -> alt.HConcatChart:
    base = alt.Chart(alt.Data(values=grid_cells(a)), title=title).encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None)
    )
    rect = base.mark_rect().encode(
        color=alt.Color("value:Q", scale=alt.Scale(scheme="redblue", domainMid=0, reverse=True), legend=None),
        tooltip=["row:O", "col:O", "value:Q"],
    )
    chart = rect + base.mark_text(fontSize=8).encode(text=alt.Text("value:Q", format=".2f")) if text else rect
    return alt.hconcat(chart.properties(width=size, height=size))  # a concat keeps its declared height in Streamlit


@dataclass(frozen=True)
class Unit:
    kernel: np.ndarray  # (K, K) of the chosen input channel … summed over channels below
    patch: np.ndarray  # (K, K, C_in) the input window
    weights: np.ndarray  # (K, K, C_in)
    bias: float
    pre_activation: float  # Σ w·x + b
    activation: float  # tanh of it
    model_value: float  # what the live layer outputs at that unit


def unit(model: Any, image: np.ndarray, layer: str, channel: int, row: int, col: int) -> Unit:
    """One unit of a conv layer: its kernel, its input patch, Σ w·x + b by hand, and the layer's own output there."""
    from models._keras import keras

    conv = model.get_layer(layer)
    w, b = (np.asarray(v) for v in conv.get_weights())
    k = w.shape[0]
    src = keras.Model(model.inputs, [conv.input, conv.output])
    x_in, y = (np.asarray(t)[0] for t in src([image[None]], training=False))
    patch = x_in[row : row + k, col : col + k, :]
    z = float(np.sum(patch * w[..., channel]) + b[channel])
    return Unit(
        w[..., 0, channel], patch, w[..., channel], float(b[channel]), z, float(np.tanh(z)), float(y[row, col, channel])
    )


def shifted(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """The image moved by (dy, dx) with zeros entering (the digit stays inside its 4-pixel margin for |d| ≤ 4)."""
    from models import measure

    return measure.shift(image[None], (dy, dx), circular=False)[0]


def rotated(image: np.ndarray, quarter_turns: int = 1) -> np.ndarray:
    return np.rot90(image, quarter_turns, axes=(0, 1)).copy()


def map_shift(
    model: Any, image: np.ndarray, dy: int, dx: int, layer: str, acts: dict[str, np.ndarray] | None = None,
    acts_moved: dict[str, np.ndarray] | None = None,
) -> tuple[tuple[int, int] | None, float]:  # fmt: skip
    """For a shift by (dy, dx) ≥ 0: the shift of ``layer``'s maps the formulas predict
    (:func:`quizbank.formulas.feature_map_shift` over the strides up to it), and the largest difference between the
    shifted image's maps and the original maps moved by that much (None, nan when the stride does not divide it).
    ``acts`` / ``acts_moved`` are the image's and the shifted image's :func:`activations`, if already computed."""
    if dy < 0 or dx < 0:
        raise ValueError("shift down/right (dy, dx ≥ 0): the digit's margin is on every side, the check on one")
    names = map_layers(model)
    strides = [int(model.get_layer(n).strides[0]) for n in names[: names.index(layer) + 1]]
    sy, sx = F.feature_map_shift(dy, strides), F.feature_map_shift(dx, strides)
    if sy is None or sx is None:
        return None, float("nan")
    a = (acts or activations(model, image))[layer]
    b = (acts_moved or activations(model, shifted(image, dy, dx)))[layer]
    h, w = a.shape[:2]
    return (sy, sx), float(np.max(np.abs(b[sy:, sx:] - a[: h - sy, : w - sx])))


def tile(acts: np.ndarray, scale: int = 4, gap: int = 2) -> np.ndarray:
    """All channels of one layer's maps (H, W, C) side by side as one greyscale image (uint8), each map scaled to its
    own range and enlarged ``scale``× (drawn with st.image: thousands of cells are too many for a chart)."""
    h, w, c = acts.shape
    out = np.full((h * scale, c * (w * scale + gap) - gap), 255, "uint8")
    for ch in range(c):
        m = acts[..., ch]
        lo, hi = float(m.min()), float(m.max())
        g = np.zeros_like(m) if hi == lo else (m - lo) / (hi - lo)
        x0 = ch * (w * scale + gap)
        out[:, x0 : x0 + w * scale] = np.kron((g * 255).astype("uint8"), np.ones((scale, scale), "uint8"))
    return out
