"""What a wrong answer got wrong: the named trap(s) it matches, and the feedback to show.

Whether an answer is right, and how much credit it earns, is decided in one place:
:func:`grader.scoring.credit`.  This module only explains: :func:`diagnose` names the
trap(s) of an answer the grader found wrong, :func:`right_feedback` says what a right one
is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import traps as T
from .schema import (
    AnyQuestion,
    MultipleChoiceQuestion,
    MultiSelectQuestion,
    NumericQuestion,
    ShapeQuestion,
    Tolerance,
)


@dataclass(frozen=True)
class Diagnosis:
    trap: str | None
    """The (first) named trap the answer fell into, if any."""
    feedback: str
    title: str | None = None
    traps: tuple[str, ...] = ()
    """Every trap the answer fell into (a multi-select answer can fall into several; ``trap`` is the first)."""


def _trap_hit(value: float, target: float | int, tol: Tolerance) -> bool:
    if isinstance(target, float) and not target.is_integer():
        # non-integer trap values (a forgotten floor): accept the usual rounding of a typed decimal
        return abs(value - target) <= max(0.005 * abs(target), 0.01)
    if tol.mode != "exact":
        return tol.accepts(float(target), value)
    return value == target


def _found(*trap_ids: str, feedback: str) -> Diagnosis:
    return Diagnosis(trap_ids[0], feedback, T.get(trap_ids[0]).title, trap_ids)


NO_TRAP = "Not quite, and this answer matches none of the common mistakes: recompute step by step with the explanation."
CORRECT = "Correct."
CORRECT_SELECTION = "Correct: every true statement and no false one."


def right_feedback(question: AnyQuestion, answer: Any) -> str:
    """What a right *parsed* answer is told (a choice's own feedback, which may say why it is right)."""
    if isinstance(question, MultipleChoiceQuestion):
        return question.option(answer).feedback
    if isinstance(question, MultiSelectQuestion):
        return CORRECT_SELECTION
    return CORRECT


def diagnose(question: AnyQuestion, answer: Any) -> Diagnosis:
    """The named trap(s) a wrong *parsed* answer matches, with their feedback (:data:`NO_TRAP` if none).

    ``answer`` is a number for numeric questions, a sequence of ints for shape
    questions, an option id for multiple choice, and a collection of option ids
    for multi-select.  It is one :func:`grader.scoring.credit` found wrong: this
    function does not judge, so a right answer gets no meaningful diagnosis.
    """
    if isinstance(question, NumericQuestion):
        value = float(answer)
        for tv in question.traps:
            if not isinstance(tv.value, list) and _trap_hit(value, tv.value, question.tolerance):
                return _found(tv.trap, feedback=tv.feedback)
        return Diagnosis(None, NO_TRAP)
    if isinstance(question, ShapeQuestion):
        got = [int(v) for v in answer]
        for tv in question.traps:
            if tv.value == got:
                return _found(tv.trap, feedback=tv.feedback)
        return Diagnosis(None, NO_TRAP)
    if isinstance(question, MultipleChoiceQuestion):
        opt = question.option(answer)
        return _found(opt.trap, feedback=opt.feedback) if opt.trap else Diagnosis(None, opt.feedback)
    if isinstance(question, MultiSelectQuestion):
        chosen = question.selection(answer)
        by_id = {o.id: o for o in question.options}
        fell = tuple(by_id[i].trap for i in sorted(chosen) if not by_id[i].correct and by_id[i].trap)
        missed = [by_id[i].text for i in question.key if i not in chosen]
        parts = [by_id[i].feedback for i in sorted(chosen) if not by_id[i].correct]
        if missed:
            parts.append("You left out: " + "; ".join(missed))
        fb = " ".join(parts) or NO_TRAP
        return _found(*fell, feedback=fb) if fell else Diagnosis(None, fb)
    raise TypeError(f"not a question: {type(question).__name__}")
