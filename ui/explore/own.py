"""Your own model: a Keras model config (JSON, as the autograder's sandbox exports it) rebuilt the checker's way
(:func:`grader.autograde.checker.rebuild`: validated config, no custom objects, size limits) — never running the
student's code — and laid out like a zoo model: block diagram, per-stage and per-layer tables, RF growth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ui.explore import arch, rf


@dataclass(frozen=True)
class Explored:
    name: str
    summary: Any
    layer_names: list[str]
    edges: list[tuple[str, str]]
    dot: str
    stages: list[dict[str, Any]]
    layers: list[dict[str, Any]]
    growth: list[dict[str, Any]]


def explore_config(text: str) -> Explored:
    """Rebuild ``text`` as the checker does and inspect it; raises ``grader.autograde.checker.Rejected`` (a
    ValueError) with the checker's message when the config is refused."""
    from grader.autograde.checker import rebuild
    from models import inspect

    model = rebuild(text)
    summary = inspect.summary(model)
    names = [layer.name for layer in model.layers]
    edges = arch.edges(model)
    return Explored(
        model.name,
        summary,
        names,
        edges,
        arch.diagram(names, edges),
        arch.stage_rows(summary),
        arch.layer_rows(summary),
        rf.growth_rows(summary),
    )
