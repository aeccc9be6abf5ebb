"""Declared facts about every registered model, as plain data (no Keras here).

One module per family (``models/facts/<family>.py``) defines ``VARIANTS``: a
dict from model name to a :class:`Variant`.  quizbank's generators read these on
the hot path; tests build each live model and assert every declared fact.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Fact:
    """A figure with its source, e.g. ``Fact(25_636_712, "keras.applications.ResNet50 docs table")``."""

    value: Any
    source: str
    note: str = ""


@dataclass(frozen=True)
class Variant:
    name: str
    family: str
    builder: str
    """``"module:function"``, e.g. ``"models.resnet:resnet"``: imported only when the model is built."""
    kwargs: dict[str, Any] = field(default_factory=dict)
    input_shape: tuple[int, ...] = (224, 224, 3)
    classes: int = 1000
    slow: bool = False
    """Expensive to build (largest video models, EfficientNet-B7): marked slow, still run in CI."""
    # declared facts (Keras convention unless the name says otherwise); None where not declared
    params: Fact | None = None
    """Keras ``count_params()`` of the model with its top, at ``input_shape``."""
    trainable_params: Fact | None = None
    macs: Fact | None = None
    output_shape: Fact | None = None
    receptive_field: Fact | None = None
    reference: dict[str, Fact] = field(default_factory=dict)
    """Published figures in other conventions (paper, torchvision), each explained."""


VARIANTS: dict[str, Variant] = {}

for _m in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _m.startswith("_"):
        continue
    _mod = importlib.import_module(f"{__name__}.{_m}")
    for _name, _v in getattr(_mod, "VARIANTS", {}).items():
        if _name in VARIANTS:
            raise ValueError(f"model {_name!r} declared twice")
        if _v.name != _name:
            raise ValueError(f"model {_name!r} declares name {_v.name!r}")
        VARIANTS[_name] = _v


def get(name: str) -> Variant:
    try:
        return VARIANTS[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(sorted(VARIANTS))}") from None


__all__ = ["VARIANTS", "Fact", "Variant", "get"]
