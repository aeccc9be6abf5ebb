"""Which named trap does a wrong answer match?"""

from __future__ import annotations

from collections.abc import Sequence
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
    correct: bool
    trap: str | None
    feedback: str
    title: str | None = None
    traps: tuple[str, ...] = ()
    """Every trap a multi-select answer fell into (``trap`` is the first)."""


def _trap_hit(value: float, target: float | int, tol: Tolerance) -> bool:
    if isinstance(target, float) and not target.is_integer():
        # non-integer trap values (a forgotten floor): accept the usual rounding of a typed decimal
        return abs(value - target) <= max(0.005 * abs(target), 0.01)
    if tol.mode != "exact":
        return tol.accepts(float(target), value)
    return value == target


def _found(trap_id: str, feedback: str) -> Diagnosis:
    return Diagnosis(False, trap_id, feedback, T.get(trap_id).title, (trap_id,))


NO_TRAP = "Not quite, and this answer matches none of the common mistakes: recompute step by step with the explanation."


def diagnose(question: AnyQuestion, answer: Any) -> Diagnosis:
    """Grade a *parsed* answer for correctness and name the trap it matches, if any.

    ``answer`` is a number for numeric questions, a sequence of ints for shape
    questions, an option id for multiple choice, and
    a collection of option ids for multi-select.
    """
    if isinstance(question, NumericQuestion):
        value = float(answer)
        if question.tolerance.accepts(float(question.key), value):
            return Diagnosis(True, None, "Correct.")
        for tv in question.traps:
            if not isinstance(tv.value, list) and _trap_hit(value, tv.value, question.tolerance):
                return _found(tv.trap, tv.feedback)
        return Diagnosis(False, None, NO_TRAP)
    if isinstance(question, ShapeQuestion):
        got = [int(v) for v in answer]
        if got == question.key_value:
            return Diagnosis(True, None, "Correct.")
        for tv in question.traps:
            if tv.value == got:
                return _found(tv.trap, tv.feedback)
        return Diagnosis(False, None, NO_TRAP)
    if isinstance(question, MultipleChoiceQuestion):
        opt = {o.id: o for o in question.options}.get(str(answer))
        if opt is None:
            raise ValueError(f"{answer!r} is not an option of this question")
        if opt.correct:
            return Diagnosis(True, None, opt.feedback)
        if opt.trap:
            return _found(opt.trap, opt.feedback)
        return Diagnosis(False, None, opt.feedback)
    if isinstance(question, MultiSelectQuestion):
        chosen = set(answer if isinstance(answer, (set, frozenset, list, tuple, Sequence)) else [answer])
        by_id = {o.id: o for o in question.options}
        unknown = chosen - by_id.keys()
        if unknown:
            raise ValueError(f"{sorted(unknown)} are not options of this question")
        if chosen == set(question.key):
            return Diagnosis(True, None, "Correct: every true statement and no false one.")
        fell = tuple(by_id[i].trap for i in sorted(chosen) if not by_id[i].correct and by_id[i].trap)
        missed = [by_id[i].text for i in question.key if i not in chosen]
        parts = [by_id[i].feedback for i in sorted(chosen) if not by_id[i].correct]
        if missed:
            parts.append("You left out: " + "; ".join(missed))
        fb = " ".join(parts) or NO_TRAP
        if fell:
            return Diagnosis(False, fell[0], fb, T.get(fell[0]).title, fell)
        return Diagnosis(False, None, fb)
    raise TypeError(f"not a question: {type(question).__name__}")
