"""The model registry: ``get(name, **overrides)`` builds a live Keras model; ``list_models(pattern)`` lists names.

Names, builders and declared facts live in :mod:`models.facts` (plain data, no
Keras); a family module is imported only when one of its models is built.

Every builder accepts ``keras.applications``-style arguments: ``include_top``,
``input_shape``, ``classes``, ``pooling`` (``None``, ``"avg"``, ``"max"``), and
``weights=None`` only (nothing is ever downloaded).
"""

from __future__ import annotations

import fnmatch
import importlib
from typing import Any

from .facts import VARIANTS, Variant
from .facts import get as variant


def list_models(pattern: str = "*") -> list[str]:
    return sorted(n for n in VARIANTS if fnmatch.fnmatchcase(n, pattern))


def builder(v: Variant) -> Any:
    mod, _, fn = v.builder.partition(":")
    return getattr(importlib.import_module(mod), fn)


def get(name: str, **overrides: Any) -> Any:
    """Build ``name`` as a Keras model (random init); ``overrides`` replace the declared arguments."""
    v = variant(name)
    if overrides.get("weights") not in (None,):
        raise ValueError("cnnquiz never downloads weights: pass weights=None (the default)")
    overrides.pop("weights", None)
    kwargs: dict[str, Any] = {
        "input_shape": v.input_shape,
        "classes": v.classes,
        "include_top": True,
        "pooling": None,
        **v.kwargs,
        **overrides,
    }
    kwargs.setdefault("name", name)
    return builder(v)(**kwargs)


__all__ = ["get", "list_models", "variant"]
