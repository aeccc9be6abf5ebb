"""Services on SQLite and PostgreSQL: accounts, attempts and their limits, idempotent submits, access checks,
exports, the analytics feed, spaced-repetition storage and code submissions."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import fsrs
import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from typer.testing import CliRunner

from grader import db as D
from grader import export as E
from grader import services as S
from grader.analytics import ResponseRecord
from quizbank.generators import generate, generators
from quizbank.schema import NumericQuestion
from ui.cli import app

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
GEN = "conv_params.count"  # a numeric generator: answers are plain numbers


@dataclass
class World:
    sf: D.SessionFactory
    prof: S.UserOut
    ada: S.UserOut
    bob: S.UserOut
    eve: S.UserOut  # a student of another course
    other_prof: S.UserOut  # an instructor who does not teach this course
    course: S.CourseOut


@pytest.fixture
def w(sf: D.SessionFactory) -> World:
    prof = S.create_user(sf, "prof", "instructor", display_name="Prof")
    other_prof = S.create_user(sf, "other-prof", "instructor")
    ada = S.create_user(sf, "ada", "student", display_name="Ada")
    bob = S.create_user(sf, "bob", "student", display_name="=cmd|' /C calc'!A0")
    eve = S.create_user(sf, "eve", "student")
    course = S.create_course(sf, prof.id, "CNN101", "CNNs")
    other = S.create_course(sf, other_prof.id, "ML201", "ML")
    for u in (ada, bob):
        S.enrol(sf, prof.id, course.id, u.id)
    S.enrol(sf, other_prof.id, other.id, eve.id)
    return World(sf, prof, ada, bob, eve, other_prof, course)


def _assessment(w: World, kind: S.Kind = "homework", **kw: object) -> S.AssessmentOut:
    kw.setdefault("opens_at", T0)
    kw.setdefault("now", T0)
    blueprint = kw.pop("blueprint", [{"generator": GEN, "count": 2, "difficulty": 1, "points": 2}])
    return S.create_assessment(w.sf, w.prof.id, w.course.id, "A", kind, blueprint, seed=11, **kw)  # type: ignore[arg-type]


def _key(w: World, instance_id: int) -> NumericQuestion:
    q = S.get_question(w.sf, w.prof.id, instance_id, now=T0)
    fresh = generate(q.instance.generator, q.instance.seed, q.instance.difficulty)
    assert isinstance(fresh, NumericQuestion) and q.key == fresh.key
    return fresh


def _count(sf: D.SessionFactory, model: type[D.Base]) -> int:
    with D.read_session(sf) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


# ------------------------------------------------------------------ accounts


def test_passwords_are_argon2_and_authenticate(w: World) -> None:
    S.create_user(w.sf, "carol", "student", password="correct horse battery staple")
    with D.read_session(w.sf) as s:
        stored = s.execute(select(D.User.password_hash).where(D.User.username == "carol")).scalar_one()
    assert stored is not None and stored.startswith("$argon2id$") and "correct horse" not in stored
    ok = S.authenticate(w.sf, "carol", "correct horse battery staple")
    assert ok is not None and ok.username == "carol" and ok.role == "student"
    assert S.authenticate(w.sf, "carol", "wrong") is None
    assert S.authenticate(w.sf, "nobody", "x") is None
    assert S.authenticate(w.sf, "ada", "") is None  # an account without a password cannot log in


def test_usernames_and_course_codes_are_unique_and_only_instructors_create_courses(w: World) -> None:
    with pytest.raises(S.Conflict):
        S.create_user(w.sf, "ada", "student")
    with pytest.raises(S.Conflict):
        S.create_course(w.sf, w.prof.id, "CNN101", "again")
    with pytest.raises(S.AccessDenied):
        S.create_course(w.sf, w.ada.id, "X1", "by a student")
    with pytest.raises(S.AccessDenied):  # only an instructor *of this course* enrols
        S.enrol(w.sf, w.other_prof.id, w.course.id, w.eve.id)
    with pytest.raises(ValueError):
        S.create_user(w.sf, "bad name with spaces", "student")
    again = S.enrol(w.sf, w.prof.id, w.course.id, w.ada.id)  # idempotent
    assert again.role == "student" and _count(w.sf, D.Enrolment) == 5


# ------------------------------------------------------------------ blueprints


def test_blueprint_instantiation_is_seeded_and_counts_points(w: World) -> None:
    topic_gens = [g.id for g in generators("conv_params") if 2 in g.difficulties]
    bp = [
        {"topic": "conv_params", "count": 3, "difficulty": 2},
        {"generator": GEN, "count": 2, "difficulty": 3, "points": 2.5},
    ]
    a = _assessment(w, blueprint=bp)
    assert a.questions == 5 and a.max_score == 3 * 1 + 2 * 2.5 and a.seed == 11
    qs = S.list_questions(w.sf, w.prof.id, a.id, now=T0)
    assert [q.instance.generator for q in qs] == [*(topic_gens * 3)[:3], GEN, GEN]
    assert [q.instance.difficulty for q in qs] == [2, 2, 2, 3, 3]
    assert [q.instance.position for q in qs] == [1, 2, 3, 4, 5]
    assert len({q.instance.seed for q in qs}) == 5
    # the same seed draws the same questions
    b = _assessment(w, blueprint=bp)
    assert [(q.instance.generator, q.instance.seed) for q in S.list_questions(w.sf, w.prof.id, b.id, now=T0)] == [
        (q.instance.generator, q.instance.seed) for q in qs
    ]
    for q in qs:  # the instructor's key is the regenerated question's key
        fresh = generate(q.instance.generator, q.instance.seed, q.instance.difficulty)
        assert q.key == fresh.key and q.stem == fresh.stem


@pytest.mark.parametrize(
    "item",
    [
        {"topic": "conv_params", "generator": GEN},
        {"count": 2},
        {"topic": "no_such_topic"},
        {"generator": "no.such"},
        {"generator": GEN, "difficulty": 4},
        {"generator": GEN, "count": 0},
        {"generator": GEN, "points": -1},
    ],
)
def test_bad_blueprints_are_refused(item: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        S.Blueprint.validate_python([item])


def test_only_instructors_of_the_course_create_assessments(w: World) -> None:
    for actor in (w.ada.id, w.other_prof.id):
        with pytest.raises(S.AccessDenied):
            S.create_assessment(w.sf, actor, w.course.id, "x", "exam", [{"generator": GEN}], now=T0)
    assert _count(w.sf, D.Assessment) == 0


# ------------------------------------------------------------------ submitting


def test_submit_grades_records_and_is_idempotent(w: World) -> None:
    a = _assessment(w)
    q1, q2 = S.list_questions(w.sf, w.ada.id, a.id, now=T0)
    att = S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    k1 = _key(w, q1.instance.id)
    r = S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, f"{k1.key:,}", "k-1", 4200, now=T0)
    assert r.status == "recorded" and r.response is not None
    assert r.response.correct and r.response.score == 2.0 and r.response.max_score == 2.0
    assert r.response.parsed == float(k1.key) and r.response.raw_text == f"{k1.key:,}"
    assert r.response.time_taken_ms == 4200 and r.response.try_number == 1 and r.response.attempt_number == 1
    assert r.feedback == "Correct."
    # a double click: the same key comes back as the stored row, nothing new is written
    again = S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, f"{k1.key:,}", "k-1", 4300, now=T0)
    assert again.status == "duplicate" and again.response == r.response
    # a retry with different text under the same key is still the first answer
    other = S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, "1", "k-1", now=T0)
    assert other.status == "duplicate" and other.response is not None and other.response.raw_text == f"{k1.key:,}"
    assert _count(w.sf, D.Response) == 1
    # a named trap is diagnosed and stored
    k2 = _key(w, q2.instance.id)
    trap = k2.traps[0]
    t = S.submit_answer(w.sf, w.ada.id, att.id, q2.instance.id, str(trap.value), "k-2", now=T0)
    assert t.status == "recorded" and t.response is not None
    assert not t.response.correct and t.response.score == 0.0 and t.response.trap == trap.trap
    assert t.feedback == trap.feedback and t.trap_title is not None
    g = S.finish_attempt(w.sf, w.ada.id, att.id, now=T0 + HOUR)
    assert (g.score, g.max_score, g.attempt_number) == (2.0, 4.0, 1)
    assert S.finish_attempt(w.sf, w.ada.id, att.id, now=T0 + 2 * HOUR) == g  # finishing twice is a no-op
    assert _count(w.sf, D.Grade) == 1
    with pytest.raises(S.AttemptClosed):
        S.submit_answer(w.sf, w.ada.id, att.id, q2.instance.id, str(k2.key), "k-3", now=T0 + HOUR)
    # ...but the retry of an answer stored before the end still gets its row back
    late_retry = S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, "x", "k-1", now=T0 + 3 * HOUR)
    assert late_retry.status == "duplicate" and late_retry.response == r.response


def test_the_last_try_counts(w: World) -> None:
    a = _assessment(w)
    q1, _ = S.list_questions(w.sf, w.ada.id, a.id, now=T0)
    k = _key(w, q1.instance.id).key
    att = S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    for i, raw in enumerate([str(k), str(k + 1), str(k)]):
        r = S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, raw, f"t{i}", now=T0)
        assert r.response is not None and r.response.try_number == i + 1
    assert S.finish_attempt(w.sf, w.ada.id, att.id, now=T0).score == 2.0
    b = _assessment(w)
    qb, _ = S.list_questions(w.sf, w.ada.id, b.id, now=T0)
    kb = _key(w, qb.instance.id).key
    att2 = S.start_attempt(w.sf, w.ada.id, b.id, now=T0)
    S.submit_answer(w.sf, w.ada.id, att2.id, qb.instance.id, str(kb), "a", now=T0)
    S.submit_answer(w.sf, w.ada.id, att2.id, qb.instance.id, str(kb + 1), "b", now=T0)
    assert S.finish_attempt(w.sf, w.ada.id, att2.id, now=T0).score == 0.0


def test_format_errors_record_nothing_and_cost_no_try(w: World) -> None:
    a = _assessment(w, tries_per_question=1, attempt_limit=1)
    q1, _ = S.list_questions(w.sf, w.ada.id, a.id, now=T0)
    att = S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    for i, raw in enumerate(["12x12", "", "NaN", "inf", "seventy", "x" * 10_000]):
        r = S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, raw, f"bad-{i}", now=T0)
        assert r.status == "format_error" and r.response is None and r.error
    assert _count(w.sf, D.Response) == 0
    k = _key(w, q1.instance.id).key
    ok = S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, str(k), "good", now=T0)
    assert ok.status == "recorded" and ok.response is not None and ok.response.try_number == 1
    with pytest.raises(S.TriesExhausted):
        S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, str(k), "again", now=T0)
    # the only try's retry still comes back; a format error did not start a second attempt
    assert S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, str(k), "good", now=T0).status == "duplicate"
    assert _count(w.sf, D.Response) == 1 and _count(w.sf, D.Attempt) == 1


def test_bad_arguments_are_refused_before_anything_happens(w: World) -> None:
    a = _assessment(w)
    q1, _ = S.list_questions(w.sf, w.ada.id, a.id, now=T0)
    att = S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    for key, ms in [("", 1), ("k" * 129, 1), ("k", -1)]:
        with pytest.raises(ValueError):
            S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, "1", key, ms, now=T0)
    with pytest.raises(ValueError, match="naive"):
        S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, "1", "k", now=dt.datetime(2026, 3, 2))
    with pytest.raises(S.NotFound):
        S.submit_answer(w.sf, w.ada.id, 10_000, q1.instance.id, "1", "k", now=T0)
    b = _assessment(w)
    qb, _ = S.list_questions(w.sf, w.ada.id, b.id, now=T0)
    with pytest.raises(S.NotFound):  # a question of another assessment
        S.submit_answer(w.sf, w.ada.id, att.id, qb.instance.id, "1", "k", now=T0)
    assert _count(w.sf, D.Response) == 0


# ------------------------------------------------------------------ attempts: limits, windows, time limits


def test_attempt_limit_and_resume(w: World) -> None:
    a = _assessment(w, attempt_limit=2)
    first = S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    resumed = S.start_attempt(w.sf, w.ada.id, a.id, now=T0 + HOUR)
    assert resumed.id == first.id and resumed.resumed and not first.resumed
    S.finish_attempt(w.sf, w.ada.id, first.id, now=T0 + HOUR)
    second = S.start_attempt(w.sf, w.ada.id, a.id, now=T0 + HOUR)
    assert second.number == 2 and second.id != first.id
    S.finish_attempt(w.sf, w.ada.id, second.id, now=T0 + HOUR)
    with pytest.raises(S.AttemptLimitReached):
        S.start_attempt(w.sf, w.ada.id, a.id, now=T0 + HOUR)
    assert S.start_attempt(w.sf, w.bob.id, a.id, now=T0).number == 1  # limits are per student
    with pytest.raises(S.AccessDenied):
        S.start_attempt(w.sf, w.eve.id, a.id, now=T0)  # not enrolled
    assert _count(w.sf, D.Attempt) == 3


def test_open_and_close_times(w: World) -> None:
    a = _assessment(w, opens_at=T0 + HOUR, closes_at=T0 + 3 * HOUR)
    with pytest.raises(S.NotOpen):
        S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    with pytest.raises(S.NotOpen):  # no peeking at the questions before it opens
        S.list_questions(w.sf, w.ada.id, a.id, now=T0)
    att = S.start_attempt(w.sf, w.ada.id, a.id, now=T0 + 2 * HOUR)
    assert att.deadline_at == T0 + 3 * HOUR
    q1, _ = S.list_questions(w.sf, w.ada.id, a.id, now=T0 + 2 * HOUR)
    ok = S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, "1", "in-time", now=T0 + 3 * HOUR - dt.timedelta(0, 1))
    assert ok.status == "recorded"
    with pytest.raises(S.AttemptClosed):
        S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, "1", "late", now=T0 + 3 * HOUR)
    with pytest.raises(S.NotOpen):
        S.start_attempt(w.sf, w.bob.id, a.id, now=T0 + 3 * HOUR)
    assert _count(w.sf, D.Response) == 1


def test_exam_time_limit(w: World) -> None:
    a = _assessment(w, "exam", time_limit_s=1800, attempt_limit=2, closes_at=T0 + 10 * HOUR)
    start = T0 + HOUR
    att = S.start_attempt(w.sf, w.ada.id, a.id, now=start)
    assert att.deadline_at == start + dt.timedelta(minutes=30)
    q1, _ = S.list_questions(w.sf, w.ada.id, a.id, now=start)
    k = _key(w, q1.instance.id).key
    r = S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, str(k), "a", now=start + dt.timedelta(seconds=1799))
    assert r.status == "recorded"
    with pytest.raises(S.AttemptClosed):
        S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, str(k), "b", now=start + dt.timedelta(seconds=1800))
    # starting again after the time ran out closes and grades the expired attempt, then starts the next
    nxt = S.start_attempt(w.sf, w.ada.id, a.id, now=start + 2 * HOUR)
    assert nxt.number == 2 and not nxt.resumed
    grades = S.list_grades(w.sf, w.prof.id, a.id)
    assert [(g.attempt_number, g.score) for g in grades] == [(1, 2.0)]
    attempts = S.list_attempts(w.sf, w.ada.id, a.id)
    assert attempts[0].finished_at == start + dt.timedelta(minutes=30)  # finished at its deadline
    # the time limit never runs past the close time
    late = S.start_attempt(w.sf, w.bob.id, a.id, now=T0 + 10 * HOUR - dt.timedelta(minutes=5))
    assert late.deadline_at == T0 + 10 * HOUR


# ------------------------------------------------------------------ access checks


def test_students_read_only_their_own_responses_and_grades(w: World) -> None:
    a = _assessment(w)
    q1, _ = S.list_questions(w.sf, w.ada.id, a.id, now=T0)
    ada_att = S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    bob_att = S.start_attempt(w.sf, w.bob.id, a.id, now=T0)
    ra = S.submit_answer(w.sf, w.ada.id, ada_att.id, q1.instance.id, "10", "a", now=T0)
    rb = S.submit_answer(w.sf, w.bob.id, bob_att.id, q1.instance.id, "20", "b", now=T0)
    assert ra.response is not None and rb.response is not None
    S.finish_attempt(w.sf, w.ada.id, ada_att.id, now=T0)
    S.finish_attempt(w.sf, w.bob.id, bob_att.id, now=T0)

    mine = S.list_responses(w.sf, w.ada.id, a.id, now=T0)
    assert [r.id for r in mine] == [ra.response.id]
    with pytest.raises(S.AccessDenied):
        S.list_responses(w.sf, w.ada.id, a.id, user_id=w.bob.id, now=T0)
    with pytest.raises(S.AccessDenied):
        S.get_response(w.sf, w.ada.id, rb.response.id, now=T0)
    assert S.get_response(w.sf, w.bob.id, rb.response.id, now=T0).raw_text == "20"
    assert [g.user_id for g in S.list_grades(w.sf, w.ada.id, a.id, now=T0)] == [w.ada.id]
    with pytest.raises(S.AccessDenied):
        S.list_grades(w.sf, w.ada.id, a.id, user_id=w.bob.id, now=T0)
    with pytest.raises(S.AccessDenied):
        S.list_attempts(w.sf, w.ada.id, a.id, user_id=w.bob.id)
    with pytest.raises(S.AccessDenied):  # nor write into someone else's attempt
        S.submit_answer(w.sf, w.ada.id, bob_att.id, q1.instance.id, "1", "x", now=T0)
    with pytest.raises(S.AccessDenied):
        S.finish_attempt(w.sf, w.ada.id, bob_att.id, now=T0)
    for fn in (E.export_gradebook, E.export_responses, S.assessment_records):
        with pytest.raises(S.AccessDenied):
            fn(w.sf, w.ada.id, a.id)
    # a student or instructor of another course sees nothing of this one
    for outsider in (w.eve.id, w.other_prof.id):
        with pytest.raises(S.AccessDenied):
            S.list_responses(w.sf, outsider, a.id, now=T0)
        with pytest.raises(S.AccessDenied):
            S.get_response(w.sf, outsider, ra.response.id, now=T0)
        with pytest.raises(S.AccessDenied):
            S.list_grades(w.sf, outsider, a.id, now=T0)
        with pytest.raises(S.AccessDenied):
            E.export_gradebook(w.sf, outsider, a.id)
    # the course's instructor reads everything
    assert {r.user_id for r in S.list_responses(w.sf, w.prof.id, a.id, now=T0)} == {w.ada.id, w.bob.id}
    assert len(S.list_grades(w.sf, w.prof.id, a.id, now=T0)) == 2


def test_no_key_before_release(w: World) -> None:
    release = T0 + 5 * HOUR
    a = _assessment(w, "exam", closes_at=T0 + 2 * HOUR, key_release_at=release)
    q1, _ = S.list_questions(w.sf, w.ada.id, a.id, now=T0)
    fresh = _key(w, q1.instance.id)
    for when in (T0, T0 + 3 * HOUR, release - dt.timedelta(seconds=1)):
        for view in (
            S.get_question(w.sf, w.ada.id, q1.instance.id, now=when),
            *S.list_questions(w.sf, w.ada.id, a.id, now=when),
        ):
            assert view.key is None and view.explanation is None and not view.key_released
            assert type(view) is S.StudentQuestionView and type(view.instance) is S.StudentQuestionOut
    # instructors always see it
    assert S.get_question(w.sf, w.prof.id, q1.instance.id, now=T0).key == fresh.key
    # in an exam, grading is hidden from the student until the release, too
    att = S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    r = S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, str(fresh.key), "k", now=T0)
    assert r.response is not None
    assert r.response.score is None and r.response.correct is None and r.feedback is None and r.trap_title is None
    g = S.finish_attempt(w.sf, w.ada.id, att.id, now=T0 + HOUR)
    assert g.score is None and not g.visible
    assert S.list_grades(w.sf, w.ada.id, a.id, now=T0 + 4 * HOUR)[0].score is None
    assert S.list_responses(w.sf, w.prof.id, a.id, now=T0)[0].score == 2.0  # the instructor sees it
    # from the release on, everything shows
    after = S.get_question(w.sf, w.ada.id, q1.instance.id, now=release)
    assert after.key == fresh.key and after.explanation == fresh.explanation and after.key_released
    assert isinstance(after, S.QuestionView) and after.instance.seed == fresh.seed  # the identity comes with the key
    assert S.list_grades(w.sf, w.ada.id, a.id, now=release)[0].score == 2.0
    assert S.get_response(w.sf, w.ada.id, r.response.id, now=release).correct is True
    # an outsider never sees the question at all
    with pytest.raises(S.AccessDenied):
        S.get_question(w.sf, w.eve.id, q1.instance.id, now=release)


def test_key_release_defaults_and_release_by_instructor(w: World) -> None:
    selfstudy = _assessment(w, "self_study")
    assert selfstudy.key_release_at == T0
    assert S.list_questions(w.sf, w.ada.id, selfstudy.id, now=T0)[0].key is not None
    hw = _assessment(w, "homework", closes_at=T0 + HOUR)
    assert hw.key_release_at == T0 + HOUR
    exam = _assessment(w, "exam")
    assert exam.key_release_at is None
    assert S.list_questions(w.sf, w.ada.id, exam.id, now=T0 + 1000 * HOUR)[0].key is None
    with pytest.raises(S.AccessDenied):
        S.update_assessment_times(w.sf, w.ada.id, exam.id, key_release_at=T0)
    S.update_assessment_times(w.sf, w.prof.id, exam.id, key_release_at=T0 + 2 * HOUR)
    assert S.list_questions(w.sf, w.ada.id, exam.id, now=T0 + 2 * HOUR)[0].key is not None


def test_personal_questions_are_private(w: World) -> None:
    a = _assessment(w, "self_study", blueprint=[])
    mine = S.add_personal_question(w.sf, w.ada.id, a.id, GEN, 2, seed=5, now=T0)
    assert mine.owner_id == w.ada.id and mine.position == 1
    assert [q.instance.id for q in S.list_questions(w.sf, w.ada.id, a.id, now=T0)] == [mine.id]
    assert S.list_questions(w.sf, w.bob.id, a.id, now=T0) == []
    with pytest.raises(S.NotFound):
        S.get_question(w.sf, w.bob.id, mine.id, now=T0)
    bob_att = S.start_attempt(w.sf, w.bob.id, a.id, now=T0)
    with pytest.raises(S.NotFound):
        S.submit_answer(w.sf, w.bob.id, bob_att.id, mine.id, "1", "k", now=T0)
    att = S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    key = generate(GEN, 5, 2).key
    r = S.submit_answer(w.sf, w.ada.id, att.id, mine.id, str(key), "k", now=T0)
    assert r.response is not None and r.response.correct


def test_services_return_pydantic_models_not_orm_rows(w: World) -> None:
    a = _assessment(w)
    att = S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    q = S.list_questions(w.sf, w.ada.id, a.id, now=T0)[0]
    r = S.submit_answer(w.sf, w.ada.id, att.id, q.instance.id, "1", "k", now=T0)
    for obj in (a, att, q, r, r.response, S.finish_attempt(w.sf, w.ada.id, att.id, now=T0), w.prof, w.course):
        assert isinstance(obj, BaseModel) and not isinstance(obj, D.Base)


# ------------------------------------------------------------------ exports and the analytics feed


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_gradebook_and_response_csv(w: World, tmp_path: Path) -> None:
    carol = S.create_user(w.sf, "carol", "student")
    S.enrol(w.sf, w.prof.id, w.course.id, carol.id)  # enrolled, never attempts
    a = _assessment(
        w, blueprint=[{"generator": GEN, "count": 1, "points": 1}, {"generator": GEN, "count": 1, "points": 2}]
    )
    q1, q2 = S.list_questions(w.sf, w.prof.id, a.id, now=T0)
    k1, k2 = q1.key, q2.key
    # ada: both right -> 3 of 3
    att = S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, f"={k1}", "1", 1500, now=T0)
    S.submit_answer(w.sf, w.ada.id, att.id, q2.instance.id, str(k2), "2", now=T0)
    S.finish_attempt(w.sf, w.ada.id, att.id, now=T0)
    # bob: attempt 1 gets q1 right (1), attempt 2 gets nothing right (0): attempt 1 counts
    b1 = S.start_attempt(w.sf, w.bob.id, a.id, now=T0)
    S.submit_answer(w.sf, w.bob.id, b1.id, q1.instance.id, str(k1), "1", now=T0)
    S.submit_answer(w.sf, w.bob.id, b1.id, q2.instance.id, str(k2 + 1), "2", now=T0)
    S.finish_attempt(w.sf, w.bob.id, b1.id, now=T0)
    b2 = S.start_attempt(w.sf, w.bob.id, a.id, now=T0)
    S.submit_answer(w.sf, w.bob.id, b2.id, q1.instance.id, str(k1 + 1), "1", now=T0)
    S.finish_attempt(w.sf, w.bob.id, b2.id, now=T0)

    book = _csv(E.export_gradebook(w.sf, w.prof.id, a.id))
    assert [r["username"] for r in book] == ["ada", "bob", "carol"]
    ada, bob, carol_row = book
    assert (ada["attempts"], ada["counted_attempt"], ada["score"], ada["max_score"], ada["percent"]) == (
        "1",
        "1",
        "3",
        "3",
        "100.0",
    )
    assert (ada["q1"], ada["q2"]) == ("1", "2")
    assert (bob["attempts"], bob["counted_attempt"], bob["score"], bob["percent"], bob["q1"], bob["q2"]) == (
        "2",
        "1",
        "1",
        "33.3",
        "1",
        "0",
    )
    assert bob["display_name"].startswith("'=")  # a formula typed as a name is defused
    assert (carol_row["attempts"], carol_row["score"], carol_row["q1"]) == ("0", "", "")

    rows = _csv(E.export_responses(w.sf, w.prof.id, a.id))
    assert len(rows) == 5
    first = rows[0]
    assert first["username"] == "ada" and first["raw_text"] == f"'={k1}" and first["time_taken_ms"] == "1500"
    assert first["generator"] == GEN and first["correct"] == "1" and first["score"] == "1"
    assert first["answered_at"].endswith("Z")
    assert sorted((r["username"], r["attempt"], r["question"], r["correct"]) for r in rows) == [
        ("ada", "1", "1", "1"),
        ("ada", "1", "2", "1"),
        ("bob", "1", "1", "1"),
        ("bob", "1", "2", "0"),
        ("bob", "2", "1", "0"),
    ]

    # the CLI writes the same files
    db_url = str(w.sf.kw["bind"].url.render_as_string(hide_password=False))
    runner = CliRunner()
    out = tmp_path / "book.csv"
    r = runner.invoke(app, ["grades", "export", "--assessment", str(a.id), "--out", str(out), "--url", db_url])
    assert r.exit_code == 0, r.output
    assert _csv(out.read_text()) == book
    r = runner.invoke(
        app, ["grades", "export", "--assessment", str(a.id), "--out", str(out), "--responses", "--url", db_url]
    )
    assert r.exit_code == 0 and len(_csv(out.read_text())) == 5
    r = runner.invoke(app, ["grades", "export", "--assessment", "999", "--out", str(out), "--url", db_url])
    assert r.exit_code == 2


def test_response_records_feed_analytics(w: World) -> None:
    a = _assessment(w)
    q1, q2 = S.list_questions(w.sf, w.prof.id, a.id, now=T0)
    att = S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, str(q1.key + 1), "1", now=T0)
    S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, str(q1.key), "2", now=T0 + HOUR)
    trap = generate(GEN, q2.instance.seed, 1).traps[0]  # type: ignore[union-attr]
    S.submit_answer(w.sf, w.ada.id, att.id, q2.instance.id, str(trap.value), "3", now=T0 + 2 * HOUR)
    records = S.assessment_records(w.sf, w.prof.id, a.id)
    assert all(isinstance(r, ResponseRecord) for r in records)
    assert [(r.item, r.score, r.max_score, r.trap) for r in records] == [
        (str(q1.instance.id), 0.0, 2.0, None),
        (str(q1.instance.id), 2.0, 2.0, None),
        (str(q2.instance.id), 0.0, 2.0, trap.trap),
    ]
    r0 = records[0]
    assert (r0.student, r0.generator, r0.topic, r0.attempt, r0.answered_at) == (w.ada.id, GEN, "conv_params", 1, T0)
    assert r0.params == generate(GEN, q1.instance.seed, 1).params
    final = S.assessment_records(w.sf, w.prof.id, a.id, final_only=True)
    assert [(r.item, r.score) for r in final] == [(str(q1.instance.id), 2.0), (str(q2.instance.id), 0.0)]
    with D.read_session(w.sf) as s:  # the data function, for callers that own the session
        assert S.response_records(s, a.id) == records


# ------------------------------------------------------------------ spaced repetition and code submissions


def test_fsrs_cards_round_trip_through_the_db(w: World) -> None:
    scheduler = fsrs.Scheduler()
    card = fsrs.Card()
    card, log = scheduler.review_card(card, fsrs.Rating.Good, review_datetime=T0)
    saved = S.save_review_card(
        w.sf,
        w.ada.id,
        "receptive_field",
        card.to_dict(),
        card.due,
        rating=int(fsrs.Rating.Good),
        log=log.to_dict(),
        now=T0,
    )
    assert saved.reviews == 1 and saved.due == card.due
    back = S.get_review_card(w.sf, w.ada.id, "receptive_field")
    assert back is not None
    restored = fsrs.Card.from_dict(back.card)  # type: ignore[arg-type]
    assert restored.to_dict() == card.to_dict() and restored.due == card.due
    # the schedule continues from the stored state exactly as from the live one
    live, _ = scheduler.review_card(card, fsrs.Rating.Hard, review_datetime=card.due)
    stored, _ = scheduler.review_card(restored, fsrs.Rating.Hard, review_datetime=card.due)
    assert live.to_dict() == stored.to_dict()
    assert S.due_review_cards(w.sf, w.ada.id, now=card.due - dt.timedelta(seconds=1)) == []
    assert [c.concept for c in S.due_review_cards(w.sf, w.ada.id, now=card.due)] == ["receptive_field"]
    assert S.get_review_card(w.sf, w.bob.id, "receptive_field") is None
    S.save_review_card(w.sf, w.ada.id, "receptive_field", stored.to_dict(), stored.due, rating=2, now=card.due)
    assert S.get_review_card(w.sf, w.ada.id, "receptive_field").reviews == 2  # type: ignore[union-attr]
    assert _count(w.sf, D.ReviewCard) == 1 and _count(w.sf, D.ReviewLog) == 2


def test_code_submissions(w: World) -> None:
    a = _assessment(w)
    src = "import keras\nmodel = keras.Sequential([])\n"
    sub = S.record_code_submission(w.sf, w.ada.id, "lenet5", "model.py", src, assessment_id=a.id, now=T0)
    assert sub.sha256 == hashlib.sha256(src.encode()).hexdigest() and sub.verdict is None
    done = S.set_code_verdict(w.sf, sub.id, "passed", 9.5, 10.0, {"tests": [{"name": "params", "ok": True}]}, now=T0)
    assert (done.verdict, done.score, done.graded_at) == ("passed", 9.5, T0)
    assert done.results == {"tests": [{"name": "params", "ok": True}]}
    assert S.code_submission_source(w.sf, w.ada.id, sub.id) == src
    assert S.code_submission_source(w.sf, w.prof.id, sub.id) == src
    for other in (w.bob.id, w.other_prof.id):
        with pytest.raises(S.AccessDenied):
            S.code_submission_source(w.sf, other, sub.id)
    with pytest.raises(ValueError):
        S.record_code_submission(w.sf, w.ada.id, "lenet5", "big.py", "#" * (S.MAX_SOURCE_BYTES + 1))


def test_spaced_repetition_reviews_round_trip_through_the_db(w: World, db_url: str) -> None:
    a = _assessment(w, "self_study", blueprint=[])
    first = S.srs_next_question(w.sf, w.ada.id, a.id, "conv_params", seed=1, now=T0)
    assert first.instance.owner_id == w.ada.id and first.instance.topic == "conv_params"
    assert first.instance.difficulty == 1  # a new card is learnt at difficulty 1
    assert first.key is not None  # self-study: feedback at once
    card = S.get_review_card(w.sf, w.ada.id, "conv_params")
    assert card is not None and card.due == T0 and card.reviews == 0
    att = S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    raw = ", ".join(first.key) if isinstance(first.key, list) else str(first.key)
    r = S.submit_answer(w.sf, w.ada.id, att.id, first.instance.id, raw, "r1", 10_000, now=T0)
    assert r.response is not None and r.response.correct
    with pytest.raises(S.AccessDenied):
        S.srs_record_review(w.sf, w.bob.id, r.response.id, now=T0)
    after = S.srs_record_review(w.sf, w.ada.id, r.response.id, now=T0)
    # the same review computed with fsrs directly: correct in 10 s is "Easy"
    expected, _ = fsrs.Scheduler(enable_fuzzing=False).review_card(
        fsrs.Card.from_dict(card.card),  # type: ignore[arg-type]
        fsrs.Rating.Easy,
        review_datetime=T0,
        review_duration=10_000,
    )
    assert after.reviews == 1 and after.due == expected.due > T0
    assert fsrs.Card.from_dict(after.card).to_dict() == expected.to_dict()  # type: ignore[arg-type]
    assert S.srs_record_review(w.sf, w.ada.id, r.response.id, now=T0) == after  # a retry changes nothing
    assert _count(w.sf, D.ReviewLog) == 1
    # the schedule survives a restart: a new engine on the same database reads the same card
    engine = D.make_engine(db_url)
    try:
        sf2 = D.session_factory(engine)
        assert S.get_review_card(sf2, w.ada.id, "conv_params") == after
        assert S.due_review_cards(sf2, w.ada.id, now=after.due - dt.timedelta(seconds=1)) == []
        assert [c.concept for c in S.due_review_cards(sf2, w.ada.id, now=after.due)] == ["conv_params"]
        nxt = S.srs_next_question(sf2, w.ada.id, a.id, "conv_params", seed=1, now=after.due)
    finally:
        engine.dispose()
    assert (nxt.instance.generator, nxt.instance.seed) != (first.instance.generator, first.instance.seed)
    assert nxt.instance.position == 2


# ------------------------------------------------------------------ what the student's pages read


def test_courses_and_assessments_a_member_may_list(w: World) -> None:
    hw = _assessment(w, "homework", closes_at=T0 + HOUR)
    exam = _assessment(w, "exam", opens_at=T0 + 2 * HOUR)
    assert [(c.course.code, c.role) for c in S.list_my_courses(w.sf, w.ada.id)] == [("CNN101", "student")]
    assert [(c.course.code, c.role) for c in S.list_my_courses(w.sf, w.prof.id)] == [("CNN101", "instructor")]
    assert S.list_my_courses(w.sf, w.other_prof.id)[0].course.code == "ML201"
    mine = S.list_assessments(w.sf, w.ada.id, w.course.id)
    assert [a.id for a in mine] == [hw.id, exam.id]  # by opening time
    assert all(type(a) is S.StudentAssessmentOut for a in mine)
    assert (mine[0].questions, mine[0].max_score) == (2, 4.0)
    taught = S.list_assessments(w.sf, w.prof.id, w.course.id)
    assert all(isinstance(a, S.AssessmentOut) and a.seed == 11 for a in taught)
    with pytest.raises(S.AccessDenied):
        S.list_assessments(w.sf, w.eve.id, w.course.id)
    with pytest.raises(S.NotFound):
        S.list_assessments(w.sf, w.ada.id, 999)


def test_attempt_results_resume_an_attempt_and_explain_it_after_release(w: World) -> None:
    a = _assessment(w, "exam", closes_at=T0 + 2 * HOUR, key_release_at=T0 + 3 * HOUR)
    q1, q2 = S.list_questions(w.sf, w.prof.id, a.id, now=T0)
    trap = _key(w, q2.instance.id).traps[0]
    att = S.start_attempt(w.sf, w.ada.id, a.id, now=T0)
    S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, "1", "a", now=T0)
    S.submit_answer(w.sf, w.ada.id, att.id, q1.instance.id, str(q1.key), "b", now=T0)
    S.submit_answer(w.sf, w.ada.id, att.id, q2.instance.id, str(trap.value), "c", now=T0)
    during = S.attempt_results(w.sf, w.ada.id, att.id, now=T0)
    # what a reloaded page needs: the last stored answer per question, nothing graded in an exam
    assert [(i.answer.raw_text if i.answer else None, i.tries) for i in during.items] == [
        (str(q1.key), 2),
        (str(trap.value), 1),
    ]
    assert during.grade is None and not during.key_released and not during.graded_visible
    assert all(i.feedback is None and i.answer.score is None and i.question.key is None for i in during.items)  # type: ignore[union-attr]
    S.finish_attempt(w.sf, w.ada.id, att.id, now=T0 + HOUR)
    after = S.attempt_results(w.sf, w.ada.id, att.id, now=T0 + 3 * HOUR)
    assert after.key_released and after.grade is not None and after.grade.score == 2.0
    right, wrong = after.items
    assert right.answer is not None and right.answer.correct and right.question.key == q1.key
    assert wrong.answer is not None and wrong.answer.trap == trap.trap
    assert wrong.feedback == trap.feedback and wrong.trap_title
    assert wrong.question.explanation == _key(w, q2.instance.id).explanation
    # the owner and the course's instructors only
    assert S.attempt_results(w.sf, w.prof.id, att.id, now=T0).items[0].question.key == q1.key
    for other in (w.bob.id, w.eve.id, w.other_prof.id):
        with pytest.raises(S.AccessDenied):
            S.attempt_results(w.sf, other, att.id, now=T0)


def test_code_submission_reads_and_stored_file_names(w: World) -> None:
    first = S.record_code_submission(w.sf, w.ada.id, "lenet5", "../../etc/passwd<script>.py", "x = 1\n", now=T0)
    assert first.file_name == "passwd_script_.py"
    second = S.record_code_submission(w.sf, w.ada.id, "se-block", "C:\\Users\\ada\\my block.py", "y = 2\n", now=T0)
    assert second.file_name == "my_block.py"
    assert S.safe_file_name("...") == "submission.py" and S.safe_file_name("é" * 300 + ".py") == "e" * 97 + ".py"
    assert [s.id for s in S.list_code_submissions(w.sf, w.ada.id)] == [second.id, first.id]
    assert [s.id for s in S.list_code_submissions(w.sf, w.ada.id, task_id="lenet5")] == [first.id]
    assert S.list_code_submissions(w.sf, w.bob.id) == []
    assert S.get_code_submission(w.sf, w.ada.id, first.id).verdict is None
    S.set_code_verdict(w.sf, first.id, "ok", 1.0, 2.0, {"checks": []}, now=T0)
    assert S.get_code_submission(w.sf, w.ada.id, first.id).verdict == "ok"
    with pytest.raises(S.AccessDenied):
        S.get_code_submission(w.sf, w.bob.id, first.id)
