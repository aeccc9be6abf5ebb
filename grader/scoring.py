"""Grade a parsed answer: correctness, score, the named trap it matches, feedback.

Pure functions: no database, no Streamlit.

Tolerances come from the question (:class:`quizbank.schema.Tolerance`), in the
modes Moodle and PrairieLearn users know:

``exact``
    the number typed equals the key.
``absolute``
    ``|answer − key| ≤ value`` (Moodle's "nominal" tolerance, PrairieLearn's ``atol``).
``relative``
    ``|answer − key| ≤ value·|key|`` (Moodle's "relative", PrairieLearn's ``rtol``).
``sigfigs``
    ``value`` significant figures, as PrairieLearn's ``comparison="sigfig"``: the answer
    lies within 0.51 units of the key's last significant digit, so any correct rounding
    (half up or half even) and any answer with *more* correct digits passes.

Multi-select earns partial credit the way Moodle's multiple-answer scoring with
"all or nothing" off does: each right choice adds 1/#right, each wrong choice
takes away 1/#wrong, floored at 0.  A multi-part question earns, per part, the
part's points times that part's score (:func:`grade_parts`).

:func:`credit` is the one place that decides how much an answer earns, and so
whether it is correct (it earns full credit).  Every wrong answer that matches a
named trap says so: ``trap`` (the id), ``trap_title`` and the trap's ``feedback``
(from :func:`quizbank.diagnose`, which explains but never judges).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quizbank.diagnose import diagnose, right_feedback
from quizbank.schema import (
    AnyQuestion,
    MultipleChoiceQuestion,
    MultiSelectQuestion,
    NumericQuestion,
    ShapeQuestion,
    Tolerance,
)

from .parse import Parsed, parse_answer, parse_parts


@dataclass(frozen=True)
class Grade:
    correct: bool
    score: float
    """In [0, 1]: the fraction of the question's points earned."""
    trap: str | None
    trap_title: str | None
    feedback: str
    explanation: str
    traps: tuple[str, ...] = ()
    """Every named trap the answer fell into (a multi-select answer can fall into several; ``trap`` is the first)."""


def multi_select_score(question: MultiSelectQuestion, chosen: set[str]) -> float:
    right = set(question.key)
    wrong = {o.id for o in question.options} - right
    score = len(chosen & right) / len(right) - (len(chosen & wrong) / len(wrong) if wrong else 0.0)
    return max(0.0, round(score, 6))


def credit(question: AnyQuestion, value: Any) -> float:
    """The fraction of the question's points a *parsed* answer earns; it is correct when that is 1.

    Numbers within the question's tolerance of the key, the key's shape and the right option earn 1,
    anything else 0; a multi-select earns :func:`multi_select_score`.  An option id the question does
    not have is a :class:`ValueError`.
    """
    if isinstance(question, NumericQuestion):
        return 1.0 if question.tolerance.accepts(float(question.key), float(value)) else 0.0
    if isinstance(question, ShapeQuestion):
        return 1.0 if [int(v) for v in value] == question.key_value else 0.0
    if isinstance(question, MultipleChoiceQuestion):
        return 1.0 if question.option(value).correct else 0.0
    if isinstance(question, MultiSelectQuestion):
        return multi_select_score(question, question.selection(value))
    raise TypeError(f"not a question: {type(question).__name__}")


def grade(question: AnyQuestion, value: Any) -> Grade:
    """Grade a *parsed* answer (see :func:`grader.parse.parse_answer`): its :func:`credit`, and what it is told."""
    score = credit(question, value)
    if score == 1.0:
        return Grade(True, score, None, None, right_feedback(question, value), question.explanation)
    d = diagnose(question, value)
    return Grade(False, score, d.trap, d.title, d.feedback, question.explanation, d.traps)


def grade_raw(question: AnyQuestion, raw: str) -> tuple[Parsed, Grade]:
    """Parse then grade; raises :class:`grader.parse.FormatError` (which costs no attempt) on malformed text."""
    parsed = parse_answer(question, raw)
    return parsed, grade(question, parsed.value)


def describe_tolerance(tol: Tolerance) -> str:
    """How a tolerance reads to a student: ``"exactly"``, ``"within ±0.1"``, ``"within 0.5%"``, ``"to 3 s.f."``."""
    if tol.mode == "exact":
        return "exactly"
    if tol.mode == "absolute":
        return f"within ±{tol.value:g}"
    if tol.mode == "relative":
        return f"within {100 * tol.value:g}%"
    n = max(1, int(tol.value))
    return f"to {n} significant figure{'s' if n != 1 else ''}"


@dataclass(frozen=True)
class PartsGrade:
    """The grade of a multi-part question: per-part grades and points, and the total."""

    parts: tuple[Grade, ...]
    points: tuple[float, ...]
    """Points each part is worth."""
    earned: tuple[float, ...]
    """Points earned on each part: ``points[i] * parts[i].score``."""
    score: float
    """Total points earned."""
    max_score: float
    """Total points available."""

    @property
    def fraction(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0

    @property
    def correct(self) -> bool:
        return all(p.correct for p in self.parts)

    @property
    def traps(self) -> tuple[tuple[int, str], ...]:
        """``(part index, trap id)`` for every named trap any part fell into."""
        return tuple((i, t) for i, g in enumerate(self.parts) for t in g.traps)


def grade_parts(parts: Sequence[tuple[AnyQuestion, Any]], points: Sequence[float] | None = None) -> PartsGrade:
    """Per-part credit: part ``i`` earns ``points[i]`` × its own score (partial credit within a part included).

    ``parts`` pairs each part's question with its *parsed* value; ``points`` defaults to 1 per part.
    """
    if not parts:
        raise ValueError("a multi-part question has at least one part")
    pts = [1.0] * len(parts) if points is None else [float(p) for p in points]
    if len(pts) != len(parts):
        raise ValueError(f"{len(parts)} parts but {len(pts)} point values")
    if any(not math.isfinite(p) or p < 0 for p in pts):
        raise ValueError("points must be finite and non-negative")
    grades = tuple(grade(q, v) for q, v in parts)
    earned = tuple(round(p * g.score, 9) for p, g in zip(pts, grades, strict=True))
    return PartsGrade(grades, tuple(pts), earned, round(sum(earned), 9), sum(pts))


def grade_parts_raw(
    raws: Sequence[str], questions: Sequence[AnyQuestion], points: Sequence[float] | None = None
) -> tuple[list[Parsed], PartsGrade]:
    """Parse every part (one malformed part is a :class:`FormatError` for the whole answer), then grade."""
    parsed = parse_parts(raws, questions)
    return parsed, grade_parts([(q, p.value) for q, p in zip(questions, parsed, strict=True)], points)
