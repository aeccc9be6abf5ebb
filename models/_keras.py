"""Import Keras on the TensorFlow backend, quietly."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import Any

from . import __name__ as _pkg  # noqa: F401  (sets the environment first)

warnings.filterwarnings("ignore", module="keras")
logging.getLogger("tensorflow").setLevel(logging.ERROR)
logging.getLogger("absl").setLevel(logging.ERROR)

import keras  # noqa: E402
import numpy as np  # noqa: E402

keras.utils.disable_interactive_logging()

__all__ = ["check_args", "global_pool", "head", "keras", "np"]


# ------------------------------------------------------------------ keras.applications argument semantics, shared
# by every family builder

POOLINGS = (None, "avg", "max")


def check_args(weights: Any, pooling: str | None) -> None:
    """``weights`` must be None (nothing is ever downloaded); ``pooling`` one of None, ``"avg"``, ``"max"``."""
    if weights is not None:
        raise ValueError("cnnquiz never downloads weights: pass weights=None")
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be None, 'avg' or 'max', not {pooling!r}")


def global_pool(pooling: str, ndim: int = 2, name: str | None = None) -> Any:
    """A global average or max pool over ``ndim`` spatial axes, named ``avg_pool`` / ``max_pool`` by default."""
    kind = {"avg": "GlobalAveragePooling", "max": "GlobalMaxPooling"}.get(pooling)
    if kind is None:
        raise ValueError(f"pooling must be 'avg' or 'max', not {pooling!r}")
    return getattr(keras.layers, f"{kind}{ndim}D")(name=name or f"{pooling}_pool")


def head(x: Any, include_top: bool, pooling: str | None, top: Callable[[Any], Any], ndim: int = 2) -> Any:
    """``top(x)`` with the top; without it, the feature map, or its global ``pooling`` (keras.applications)."""
    if include_top:
        return top(x)
    if pooling is None:
        return x
    return global_pool(pooling, ndim)(x)
