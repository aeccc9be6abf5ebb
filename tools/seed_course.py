"""A realistic course for the instructor's Gradebook and Analytics pages, written through the services only.

An instructor, eight students of graded ability, and two homework assessments drawn from real generators (conv
parameters, output size with strides, padding and dilation, dilation, pooling, receptive field, a multiple choice).
Each student answers every question the way a student of that ability would: right, or into one of the question's
named traps, or wrong in no named way; some take a second try. The draw is seeded, so a seed gives the same course.

Tooling for tests, screenshots and demos, never imported by the product.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from grader import db as D
from grader import services as S
from quizbank.schema import AnyQuestion, MultipleChoiceQuestion, MultiSelectQuestion, NumericQuestion, ShapeQuestion

STUDENTS = (
    ("ada", "Ada Lovelace", 0.92),
    ("bob", "Bob Marley", 0.35),
    ("cyd", "Cyd Charisse", 0.7),
    ("dee", "Dee Dee Ramone", 0.55),
    ("eli", "Eli Whitney", 0.8),
    ("fay", "Fay Wray", 0.25),
    ("gus", "Gus Grissom", 0.62),
    ("hal", "Hal Abelson", 0.45),
)
HOMEWORK_1 = [
    {"generator": "conv_params.count", "count": 2, "difficulty": 2, "points": 2},
    {"generator": "output_size.side", "count": 2, "difficulty": 2},
    {"generator": "dilation.effective_kernel", "count": 1, "difficulty": 2},
    {"generator": "pooling.pool_params", "count": 1, "difficulty": 2},
    {"generator": "conv_params.resolution", "count": 1, "difficulty": 1},
]
HOMEWORK_2 = [
    {"generator": "receptive_field.growth", "count": 2, "difficulty": 2},
    {"generator": "output_size.same_split", "count": 1, "difficulty": 2},
    {"generator": "one_by_one.params", "count": 2, "difficulty": 2},
    {"generator": "compute.conv_macs", "count": 1, "difficulty": 2},
]


@dataclass(frozen=True)
class Seeded:
    sf: D.SessionFactory
    prof: S.UserOut
    students: list[S.UserOut]
    course: S.CourseOut
    homework: S.AssessmentOut
    second: S.AssessmentOut


def right_text(q: AnyQuestion) -> str:
    """What a student types or picks for the right answer."""
    if isinstance(q, MultiSelectQuestion):
        return ",".join(q.key)
    if isinstance(q, MultipleChoiceQuestion):
        return q.key
    if isinstance(q, ShapeQuestion):
        return "×".join(str(v) for v in q.key_value)
    return repr(q.key) if isinstance(q.key, float) else str(q.key)


def trap_text(q: AnyQuestion, rng: random.Random) -> str | None:
    """An answer that falls into one of the question's named traps (``None``: it has none)."""
    if isinstance(q, NumericQuestion | ShapeQuestion) and q.traps:
        v = rng.choice(q.traps).value
        return "×".join(str(x) for x in v) if isinstance(v, list) else str(v)
    if isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion):
        trapped = [o.id for o in q.options if o.trap and not o.correct]
        if trapped:
            return rng.choice(trapped)
    return None


def wrong_text(q: AnyQuestion, rng: random.Random) -> str:
    """A wrong answer in no named way."""
    if isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion):
        return rng.choice([o.id for o in q.options if not o.correct])
    if isinstance(q, ShapeQuestion):
        return "×".join(str(v + 3) for v in q.key_value)
    assert isinstance(q, NumericQuestion)
    return str(int(float(q.key) * 3 + 7))


def _answer(q: AnyQuestion, ability: float, rng: random.Random) -> str:
    if rng.random() < ability:
        return right_text(q)
    if rng.random() < 0.7 and (t := trap_text(q, rng)) is not None:
        return t
    return wrong_text(q, rng)


def _sit(
    sf: D.SessionFactory, user: S.UserOut, a: S.AssessmentOut, ability: float, rng: random.Random, t: dt.datetime
) -> None:
    att = S.start_attempt(sf, user.id, a.id, now=t)
    for i, qv in enumerate(S.list_questions(sf, user.id, a.id, now=t)):
        q = _question(sf, qv.instance.id)
        raw = _answer(q, ability, rng)
        res = S.submit_answer(sf, user.id, att.id, qv.instance.id, raw, f"{user.id}-{i}-1", 20_000, now=t)
        assert res.status == "recorded", (q.generator, raw, res)
        if res.response.score is not None and res.response.score < res.response.max_score and rng.random() < 0.3:
            again = _answer(q, min(1.0, ability + 0.2), rng)
            t += dt.timedelta(seconds=40)
            S.submit_answer(sf, user.id, att.id, qv.instance.id, again, f"{user.id}-{i}-2", 15_000, now=t)
        t += dt.timedelta(minutes=2)
    S.finish_attempt(sf, user.id, att.id, now=t)


_QUESTIONS: dict[int, AnyQuestion] = {}


def _question(sf: D.SessionFactory, instance_id: int) -> AnyQuestion:
    """The regenerated question of an instance (as the grader regenerates it)."""
    if instance_id not in _QUESTIONS:
        with D.read_session(sf) as s:
            inst = s.get(D.QuestionInstance, instance_id)
            assert inst is not None
            _QUESTIONS[instance_id] = S.regenerate(inst)
    return _QUESTIONS[instance_id]


def seed_course(sf: D.SessionFactory, *, seed: int = 7, now: dt.datetime | None = None) -> Seeded:
    """The course, its students and two answered homeworks (see the module's docstring)."""
    _QUESTIONS.clear()
    rng = random.Random(seed)
    now = now or D.utcnow()
    prof = S.create_user(sf, "prof", "instructor", password="prof password", display_name="Prof. Fukushima")
    course = S.create_course(sf, prof.id, "CNN101", "Convolutional networks")
    students = []
    for name, display, _ in STUDENTS:
        u = S.create_user(sf, name, "student", password=f"{name} password", display_name=display)
        S.enrol(sf, prof.id, course.id, u.id)
        students.append(u)
    opens = now - dt.timedelta(days=10)
    hw1 = S.create_assessment(
        sf, prof.id, course.id, "Homework 1: conv arithmetic", "homework", HOMEWORK_1, seed=seed,
        opens_at=opens, closes_at=now + dt.timedelta(days=3), attempt_limit=2,
    )  # fmt: skip
    hw2 = S.create_assessment(
        sf, prof.id, course.id, "Homework 2: receptive fields and 1×1", "homework", HOMEWORK_2, seed=seed + 1,
        opens_at=opens, closes_at=now + dt.timedelta(days=5), attempt_limit=1,
    )  # fmt: skip
    for k, (u, (_, _, ability)) in enumerate(zip(students, STUDENTS, strict=True)):
        _sit(sf, u, hw1, ability, rng, opens + dt.timedelta(days=1, hours=k))
        _sit(sf, u, hw2, ability, rng, opens + dt.timedelta(days=4, hours=k))
    return Seeded(sf, prof, students, course, hw1, hw2)
