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
    model: Any
    rf_layers: list[tuple[str, int, bool]]
    """The 2D feature maps whose gradient RF can be measured (none when the input is not a fixed-size image no
    wider than :data:`MAX_MAP_SIDE`)."""


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
        model,
        rf.spatial_layers(summary, names) if measurable(summary.input_shape) else [],
    )


MAX_MAP_SIDE = 256


def measurable(input_shape: tuple[Any, ...]) -> bool:
    """A fixed-size 2D input (height, width, channels) no wider than :data:`MAX_MAP_SIDE`."""
    return len(input_shape) == 3 and all(isinstance(d, int) and 0 < d <= MAX_MAP_SIDE for d in input_shape[:2])


def own_url(submission_id: int) -> str:
    """The Explore page on the model a code submission exported."""
    return f"/explore_own?submission={int(submission_id)}"


@dataclass(frozen=True)
class FromSubmission:
    config: str | None
    """The exported config to explore, or None (then ``message`` says why)."""
    message: str


def from_submission(sf: Any, user: Any, raw: str) -> FromSubmission:
    """The config the sandbox exported for submission ``raw`` (the page's ``?submission=`` value), read through
    :func:`grader.services.code_submission_model`, which lets only the submission's reader see it. Another user's
    submission and a missing one get the same answer."""
    from grader import services as S

    if not raw.isdigit() or len(raw) > 12:
        return FromSubmission(None, "That link does not name a submission.")
    if user is None:
        return FromSubmission(None, "Sign in to explore the model of one of your submissions.")
    try:
        m = S.code_submission_model(sf, user.id, int(raw))
    except (S.AccessDenied, S.NotFound):
        return FromSubmission(None, f"Submission #{raw} is not one of yours.")
    if m.config is None:
        why = "it is still being graded" if m.verdict is None else "no model was exported and rebuilt for it"
        return FromSubmission(None, f"Submission #{m.id} has no model to explore: {why}.")
    return FromSubmission(
        m.config,
        f"Submission #{m.id} ({m.file_name}, task {m.task_id}): the model config the sandbox exported, rebuilt "
        "here the checker's way.",
    )
