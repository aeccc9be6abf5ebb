"""Exam assembly as data: a blueprint (what to ask) → the question plan of one exam (which variants, seeded).

A blueprint is a list of :class:`BlueprintItem`: ``count`` questions of a topic (its generators taken in turn) or of
one generator, at a difficulty, worth some points. :func:`instantiate` turns a blueprint and a base seed into
``(generator, seed, difficulty, points)`` per position; each position's seed is derived from the base seed and the
position alone (:func:`derive_seed`), so the same base seed always gives the same exam. No SQL here: the grader
stores the plan, exports render it.

Given a ``secret`` (the grader keeps one server-side), a position's seed is an HMAC of the base seed and the
position under that secret: whoever knows the base seed and this code but not the secret cannot tell which
variant a position holds, so cannot regenerate its key. Without one the derivation is the public SHA-256 (paper
exams and exports, where the seed is the instructor's own).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator


class BlueprintItem(BaseModel):
    """One line of a blueprint: ``count`` questions of a topic (its generators in turn) or of one generator."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: str | None = None
    generator: str | None = None
    count: int = Field(default=1, ge=1, le=500)
    difficulty: Literal[1, 2, 3] = 1
    points: float = Field(default=1.0, ge=0, le=1000)

    @model_validator(mode="after")
    def _one_source(self) -> BlueprintItem:
        from .generators import REGISTRY, TOPICS

        if (self.topic is None) == (self.generator is None):
            raise ValueError("a blueprint item names exactly one of 'topic' or 'generator'")
        if self.topic is not None and self.topic not in TOPICS:
            raise ValueError(f"unknown topic {self.topic!r}")
        if self.generator is not None:
            spec = REGISTRY.get(self.generator)
            if spec is None:
                raise ValueError(f"unknown generator {self.generator!r}")
            if self.difficulty not in spec.difficulties:
                raise ValueError(f"{self.generator} has no difficulty {self.difficulty}")
        return self


Blueprint = TypeAdapter(list[BlueprintItem])
"""Validates a whole blueprint (e.g. one stored as JSON)."""


def derive_seed(base: int, position: int, secret: bytes | None = None) -> int:
    """The seed of the question at ``position`` (0-based) of an exam drawn from base seed ``base``.

    Without ``secret``: 32 bits of a public SHA-256. With one: 63 bits of HMAC-SHA256 keyed by ``secret``, so the
    seed cannot be computed (nor searched for in a small range) without the secret.
    """
    message = f"cnnquiz/{base}/{position}".encode()
    if secret is None:
        return int.from_bytes(hashlib.sha256(message).digest()[:4], "big")
    if len(secret) < 16:
        raise ValueError("a seed secret has at least 16 bytes")
    return int.from_bytes(hmac.digest(secret, message, "sha256")[:8], "big") >> 1


def instantiate(
    blueprint: Sequence[BlueprintItem], seed: int, *, secret: bytes | None = None
) -> list[tuple[str, int, int, float]]:
    """``(generator, seed, difficulty, points)`` per question of a blueprint, deterministically from ``seed`` (and
    ``secret``, see :func:`derive_seed`)."""
    from .generators import generators

    out: list[tuple[str, int, int, float]] = []
    for item in blueprint:
        if item.generator is not None:
            gens = [item.generator]
        else:
            gens = [g.id for g in generators(item.topic) if item.difficulty in g.difficulties]
            if not gens:
                raise ValueError(f"topic {item.topic!r} has no generator at difficulty {item.difficulty}")
        for j in range(item.count):
            out.append((gens[j % len(gens)], derive_seed(seed, len(out), secret), item.difficulty, item.points))
    return out
