"""A student cannot derive an answer key before it is released.

Generation is deterministic and the generators are public, so a question's identity (generator, version, seed,
difficulty) *is* its key. These tests collect everything the student-facing services return for an exam that is
open but not released, and check that (1) none of it names a generator, a seed, a difficulty, a version, params or
the blueprint, and (2) brute force with the public code over every generator of each visible topic, every
difficulty, seeds 0..N and every number the student can see, and over the public seed derivation from every
candidate base seed, never reproduces a stored question's identity. The same search run against the public
(unkeyed) derivation finds every key, so the search is a real one.

What a student *does* see is the question itself (stem, options), from which they are meant to work the answer
out; that is the exam, not a leak.

Roles are per course: every test runs twice, once with ada only a student, once with ada also a teaching assistant
of another course (where she does see keys before the release, as its graders do); in this course she still gets
the student's views and nothing more.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from grader import db as D
from grader import services as S
from quizbank.exam import BlueprintItem, build_student_exam, derive_seed, instantiate, parse_blueprint, student_seed
from quizbank.generators import REGISTRY, generate, generators

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
BASE_SEED = 11  # a guessable base seed, on purpose
BLUEPRINT = [
    {"topic": "conv_params", "count": 3, "difficulty": 2},
    {"topic": "receptive_field", "count": 2, "difficulty": 1},
    {"generator": "conv_params.count", "count": 1, "difficulty": 3, "points": 2},
]
SEARCH = 400  # seeds 0..SEARCH-1, on top of every number the student can see
HIDDEN_KEYS = {"generator", "seed", "difficulty", "version", "params", "blueprint"}

Identity = tuple[str, int, int, int]  # generator, version, seed, difficulty


def _dump(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, list | tuple):
        return [_dump(o) for o in obj]
    return obj


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _values(value: Any, names: set[str]) -> list[Any]:
    """Every value stored under one of ``names``, at any depth."""
    if isinstance(value, dict):
        return [v for k, v in value.items() if k in names] + [x for v in value.values() for x in _values(v, names)]
    if isinstance(value, list):
        return [x for v in value for x in _values(v, names)]
    return []


def _student_sees(w: dict[str, Any]) -> list[Any]:
    """Everything the student-facing services return to ada during the exam, before the release."""
    sf, ada, a = w["sf"], w["ada"], w["exam"]
    now = T0 + HOUR
    seen: list[Any] = [
        S.list_my_courses(sf, ada.id),
        S.list_assessments(sf, ada.id, w["course"].id),
        S.get_assessment(sf, ada.id, a.id),
    ]
    views = S.list_questions(sf, ada.id, a.id, now=now)
    seen += [views, *(S.get_question(sf, ada.id, v.instance.id, now=now) for v in views)]
    att = S.start_attempt(sf, ada.id, a.id, now=now)
    seen += [att, S.start_attempt(sf, ada.id, a.id, now=now)]
    keys = w["keys"]
    for i, v in enumerate(views):
        key = keys[v.instance.id]
        raw = str(key) if isinstance(key, int | float) else (",".join(key) if isinstance(key, list) else str(key))
        seen.append(S.submit_answer(sf, ada.id, att.id, v.instance.id, raw, f"k{i}", now=now))
        seen.append(S.submit_answer(sf, ada.id, att.id, v.instance.id, raw, f"k{i}", now=now))  # a duplicate
        seen.append(S.submit_answer(sf, ada.id, att.id, v.instance.id, "¿?", f"bad{i}", now=now))  # format error
    seen += [
        S.list_responses(sf, ada.id, a.id, now=now),
        S.list_attempts(sf, ada.id, a.id),
        S.attempt_results(sf, ada.id, att.id, now=now),
        S.finish_attempt(sf, ada.id, att.id, now=now),
        S.list_grades(sf, ada.id, a.id, now=now),
        S.attempt_results(sf, ada.id, att.id, now=now + HOUR),
    ]
    seen += [S.get_response(sf, ada.id, r.id, now=now) for r in S.list_responses(sf, ada.id, a.id, now=now)]
    return [_dump(x) for x in seen]


def _assists_elsewhere(sf: D.SessionFactory, ada: S.UserOut) -> None:
    """Make ada a TA of another instructor's course, with an exam there open and unreleased, whose keys she reads."""
    boss = S.create_user(sf, "boss", "instructor")
    other = S.create_course(sf, boss.id, "CNN202", "More CNNs")
    S.add_ta(sf, boss.id, other.id, "ada")
    quiz = S.create_assessment(
        sf, boss.id, other.id, "Quiz", "exam", BLUEPRINT[:1], opens_at=T0, closes_at=T0 + 24 * HOUR,
        key_release_at=T0 + 48 * HOUR, now=T0,
    )  # fmt: skip
    views = S.list_questions(sf, ada.id, quiz.id, now=T0 + HOUR)
    assert views and all(isinstance(q, S.QuestionView) and q.key is not None for q in views)
    assert isinstance(S.get_assessment(sf, ada.id, quiz.id), S.AssessmentOut)


ADA = ["student", "ta_elsewhere"]
"""Who ada is besides a student of CNN101: nobody else, or a TA of another course."""


@pytest.fixture(params=ADA)
def w(sf: D.SessionFactory, request: pytest.FixtureRequest) -> dict[str, Any]:
    prof = S.create_user(sf, "prof", "instructor")
    ada = S.create_user(sf, "ada", "student")
    course = S.create_course(sf, prof.id, "CNN101", "CNNs")
    S.enrol(sf, prof.id, course.id, ada.id)
    if request.param == "ta_elsewhere":
        _assists_elsewhere(sf, ada)
    exam = S.create_assessment(
        sf,
        prof.id,
        course.id,
        "Midterm",
        "exam",
        BLUEPRINT,
        seed=BASE_SEED,
        opens_at=T0,
        closes_at=T0 + 24 * HOUR,  # closes tomorrow
        key_release_at=T0 + 48 * HOUR,
        time_limit_s=3600,
        now=T0,
    )
    full = S.list_questions(sf, prof.id, exam.id, now=T0)
    assert all(isinstance(q, S.QuestionView) for q in full)
    ids: dict[int, Identity] = {
        q.instance.id: (q.instance.generator, q.instance.version, q.instance.seed, q.instance.difficulty)  # type: ignore[attr-defined]
        for q in full
    }
    return {
        "sf": sf,
        "prof": prof,
        "ada": ada,
        "course": course,
        "exam": exam,
        "ids": ids,
        "keys": {q.instance.id: q.key for q in full},
        "topics": {q.instance.id: q.instance.topic for q in full},
    }


def _numbers(blob: str) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", blob)}


def _brute_force(topics: dict[int, str], candidates: Iterable[int]) -> set[Identity]:
    """Every identity the public generators reach from the visible topics and the candidate seeds."""
    found: set[Identity] = set()
    seeds = sorted(set(candidates))
    for topic in set(topics.values()):
        for spec in generators(topic):
            for d in spec.difficulties:
                for seed in seeds:
                    q = generate(spec.id, seed, d)
                    found.add((q.generator, q.version, q.seed, q.difficulty))
    return found


def test_student_views_carry_no_identity_and_brute_force_finds_no_key(w: dict[str, Any]) -> None:
    seen = _student_sees(w)
    blob = json.dumps(seen)
    # (1) nothing names the identity of a question or the blueprint
    assert not (_keys(seen) & HIDDEN_KEYS), _keys(seen) & HIDDEN_KEYS
    for gen, _version, seed, _d in w["ids"].values():
        assert gen not in blob and str(seed) not in blob
    for item in BLUEPRINT:
        if "generator" in item:
            assert str(item["generator"]) not in blob
    shown = _values(seen, {"key", "explanation"})
    assert shown and all(v is None for v in shown)  # no key, no worked explanation
    # (2) brute force with the public generators: seeds 0..N, every visible number, the base seed
    visible = _numbers(blob)
    reached = _brute_force(w["topics"], [*range(SEARCH), *visible, BASE_SEED])
    stored = set(w["ids"].values())
    assert not (reached & stored)
    # ... and the public derivation from any candidate base seed (even knowing the blueprint) misses every position
    items = [BlueprintItem.model_validate(b) for b in BLUEPRINT]
    for base in [*range(SEARCH), *visible]:
        plan = instantiate(items, base)
        assert not any(
            (g, sd, d) == (gen, seed, diff)
            for (g, sd, d, _p), (gen, _v, seed, diff) in zip(plan, w["ids"].values(), strict=True)
        )


def test_the_search_finds_every_key_of_an_unkeyed_plan(w: dict[str, Any]) -> None:
    """The control: against the public derivation (what the services did before), the same search succeeds."""
    items = [BlueprintItem.model_validate(b) for b in BLUEPRINT]
    plan = instantiate(items, BASE_SEED)  # no secret
    public = {(g, REGISTRY[g].version, sd, d) for g, sd, d, _ in plan}
    topics = {i: REGISTRY[g].topic for i, (g, *_rest) in enumerate(plan)}
    seeds = [derive_seed(BASE_SEED, i) for i in range(len(plan))]  # what the base seed alone gives away
    assert public <= _brute_force(topics, seeds)


def test_the_seed_secret_stays_in_the_database(w: dict[str, Any], tmp_path: Any) -> None:
    sf = w["sf"]
    with D.read_session(sf) as s:
        secret = S.server_secret(s, S.SEED_SECRET)
    assert len(secret) == 32
    blob = json.dumps(_student_sees(w))
    assert secret.hex() not in blob
    # the stored seeds are the keyed derivation of the base seed...
    plan = instantiate([BlueprintItem.model_validate(b) for b in BLUEPRINT], BASE_SEED, secret=secret)
    assert [sd for _g, sd, _d, _p in plan] == [seed for _g, _v, seed, _d in w["ids"].values()]
    # ... so another server (another secret) draws other variants from the same base seed
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    D.upgrade(other)
    engine = D.make_engine(other)
    try:
        sf2 = D.session_factory(engine)
        prof = S.create_user(sf2, "prof", "instructor")
        course = S.create_course(sf2, prof.id, "CNN101", "CNNs")
        a = S.create_assessment(sf2, prof.id, course.id, "Midterm", "exam", BLUEPRINT, seed=BASE_SEED, now=T0)
        seeds2 = [q.instance.seed for q in S.list_questions(sf2, prof.id, a.id, now=T0)]  # type: ignore[attr-defined]
    finally:
        engine.dispose()
    assert set(seeds2).isdisjoint(seed for _g, _v, seed, _d in w["ids"].values())


def test_instructors_and_released_students_see_the_identity(w: dict[str, Any]) -> None:
    sf, ada, prof, a = w["sf"], w["ada"], w["prof"], w["exam"]
    mine = S.get_assessment(sf, prof.id, a.id)
    assert isinstance(mine, S.AssessmentOut) and mine.seed == BASE_SEED and len(mine.blueprint) == 3
    theirs = S.get_assessment(sf, ada.id, a.id)
    assert type(theirs) is S.StudentAssessmentOut and not hasattr(theirs, "seed")
    for read in (S.list_grades, S.list_attempts, S.list_responses):  # nor anyone else's work
        with pytest.raises(S.AccessDenied, match="their own"):
            read(sf, ada.id, a.id, user_id=prof.id)
    after = S.list_questions(sf, ada.id, a.id, now=T0 + 48 * HOUR)
    assert all(isinstance(q, S.QuestionView) and q.key is not None for q in after)
    assert {
        (q.instance.generator, q.instance.version, q.instance.seed, q.instance.difficulty)  # type: ignore[attr-defined]
        for q in after
    } == set(w["ids"].values())


def test_a_personal_question_hides_its_identity_until_release(w: dict[str, Any]) -> None:
    sf, ada, prof = w["sf"], w["ada"], w["prof"]
    course = w["course"]
    later = S.create_assessment(
        sf, prof.id, course.id, "Drill", "self_study", [], opens_at=T0, key_release_at=T0 + 5 * HOUR, now=T0
    )
    ref = S.add_personal_question(sf, ada.id, later.id, "conv_params.count", 2, now=T0)
    assert type(ref) is S.StudentQuestionOut
    assert S.add_personal_question(sf, ada.id, later.id, "conv_params.count", 2, now=T0 + 5 * HOUR).seed >= 0  # type: ignore[attr-defined]


# ------------------------------------------------------------------ per-student variants

PER_STUDENT = {
    "title": "Midterm",
    "seed": BASE_SEED,
    "same_for_everyone": False,
    "shuffle_questions": True,
    "shuffle_options": True,
    "items": BLUEPRINT,
}


@pytest.fixture(params=ADA)
def wp(sf: D.SessionFactory, request: pytest.FixtureRequest) -> dict[str, Any]:
    """An exam where each student has a variant of their own; ada's identities read below the services."""
    prof = S.create_user(sf, "prof", "instructor")
    ada = S.create_user(sf, "ada", "student")
    course = S.create_course(sf, prof.id, "CNN101", "CNNs")
    S.enrol(sf, prof.id, course.id, ada.id)
    if request.param == "ta_elsewhere":
        _assists_elsewhere(sf, ada)
    bp = parse_blueprint(
        {
            **PER_STUDENT,
            "schedule": {"opens": T0, "closes": T0 + 24 * HOUR, "time_limit_min": 60, "key_release": T0 + 48 * HOUR},
        }
    )
    exam = S.publish_blueprint(sf, prof.id, course.id, bp, now=T0)
    with D.read_session(sf) as s:
        insts = s.execute(
            select(D.QuestionInstance).where(
                D.QuestionInstance.assessment_id == exam.id, D.QuestionInstance.owner_id == ada.id
            )
        ).scalars().all()  # fmt: skip
        qs = {i.id: S.instance_question(i) for i in insts}
        ids = {i.id: (i.generator, i.version, i.seed, i.difficulty) for i in insts}
    assert len(ids) == sum(int(b.get("count", 1)) for b in BLUEPRINT)
    return {
        "sf": sf,
        "prof": prof,
        "ada": ada,
        "course": course,
        "exam": exam,
        "ids": ids,
        "keys": {i: q.key for i, q in qs.items()},
        "topics": {i: q.topic for i, q in qs.items()},
    }


def test_per_student_views_carry_no_identity_and_brute_force_finds_no_key(wp: dict[str, Any]) -> None:
    seen = _student_sees(wp)
    blob = json.dumps(seen)
    assert not (_keys(seen) & HIDDEN_KEYS), _keys(seen) & HIDDEN_KEYS
    assert "same_for_everyone" not in blob and "shuffle" not in blob
    for gen, _version, seed, _d in wp["ids"].values():
        assert gen not in blob and str(seed) not in blob
    shown = _values(seen, {"key", "explanation"})
    assert shown and all(v is None for v in shown)
    visible = _numbers(blob)
    stored = set(wp["ids"].values())
    assert not (_brute_force(wp["topics"], [*range(SEARCH), *visible, BASE_SEED]) & stored)
    # the public per-student derivation from any candidate base seed, knowing the blueprint and the username
    for base in [*range(SEARCH), *visible]:
        bp = parse_blueprint({**PER_STUDENT, "seed": base})
        public = {(q.generator, q.version, q.seed, q.difficulty) for q in _questions(build_student_exam(bp, "ada"))}
        assert not (public & stored)


def test_the_search_finds_every_key_of_an_unkeyed_student_variant() -> None:
    """The control: the same student's variant drawn without the secret is found from the base seed and username."""
    se = build_student_exam(parse_blueprint(PER_STUDENT), "ada")
    public = {(q.generator, q.version, q.seed, q.difficulty) for q in _questions(se)}
    topics = {i: q.topic for i, q in enumerate(_questions(se))}
    seeds = [derive_seed(student_seed(BASE_SEED, "ada"), i) for i in range(len(public))]
    assert public <= _brute_force(topics, seeds)


def test_per_student_identities_show_after_the_release(wp: dict[str, Any]) -> None:
    sf, ada = wp["sf"], wp["ada"]
    after = S.list_questions(sf, ada.id, wp["exam"].id, now=T0 + 48 * HOUR)
    assert all(isinstance(q, S.QuestionView) and q.key is not None for q in after)
    assert {
        (q.instance.generator, q.instance.version, q.instance.seed, q.instance.difficulty)  # type: ignore[attr-defined]
        for q in after
    } == set(wp["ids"].values())


def _questions(se: Any) -> list[Any]:
    return [eq.question for eq in se.questions]
