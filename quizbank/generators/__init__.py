"""The question bank: one module per topic, each registering pure generators.

``import quizbank.generators`` is light: it never imports TensorFlow or Keras.
Topic modules are discovered from this package, so adding a topic is adding a file.
"""

from __future__ import annotations

import importlib
import pkgutil

from ..schema import AnyQuestion
from .base import REGISTRY, TOPICS, GeneratorSpec, Redraw, Topic, build

for _m in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _m != "base" and not _m.startswith("_"):
        importlib.import_module(f"{__name__}.{_m}")


def generate(gen_id: str, seed: int, difficulty: int) -> AnyQuestion:
    """Regenerate a question bit for bit from ``(generator, seed, difficulty)``."""
    return build(gen_id, seed, difficulty)


def generators(topic: str | None = None) -> list[GeneratorSpec]:
    if topic is not None and topic not in TOPICS:
        raise KeyError(f"unknown topic {topic!r}; known: {', '.join(sorted(TOPICS))}")
    return [g for g in REGISTRY.values() if topic is None or g.topic == topic]


def questions(topic: str, difficulty: int, seed: int, n: int) -> list[AnyQuestion]:
    """``n`` questions of a topic: the topic's generators in turn, seeds ``seed, seed+1, …``."""
    gens = generators(topic)
    if not gens:
        raise KeyError(f"topic {topic!r} has no generators")
    return [build(gens[i % len(gens)].id, seed + i, difficulty) for i in range(n)]


__all__ = ["REGISTRY", "TOPICS", "GeneratorSpec", "Redraw", "Topic", "generate", "generators", "questions"]
