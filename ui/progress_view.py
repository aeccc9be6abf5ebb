"""The Progress page's logic: mastery per topic, the traps fallen into most (each with a Practice link to
exactly that kind of question), and the student's attempts and grades, as plain data."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from grader.services import ProgressOut
from quizbank import traps as T
from quizbank.generators import REGISTRY, TOPICS

from .home_view import ordered_topics

KINDS = {"self_study": "self-study", "homework": "homework", "exam": "exam"}


@dataclass(frozen=True)
class TrapItem:
    trap: str
    title: str
    feedback: str
    topic: str
    topic_title: str
    generator: str
    generator_title: str
    count: int

    @property
    def query_params(self) -> dict[str, str]:
        """The Practice page's parameters that drill this very kind of question."""
        return {"topic": self.topic, "generator": self.generator}


def mastery_table(p: ProgressOut) -> pd.DataFrame:
    """One row per topic the student has met, in the suggested order."""
    rank = {t: i for i, t in enumerate(ordered_topics())}
    topics = sorted(p.topics, key=lambda m: (rank.get(m.topic, len(rank)), m.topic))
    return pd.DataFrame(
        {
            "Topic": [TOPICS[m.topic].title if m.topic in TOPICS else m.topic for m in topics],
            "Answered": [m.answered for m in topics],
            "Right at the first try": [m.first_try_correct / m.answered if m.answered else None for m in topics],
            "Recall now": [m.retrievability for m in topics],
            "Reviews": [m.reviews for m in topics],
        }
    )


def trap_items(p: ProgressOut) -> list[TrapItem]:
    out = []
    for t in p.traps:
        trap = T.TRAPS.get(t.trap)
        spec = REGISTRY.get(t.generator)
        if trap is None or spec is None or t.topic not in TOPICS:
            continue  # a trap or generator this version no longer has
        out.append(
            TrapItem(
                t.trap, trap.title, trap.feedback, t.topic, TOPICS[t.topic].title, t.generator, spec.title, t.count
            )
        )
    return out


def attempts_table(p: ProgressOut) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Assessment": [a.title for a in p.attempts],
            "Course": [a.course_code for a in p.attempts],
            "Kind": [KINDS.get(a.kind, a.kind) for a in p.attempts],
            "Attempt": [a.attempt_number for a in p.attempts],
            "Started": [a.started_at.strftime("%d %b %Y %H:%M") for a in p.attempts],
            "Grade": [_grade(a.score, a.max_score, a.finished_at is not None) for a in p.attempts],
        }
    )


def _grade(score: float | None, max_score: float | None, finished: bool) -> str:
    if not finished:
        return "in progress"
    if score is None or not max_score:
        return "hidden until the key is released"
    return f"{score:g} / {max_score:g} ({score / max_score:.0%})"
