"""Questions as data: rebuild a stored question from ``(generator, version, seed, difficulty, params)`` and prove
it is the one that was stored.

Whatever stores a question (the grader's database, an exported exam) keeps only those five values, never the
question itself; :func:`build_question` regenerates it bit for bit and refuses (:class:`KeyMismatch`) when the
generator has changed since, so a key is never trusted that the stored question did not have.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from .schema import AnyQuestion


class KeyMismatch(RuntimeError):
    """A stored question instance no longer regenerates to the same params: its key cannot be trusted."""


def canonical_json(value: Any) -> Any:
    """What ``value`` looks like after a round trip through a JSON column."""
    return json.loads(json.dumps(value, allow_nan=False))


@functools.lru_cache(maxsize=8192)
def _build(generator: str, seed: int, difficulty: int) -> tuple[AnyQuestion, Any]:
    from .generators import generate

    q = generate(generator, seed, difficulty)
    return q, canonical_json(q.params)


def build_question(generator: str, version: int, seed: int, difficulty: int, params: Any) -> AnyQuestion:
    """Regenerate a stored question and prove it is the one that was stored (else :class:`KeyMismatch`).

    Raises :class:`KeyMismatch` if the generator's version or the regenerated params differ from the stored ones.
    """
    q, fresh = _build(generator, seed, difficulty)
    if q.version != version:
        raise KeyMismatch(f"{generator} is now version {q.version}; the stored instance is version {version}")
    if fresh != params:
        raise KeyMismatch(f"{generator} seed {seed} d{difficulty} regenerates different params: {fresh} != {params}")
    return q
