"""The Gradebook page's logic (instructors and TAs): the courses one may grade and their assessments, the table of students ×
questions with totals (the rows ``cnnquiz grades export`` writes, so the CSV download is that very file), one
student's attempt response by response with its credit, trap, feedback and overrides, the audit trail, and a regrade's
changes, as plain data.

Scores are shown as the gradebook counts them: the last graded try of each question in the counted attempt, after any
override (overrides change the stored score; the audit trail keeps what it was).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from grader.services import (
    GRADERS,
    AttemptResultsOut,
    MyCourseOut,
    OptionView,
    RegradeOut,
    ScoreChangeOut,
    StudentAssessmentOut,
)
from quizbank import traps as T

from .mathtext import md, render_md

KINDS = {"self_study": "self-study", "homework": "homework", "exam": "exam"}
FIXED = ("user_id", "username", "display_name", "attempts", "counted_attempt", "score", "max_score", "percent")


def graded_courses(mine: Iterable[MyCourseOut]) -> list[MyCourseOut]:
    """The courses whose grades the user keeps (they teach or assist in them; not those they take), by code."""
    return sorted((c for c in mine if c.role in GRADERS), key=lambda c: c.course.code)


def gradable(assessments: Iterable[StudentAssessmentOut]) -> list[StudentAssessmentOut]:
    """The assessments with questions every student answers (not the members' own self-study records)."""
    return [a for a in assessments if a.questions > 0]


def assessment_label(a: StudentAssessmentOut) -> str:
    return f"{a.title} ({KINDS.get(a.kind, a.kind)}, {a.questions} questions, {a.max_score:g} points)"


def csv_name(course_code: str, title: str) -> str:
    """The download's file name: ``CNN101-homework-1-gradebook.csv``."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{course_code} {title}".lower()).strip("-")
    return f"{slug or 'assessment'}-gradebook.csv"


def _unsafe(cell: str) -> str:
    """A cell as the export wrote it, without the ``'`` that keeps a spreadsheet from running it as a formula."""
    return cell[1:] if cell[:2] in ("'=", "'+", "'-", "'@", "'\t", "'\r") else cell


def _num(cell: str) -> float | None:
    return float(cell) if cell != "" else None


def question_columns(rows: Sequence[Sequence[str]]) -> list[str]:
    """The question columns of the gradebook rows (``q1``, ``q2`` …)."""
    return [h for h in rows[0] if h not in FIXED]


def overridden_cells(trail: Iterable[ScoreChangeOut], overridden: set[int]) -> set[tuple[int, int, int]]:
    """``(user id, attempt number, question position)`` of every response whose score stands overridden."""
    return {(c.user_id, c.attempt_number, c.position) for c in trail if c.response_id in overridden}


def gradebook_frame(rows: Sequence[Sequence[str]], marked: set[tuple[int, int, int]] = frozenset()) -> pd.DataFrame:  # type: ignore[assignment]
    """One row per student: name, attempts, the counted one, score, maximum, percent, which questions were scored by
    hand (``Overridden``), and each question's points."""
    qs = question_columns(rows)
    out: dict[str, list[object]] = {
        "Student": [],
        "Username": [],
        "Attempts": [],
        "Counted": [],
        "Score": [],
        "Max": [],
        "%": [],
        "Overridden": [],
    }
    for q in qs:
        out[q.upper()] = []
    for row in rows[1:]:
        cell = dict(zip(rows[0], row, strict=True))
        uid = int(cell["user_id"])
        counted = int(cell["counted_attempt"]) if cell["counted_attempt"] else None
        out["Student"].append(_unsafe(cell["display_name"]) or _unsafe(cell["username"]))
        out["Username"].append(_unsafe(cell["username"]))
        out["Attempts"].append(int(cell["attempts"]))
        out["Counted"].append(counted)
        out["Score"].append(_num(cell["score"]))
        out["Max"].append(_num(cell["max_score"]))
        out["%"].append(_num(cell["percent"]))
        for q in qs:
            out[q.upper()].append(_num(cell[q]))
        hand = [q.upper() for q in qs if counted is not None and (uid, counted, int(q[1:])) in marked]
        out["Overridden"].append(", ".join(hand))
    return pd.DataFrame(out)


def summary(frame: pd.DataFrame) -> dict[str, str]:
    """The headline numbers: students, how many have a counted attempt, the mean and median percent."""
    done = frame["%"].dropna()
    return {
        "Students": str(len(frame)),
        "Graded": str(len(done)),
        "Mean": f"{done.mean():.1f} %" if len(done) else "–",
        "Median": f"{done.median():.1f} %" if len(done) else "–",
    }


@dataclass(frozen=True)
class StudentChoice:
    user_id: int
    label: str


def student_choices(rows: Sequence[Sequence[str]]) -> list[StudentChoice]:
    """The students of the gradebook, as the attempt picker lists them."""
    out = []
    for row in rows[1:]:
        cell = dict(zip(rows[0], row, strict=True))
        name = _unsafe(cell["display_name"]) or _unsafe(cell["username"])
        out.append(StudentChoice(int(cell["user_id"]), f"{name} ({_unsafe(cell['username'])})"))
    return out


@dataclass(frozen=True)
class ResponseItem:
    """One question of an attempt as the grader reads it."""

    position: int
    response_id: int | None
    stem: str
    """Markdown (the bank's math typeset)."""
    answer: str
    """What the student typed, escaped (student text is never interpreted); for a multiple-choice or multi-select
    question the option(s) they picked, by label and text, typeset as the stem."""
    tries: int
    score: float | None
    max_score: float
    credit: str
    """``1.5 / 2``, or ``not answered``."""
    key: str | None
    """The key as Markdown: a number or shape, or the option(s) it names by label and text, typeset as the stem."""
    trap: str | None
    trap_title: str | None
    feedback: str | None
    overridden: bool
    history: list[str]
    """Each change of this response's score, oldest first: ``0 → 1.5 by prof on 12 Mar 2026 10:04: reason``."""


def _fmt(x: float) -> str:
    return f"{x:g}"


def change_line(c: ScoreChangeOut) -> str:
    who = c.actor or "a deleted account"
    what = "override" if c.kind == "override" else "regrade"
    return (
        f"{_fmt(c.old_score)} → {_fmt(c.new_score)} ({what} by {md(who)}, "
        f"{c.created_at.strftime('%d %b %Y %H:%M')} UTC): {md(c.reason)}"
    )


def options_text(options: Sequence[OptionView] | None, chosen: object) -> str | None:
    """The option(s) ``chosen`` names (one label or a list of them), each as ``(a) its text`` with its math typeset,
    in the order shown (several: a Markdown list, one per line); ``None`` when these are not options of the
    question (or it has none)."""
    if not options:
        return None
    ids = [chosen] if isinstance(chosen, str) else chosen
    if not isinstance(ids, list | tuple) or not ids or not all(isinstance(i, str) for i in ids):
        return None
    texts = {o.id: o.text for o in options}
    if not set(ids) <= set(texts):
        return None
    lines = [f"({o.id}) {render_md(o.text)}" for o in options if o.id in ids]
    return lines[0] if len(lines) == 1 else "\n" + "\n".join(f"- {line}" for line in lines)


def attempt_items(res: AttemptResultsOut, trail: Iterable[ScoreChangeOut], overridden: set[int]) -> list[ResponseItem]:
    """The attempt question by question: the answer that counts, its credit, trap and feedback, its overrides."""
    by_response: dict[int, list[ScoreChangeOut]] = {}
    for c in trail:
        by_response.setdefault(c.response_id, []).append(c)
    out = []
    for it in res.items:
        q, r = it.question, it.answer
        trap = r.trap if r is not None else None
        title = it.trap_title or (T.TRAPS[trap].title if trap in T.TRAPS else None)
        history = [change_line(c) for c in by_response.get(r.id, [])] if r is not None else []
        out.append(
            ResponseItem(
                position=q.instance.position,
                response_id=None if r is None else r.id,
                stem=render_md(q.stem),
                answer="" if r is None else options_text(q.options, r.parsed) or md(r.raw_text),
                tries=it.tries,
                score=None if r is None else r.score,
                max_score=q.instance.points if r is None else r.max_score,
                credit="not answered" if r is None or r.score is None else f"{_fmt(r.score)} / {_fmt(r.max_score)}",
                key=None if q.key is None else options_text(q.options, q.key) or render_md(str(q.key)),
                trap=trap,
                trap_title=None if title is None else render_md(title),
                feedback=None if it.feedback is None else render_md(it.feedback),
                overridden=r is not None and r.id in overridden,
                history=history,
            )
        )
    return out


def trail_frame(trail: Sequence[ScoreChangeOut]) -> pd.DataFrame:
    """The audit trail, newest first: when, who, whose answer to which question, old → new, why."""
    rows = sorted(trail, key=lambda c: (c.created_at, c.id), reverse=True)
    return pd.DataFrame(
        {
            "When (UTC)": [c.created_at.strftime("%Y-%m-%d %H:%M") for c in rows],
            "Grader": [c.actor or "(deleted)" for c in rows],
            "Student": [c.username for c in rows],
            "Question": [f"Q{c.position}" for c in rows],
            "Attempt": [c.attempt_number for c in rows],
            "Change": [c.kind for c in rows],
            "Old": [c.old_score for c in rows],
            "New": [c.new_score for c in rows],
            "Reason": [c.reason for c in rows],
        }
    )


def regrade_frame(out: RegradeOut) -> pd.DataFrame:
    """What a regrade changes (or would): student, question, attempt and try, old credit → new credit, the traps."""
    return pd.DataFrame(
        {
            "Student": [c.username for c in out.changes],
            "Question": [f"Q{c.position}" for c in out.changes],
            "Attempt": [c.attempt_number for c in out.changes],
            "Try": [c.try_number for c in out.changes],
            "Counts": ["yes" if c.counted else "no (an earlier try)" for c in out.changes],
            "Credit": [f"{_fmt(c.old_score)} → {_fmt(c.new_score)} of {_fmt(c.max_score)}" for c in out.changes],
            "Trap": [f"{c.old_trap or '–'} → {c.new_trap or '–'}" for c in out.changes],
            "Overridden": ["yes" if c.overridden else "" for c in out.changes],
            "Applied": [("yes" if out.applied else "will") if c.applies else "kept (override)" for c in out.changes],
        }
    )


def regrade_summary(out: RegradeOut) -> str:
    n = len(out.to_apply)
    kept = len(out.changes) - n
    verb = "changed" if out.applied else "would change"
    text = f"{out.responses} responses re-scored against the current key: {n} {verb}"
    if kept:
        text += f", {kept} overridden by hand kept as they are"
    if out.problems:
        text += f"; {len(out.problems)} could not be re-scored"
    return text + "."
