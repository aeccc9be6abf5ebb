"""Grade a parsed answer: correctness, score, the named trap it matches, feedback.

Pure functions: no database, no Streamlit.  Tolerances come from the question
(exact, absolute, relative, significant figures); multi-select earns partial
credit the way Moodle's "all or nothing off" scoring does (each right choice
adds 1/#right, each wrong choice takes away 1/#wrong, floored at 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizbank import diagnose
from quizbank.schema import AnyQuestion, MultiSelectQuestion


@dataclass(frozen=True)
class Grade:
    correct: bool
    score: float
    trap: str | None
    trap_title: str | None
    feedback: str
    explanation: str


def multi_select_score(question: MultiSelectQuestion, chosen: set[str]) -> float:
    right = set(question.key)
    wrong = {o.id for o in question.options} - right
    score = len(chosen & right) / len(right) - (len(chosen & wrong) / len(wrong) if wrong else 0.0)
    return max(0.0, round(score, 6))


def grade(question: AnyQuestion, value: Any) -> Grade:
    d = diagnose(question, value)
    if isinstance(question, MultiSelectQuestion):
        score = multi_select_score(question, set(value))
    else:
        score = 1.0 if d.correct else 0.0
    return Grade(d.correct, score, d.trap, d.title, d.feedback, question.explanation)
