"""The Assessments page's logic, kept apart from Streamlit so it can be tested plainly.

The page is a thin layer over this module and :mod:`grader.services`: it lists a student's courses and their
assessments (open, upcoming, closed), takes an attempt question by question with every answer saved through
:func:`grader.services.submit_answer` the moment it is entered, and shows the results once the services allow.
Everything here works from the student's views of the services, which carry no generator, seed or key before the
release; the deadline is the server's, and the server refuses a late answer whatever the page shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Literal

from grader import services as S
from grader.db import SessionFactory, utcnow

Status = Literal["open", "upcoming", "closed"]
Level = Literal["success", "info", "warning", "error"]


def status(a: S.StudentAssessmentOut, now: dt.datetime) -> Status:
    if now < a.opens_at:
        return "upcoming"
    if a.closes_at is not None and now >= a.closes_at:
        return "closed"
    return "open"


def live(att: S.AttemptOut, now: dt.datetime) -> bool:
    """An attempt that still takes answers: not finished and before its deadline."""
    return att.finished_at is None and (att.deadline_at is None or now < att.deadline_at)


CLOCK_EVERY_S = 2.0
"""How often the page taking a timed attempt looks at the clock (a fragment rerun: no database work until the
deadline)."""


def hand_in_if_late(sf: SessionFactory, user_id: int, att: S.AttemptOut, now: dt.datetime) -> bool:
    """Finish an attempt whose deadline has passed, with the answers saved before it (the server already refuses
    later ones); ``True`` if it was handed in now. Finishing is idempotent, so two tabs noticing at once agree."""
    if att.finished_at is not None or att.deadline_at is None or now < att.deadline_at:
        return False
    S.finish_attempt(sf, user_id, att.id, now=now)
    return True


def time_up(att: S.AttemptOut) -> str:
    """What the page says about an attempt :func:`hand_in_if_late` handed in."""
    return f"The time for attempt {att.number} ran out at {when(att.deadline_at)}: the answers you had saved are handed in."


@dataclass(frozen=True)
class Row:
    """One assessment in the overview, with the student's attempts at it."""

    assessment: S.StudentAssessmentOut
    status: Status
    attempts: list[S.AttemptOut]
    grades: list[S.GradeOut]
    now: dt.datetime

    @property
    def current(self) -> S.AttemptOut | None:
        """The attempt in progress, if any (finished or timed-out attempts are not)."""
        return next((a for a in self.attempts if live(a, self.now)), None)

    @property
    def attempts_left(self) -> int | None:
        limit = self.assessment.attempt_limit
        return None if limit is None else max(0, limit - len(self.attempts))

    @property
    def best(self) -> S.GradeOut | None:
        visible = [g for g in self.grades if g.visible and g.score is not None]
        return max(visible, key=lambda g: g.score or 0.0) if visible else None


@dataclass(frozen=True)
class CourseBlock:
    course: S.CourseOut
    rows: dict[Status, list[Row]] = field(default_factory=dict)


def overview(sf: SessionFactory, user_id: int, now: dt.datetime | None = None) -> list[CourseBlock]:
    """The student's courses, each with its assessments grouped as open, upcoming and closed."""
    t = now or utcnow()
    out = []
    for member in S.list_my_courses(sf, user_id):
        if member.role != "student":
            continue
        course = member.course
        groups: dict[Status, list[Row]] = {"open": [], "upcoming": [], "closed": []}
        for a in S.list_assessments(sf, user_id, course.id):
            st = status(a, t)
            attempts = S.list_attempts(sf, user_id, a.id) if st != "upcoming" else []
            grades = S.list_grades(sf, user_id, a.id, now=t) if attempts else []
            groups[st].append(Row(a, st, attempts, grades, t))
        out.append(CourseBlock(course, groups))
    return out


def when(t: dt.datetime | None) -> str:
    """A time as the page shows it (UTC, to the minute)."""
    return "—" if t is None else t.astimezone(dt.UTC).strftime("%a %d %b %Y, %H:%M UTC")


def duration(seconds: float) -> str:
    """``1 h 05 min``, ``12:04`` (minutes:seconds under an hour)."""
    s = max(0, int(seconds))
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    return f"{s // 60:02d}:{s % 60:02d}"


def describe(a: S.StudentAssessmentOut) -> str:
    """The rules of an assessment in one line."""
    kind = {"self_study": "Self-study", "homework": "Homework", "exam": "Exam"}[a.kind]
    parts = [kind, f"{a.questions} questions, {a.max_score:g} points"]
    if a.time_limit_s:
        parts.append(f"{duration(a.time_limit_s)} time limit")
    if a.attempt_limit:
        parts.append(f"{a.attempt_limit} attempt{'s' if a.attempt_limit > 1 else ''}")
    if a.tries_per_question:
        parts.append(f"{a.tries_per_question} tr{'ies' if a.tries_per_question > 1 else 'y'} per question")
    return " · ".join(parts)


def refusal(e: S.ServiceError) -> str:
    """A service's refusal as the page says it."""
    if isinstance(e, S.AttemptClosed):
        return "The deadline has passed: answers are no longer accepted. Everything you saved before it counts."
    if isinstance(e, S.AttemptLimitReached):
        return f"You have used all your attempts ({e})."
    if isinstance(e, S.TriesExhausted):
        return f"No tries left at this question ({e}). Your last saved answer counts."
    if isinstance(e, S.NotOpen):
        return f"Not open: {e}."
    if isinstance(e, S.NotFound | S.AccessDenied):
        return "This assessment is not available to you."
    return str(e)


# ------------------------------------------------------------------ answering


def answer_text(answer_format: str, value: object) -> str:
    """The raw text the services parse, from a widget's value (an option id, a list of ids, or typed text)."""
    if value is None:
        return ""
    if answer_format == "multi_select":
        return ",".join(str(v) for v in value)  # type: ignore[attr-defined]
    return str(value)


def stored_value(answer_format: str, raw: str | None) -> object:
    """The inverse of :func:`answer_text`, to put a stored answer back into its widget."""
    if answer_format == "multi_select":
        return [p for p in (raw or "").split(",") if p]
    return raw


def idempotency_key(attempt_id: int, instance_id: int, tries: int, raw: str) -> str:
    """The key of one entered answer: the same answer re-sent (a double event, a retry after a lost connection)
    is stored once; a new answer, or the same text entered again after another one, is a new try."""
    digest = hashlib.sha256(raw.encode()).hexdigest()[:16]
    return f"a{attempt_id}-q{instance_id}-t{tries + 1}-{digest}"


def input_hint(answer_format: str, unit: str | None) -> str:
    if answer_format == "numeric":
        return "A number: 73856, 73,856, 7.3856e4 or 1/9 all work." + (f" Unit: {unit}." if unit else "")
    if "shape" in answer_format:
        return "A shape without the batch axis, e.g. 112×112×64 or (None, 112, 112, 64)."
    return ""


@dataclass(frozen=True)
class Saved:
    """What happened to one entered answer, as the page reports it."""

    level: Level
    message: str
    stored: bool
    feedback: str | None = None


def save_answer(
    sf: SessionFactory,
    user_id: int,
    attempt_id: int,
    instance_id: int,
    answer_format: str,
    value: object,
    tries: int,
    stored: str | None = None,
) -> Saved | None:
    """Send one entered answer to the services at once (idempotently), and say what became of it.

    ``stored`` is the answer already saved for this question: entering it again changes nothing and spends no try
    (``None`` is returned: there is nothing to say).
    """
    raw = answer_text(answer_format, value)
    if stored is not None and raw == stored:
        return None
    if not raw.strip():
        return Saved("info", "Empty answers are not saved; your previous answer, if any, still counts.", False)
    key = idempotency_key(attempt_id, instance_id, tries, raw)
    try:
        r = S.submit_answer(sf, user_id, attempt_id, instance_id, raw, key)
    except S.ServiceError as e:
        return Saved("error", refusal(e), False)
    if r.status == "format_error":
        return Saved(
            "warning",
            f"Not saved — {r.error}. A format error costs no attempt: correct it and press Enter.",
            False,
        )
    at = r.response.answered_at.strftime("%H:%M:%S") if r.response else ""
    feedback = None
    if r.response is not None and r.response.graded_visible:
        if r.response.correct:
            feedback = "Correct." if not r.feedback or r.feedback.strip(". ").lower() == "correct" else r.feedback
        else:
            feedback = (f"Trap: {r.trap_title}. " if r.trap_title else "") + (r.feedback or "Not correct.")
    return Saved("success", f"Saved at {at} UTC.", True, feedback)


def progress(results: S.AttemptResultsOut) -> tuple[int, int]:
    """Answered and total questions of an attempt."""
    return sum(1 for i in results.items if i.answer is not None), len(results.items)


def marker(item: S.QuestionResultOut) -> str:
    return "●" if item.answer is not None else "○"


def chosen_text(view: S.StudentQuestionView, answer: S.ResponseOut | None) -> str | None:
    """The option(s) a stored answer picked, as Markdown in the labels the student was shown: ``(a) its text``
    (``None``: no answer, not a choice question, or an answer that names no option of it)."""
    if answer is None or not view.options:
        return None
    picked = [answer.parsed] if isinstance(answer.parsed, str) else answer.parsed
    labels = {o.id for o in view.options}
    if not isinstance(picked, list) or not picked or not set(picked) <= labels:
        return None
    return "; ".join(f"({o.id}) {o.text}" for o in view.options if o.id in picked)


def key_text(view: S.StudentQuestionView) -> str:
    """A released key as Markdown: the option(s) it names, a number with thousands separators, or a shape."""
    key = view.key
    if key is None:
        return ""
    labels = {o.id: o.text for o in view.options or []}
    if isinstance(key, list) and view.options:
        return "; ".join(f"({k}) {labels.get(k, k)}" for k in key)
    if isinstance(key, str) and key in labels:
        return f"({key}) {labels[key]}"
    if isinstance(key, list):
        return " × ".join(str(k) for k in key)
    if isinstance(key, int) or (isinstance(key, float) and key.is_integer()):
        return f"{int(key):,}" + (f" {view.unit}" if view.unit else "")
    return f"{key:g}" if isinstance(key, float) else str(key)


def countdown_html(deadline: dt.datetime, now: dt.datetime) -> str:
    """A display-only countdown to the server's deadline (the browser's clock is corrected by the server's ``now``;
    the server refuses late answers whatever this shows)."""
    end_ms = int(deadline.timestamp() * 1000)
    now_ms = int(now.timestamp() * 1000)
    return f"""<style>html,body{{margin:0;padding:0;overflow:hidden;background:transparent}}</style>
<div id="cd" role="timer" aria-live="off"
 style="font:600 1rem/1.5 'Source Sans Pro',system-ui,sans-serif;color:#31333f;padding:.25rem .7rem;
 border:1px solid #d6d6d9;border-radius:.5rem;display:inline-block;margin:2px">Time left: …</div>
<script>
const end = {end_ms}, skew = Date.now() - {now_ms}, el = document.getElementById("cd");
function pad(n) {{ return String(n).padStart(2, "0"); }}
function tick() {{
  const left = Math.max(0, Math.floor((end - (Date.now() - skew)) / 1000));
  const h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
  el.textContent = left > 0 ? "Time left: " + (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s)
                            : "Time is up: answers are no longer accepted";
  el.style.color = left <= 60 ? "#b00020" : "#31333f";
  if (left > 0) setTimeout(tick, 250);
}}
tick();
</script>"""
