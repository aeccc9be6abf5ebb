"""Grading by hand and again (grader.services.grading): manual overrides with a required reason and their audit
trail, the gradebook and its CSV reading the overridden score, and the regrade after a key fix, dry run and applied;
a teaching assistant grading as the instructor does, but refused every change to an exam or the roster; on SQLite
and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select, update

import quizbank.regenerate as regen
from grader import db as D
from grader import services as S
from grader.export import export_gradebook, export_responses, gradebook_table, to_csv
from quizbank.exam import BlueprintFile
from quizbank.schema import NumericQuestion
from tools.seed_course import right_text, trap_text

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
BLUEPRINT = [
    {"generator": "conv_params.count", "count": 2, "difficulty": 2, "points": 2},
    {"generator": "conv_params.resolution", "count": 1, "difficulty": 1},
]


@dataclass
class World:
    sf: D.SessionFactory
    prof: S.UserOut
    other_prof: S.UserOut
    ada: S.UserOut
    bob: S.UserOut
    cyd: S.UserOut
    a: S.AssessmentOut
    questions: list[S.QuestionView]
    trap_value: str
    """The trap value bob typed for question 1."""


def _q(sf: D.SessionFactory, instance_id: int) -> Any:
    with D.read_session(sf) as s:
        inst = s.get(D.QuestionInstance, instance_id)
        return S.regenerate(inst)


@pytest.fixture
def w(sf: D.SessionFactory) -> World:
    import random

    prof = S.create_user(sf, "prof", "instructor")
    other = S.create_user(sf, "other", "instructor")
    S.create_course(sf, other.id, "CNN999", "Another course")
    course = S.create_course(sf, prof.id, "CNN101", "Convolutional networks")
    users = []
    for name in ("ada", "bob", "cyd"):
        u = S.create_user(sf, name, "student", display_name=name.title())
        S.enrol(sf, prof.id, course.id, u.id)
        users.append(u)
    ada, bob, cyd = users
    a = S.create_assessment(
        sf, prof.id, course.id, "HW1", "homework", BLUEPRINT, seed=3, opens_at=T0, closes_at=T0 + dt.timedelta(days=7)
    )
    qs: list[S.QuestionView] = S.list_questions(sf, prof.id, a.id, now=T0)  # type: ignore[assignment]
    q1 = _q(sf, qs[0].instance.id)
    assert isinstance(q1, NumericQuestion) and q1.traps
    trap = trap_text(q1, random.Random(0))
    assert trap is not None
    t = T0 + dt.timedelta(hours=1)
    plan = {
        ada.id: [[right_text(_q(sf, q.instance.id))] for q in qs],
        bob.id: [[trap]] + [[right_text(_q(sf, q.instance.id))] for q in qs[1:]],
        cyd.id: [["1"], [right_text(q1)]] + [[right_text(_q(sf, q.instance.id))] for q in qs[1:]],
    }
    for u in users:
        att = S.start_attempt(sf, u.id, a.id, now=t)
        answers = plan[u.id]
        if u is cyd:  # two tries at question 1
            answers = [answers[0] + answers[1], *answers[2:]]
        for q, tries in zip(qs, answers, strict=True):
            for k, raw in enumerate(tries):
                r = S.submit_answer(sf, u.id, att.id, q.instance.id, raw, f"{q.instance.id}-{k}", now=t)
                assert r.status == "recorded"
        S.finish_attempt(sf, u.id, att.id, now=t + dt.timedelta(minutes=30))
    return World(sf, prof, other, ada, bob, cyd, a, qs, trap)


def _response(w: World, user: S.UserOut, position: int, try_number: int | None = None) -> S.ResponseOut:
    rs = [
        r
        for r in S.list_responses(w.sf, w.prof.id, w.a.id, user_id=user.id)
        if r.question_instance_id == w.questions[position - 1].instance.id
    ]
    return rs[-1] if try_number is None else next(r for r in rs if r.try_number == try_number)


def _row(rows: list[list[str]], username: str) -> dict[str, str]:
    return dict(zip(rows[0], next(r for r in rows if r[1] == username), strict=True))


def _grade(w: World, user: S.UserOut) -> float:
    (g,) = S.list_grades(w.sf, w.prof.id, w.a.id, user_id=user.id)
    assert g.score is not None
    return g.score


def _changes(sf: D.SessionFactory) -> int:
    with D.read_session(sf) as s:
        return s.execute(select(func.count()).select_from(D.ScoreChange)).scalar_one()


# ------------------------------------------------------------------ overrides


def test_an_override_changes_the_gradebook_the_csv_and_the_grade_and_is_audited(w: World) -> None:
    r = _response(w, w.bob, 1)
    assert r.score == 0 and r.max_score == 2 and r.trap is not None
    before = _row(gradebook_table(w.sf, w.prof.id, w.a.id), "bob")
    assert before["q1"] == "0" and _grade(w, w.bob) == float(before["score"])
    at = T0 + dt.timedelta(days=2)
    ch = S.override_score(w.sf, w.prof.id, r.id, 1.5, "  method right,\n arithmetic slip  ", now=at)
    assert (ch.kind, ch.old_score, ch.new_score, ch.actor, ch.username, ch.position) == (
        "override", 0, 1.5, "prof", "bob", 1,
    )  # fmt: skip
    assert ch.reason == "method right, arithmetic slip" and ch.created_at == at
    rows = gradebook_table(w.sf, w.prof.id, w.a.id)
    after = _row(rows, "bob")
    assert after["q1"] == "1.5" and float(after["score"]) == float(before["score"]) + 1.5
    assert export_gradebook(w.sf, w.prof.id, w.a.id) == to_csv(rows)
    assert _grade(w, w.bob) == float(after["score"])
    (trail,) = S.list_score_changes(w.sf, w.prof.id, w.a.id)
    assert trail == ch
    assert S.list_overridden(w.sf, w.prof.id, w.a.id) == {r.id}
    mine = _response(w, w.bob, 1)
    assert mine.score == 1.5 and not mine.correct and mine.trap == r.trap  # the answer still fell into the trap
    full = S.override_score(w.sf, w.prof.id, r.id, 2, "full marks after all", now=at)
    assert full.old_score == 1.5 and _response(w, w.bob, 1).correct
    assert [c.new_score for c in S.list_score_changes(w.sf, w.prof.id, w.a.id)] == [1.5, 2]


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_an_override_without_a_reason_is_refused_and_writes_nothing(w: World, reason: str) -> None:
    r = _response(w, w.bob, 1)
    with pytest.raises(ValueError, match="reason"):
        S.override_score(w.sf, w.prof.id, r.id, 2, reason)
    assert _changes(w.sf) == 0 and _response(w, w.bob, 1).score == 0


def test_an_override_is_refused_to_non_graders_out_of_range_and_on_an_earlier_try(w: World) -> None:
    r = _response(w, w.bob, 1)
    for who in (w.bob, w.ada, w.other_prof):
        with pytest.raises(S.AccessDenied):
            S.override_score(w.sf, who.id, r.id, 2, "I deserve it")
        with pytest.raises(S.AccessDenied):
            S.list_score_changes(w.sf, who.id, w.a.id)
        with pytest.raises(S.AccessDenied):
            S.regrade_assessment(w.sf, who.id, w.a.id)
        with pytest.raises(S.AccessDenied):
            gradebook_table(w.sf, who.id, w.a.id)
    for bad in (-0.5, 2.5, float("nan")):
        with pytest.raises(ValueError, match="between 0 and 2"):
            S.override_score(w.sf, w.prof.id, r.id, bad, "typo")
    first = _response(w, w.cyd, 1, try_number=1)
    with pytest.raises(S.Conflict, match="last try"):
        S.override_score(w.sf, w.prof.id, first.id, 2, "the first try was fine")
    with pytest.raises(ValueError, match="at most"):
        S.override_score(w.sf, w.prof.id, r.id, 2, "x" * (S.MAX_REASON + 1))
    with pytest.raises(S.NotFound):
        S.override_score(w.sf, w.prof.id, 10**9, 2, "no such response")
    assert _changes(w.sf) == 0


def test_the_gradebook_of_an_exam_with_a_variant_for_each_student(sf: D.SessionFactory) -> None:
    """Each student's own questions fill the columns of their positions, and the maximum counts them: a student
    enrolled after publishing (no variant yet) has the same maximum, not 0."""
    from quizbank.exam import BlueprintFile, BlueprintItem

    prof = S.create_user(sf, "prof", "instructor")
    course = S.create_course(sf, prof.id, "CNN102", "Modern CNNs")
    ada, bob = (S.create_user(sf, n, "student") for n in ("ada", "bob"))
    for u in (ada, bob):
        S.enrol(sf, prof.id, course.id, u.id)
    bp = BlueprintFile(
        title="Midterm",
        same_for_everyone=False,
        shuffle_questions=True,
        items=[
            BlueprintItem(generator="conv_params.count", count=2, difficulty=2, points=2),
            BlueprintItem(generator="receptive_field.stack", count=1, points=1),
        ],
    )
    a = S.publish_blueprint(sf, prof.id, course.id, bp, now=T0)
    cyd = S.create_user(sf, "cyd", "student")
    S.enrol(sf, prof.id, course.id, cyd.id)
    t = T0 + dt.timedelta(minutes=5)
    att = S.start_attempt(sf, ada.id, a.id, now=t)
    items = S.attempt_results(sf, ada.id, att.id, now=t).items
    for i, item in enumerate(items):  # all right but the last
        q = _q(sf, item.question.instance.id)
        raw = right_text(q) if i < len(items) - 1 else "1"
        S.submit_answer(sf, ada.id, att.id, item.question.instance.id, raw, f"k{i}", now=t)
    S.finish_attempt(sf, ada.id, att.id, now=t)
    rows = gradebook_table(sf, prof.id, a.id)
    assert rows[0][-3:] == ["q1", "q2", "q3"]
    mine = {item.question.instance.position: item.question.instance.points for item in items}
    row = _row(rows, "ada")
    assert [row[f"q{p}"] for p in (1, 2, 3)] == [f"{mine[1]:g}", f"{mine[2]:g}", "0"]
    assert (row["score"], row["max_score"]) == (f"{mine[1] + mine[2]:g}", "5")
    assert float(row["percent"]) == pytest.approx(100 * (mine[1] + mine[2]) / 5, abs=0.05)
    (grade,) = S.list_grades(sf, prof.id, a.id, user_id=ada.id)
    assert (grade.score, grade.max_score) == (mine[1] + mine[2], 5)
    for name in ("bob", "cyd"):  # bob has his variant, cyd (enrolled later) not yet: the same 5 points
        assert (_row(rows, name)["max_score"], _row(rows, name)["q1"]) == ("5", "")


# ------------------------------------------------------------------ regrades


def _fix_key(monkeypatch: pytest.MonkeyPatch, inst: S.QuestionInstanceOut, new_key: float) -> None:
    """The generator's output for one instance with a corrected key (same version, same params)."""
    real = regen._build

    def fixed(generator: str, seed: int, difficulty: int) -> Any:
        q, params = real(generator, seed, difficulty)
        if (generator, seed, difficulty) == (inst.generator, inst.seed, inst.difficulty):
            q = q.model_copy(update={"key": new_key})
        return q, params

    monkeypatch.setattr(regen, "_build", fixed)


def test_nothing_changes_when_the_key_has_not(w: World) -> None:
    out = S.regrade_assessment(w.sf, w.prof.id, w.a.id)
    assert out.responses == 10 and out.changes == [] and out.problems == [] and not out.applied
    applied = S.regrade_assessment(w.sf, w.prof.id, w.a.id, apply=True)
    assert applied.applied and applied.changes == [] and _changes(w.sf) == 0


def test_a_key_fix_is_listed_by_the_dry_run_and_recorded_when_applied(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    inst = w.questions[0].instance
    old_key = float(_q(w.sf, inst.id).key)
    grades = {u.username: _grade(w, u) for u in (w.ada, w.bob, w.cyd)}
    _fix_key(monkeypatch, inst, float(w.trap_value))  # the "trap" was the right answer all along
    dry = S.regrade_assessment(w.sf, w.prof.id, w.a.id)
    moves = {(c.username, c.position, c.try_number): (c.old_score, c.new_score) for c in dry.changes}
    # ada and cyd (second try) typed the old key, bob the value that is now the key; cyd's first try stays wrong
    assert moves == {("ada", 1, 1): (2, 0), ("bob", 1, 1): (0, 2), ("cyd", 1, 2): (2, 0)}
    assert all(c.applies and not c.overridden for c in dry.changes)
    assert next(c for c in dry.changes if c.username == "bob").new_trap is None
    assert _changes(w.sf) == 0 and _response(w, w.bob, 1).score == 0  # a dry run writes nothing
    at = T0 + dt.timedelta(days=3)
    done = S.regrade_assessment(w.sf, w.prof.id, w.a.id, apply=True, reason="key of Q1 fixed", now=at)
    assert done.applied and done.applied_by == w.prof.id and done.applied_at == at
    assert {(c.username, c.position) for c in done.changes} == {("ada", 1), ("bob", 1), ("cyd", 1)}
    trail = S.list_score_changes(w.sf, w.prof.id, w.a.id)
    assert {(c.username, c.kind, c.old_score, c.new_score, c.actor, c.reason, c.created_at) for c in trail} == {
        ("ada", "regrade", 2, 0, "prof", "key of Q1 fixed", at),
        ("bob", "regrade", 0, 2, "prof", "key of Q1 fixed", at),
        ("cyd", "regrade", 2, 0, "prof", "key of Q1 fixed", at),
    }
    assert _response(w, w.bob, 1).correct and _response(w, w.bob, 1).trap is None
    assert _grade(w, w.ada) == grades["ada"] - 2 and _grade(w, w.bob) == grades["bob"] + 2
    assert _grade(w, w.cyd) == grades["cyd"] - 2
    rows = gradebook_table(w.sf, w.prof.id, w.a.id)
    assert _row(rows, "bob")["q1"] == "2" and _row(rows, "ada")["q1"] == "0"
    again = S.regrade_assessment(w.sf, w.prof.id, w.a.id, apply=True)
    assert again.changes == [] and len(S.list_score_changes(w.sf, w.prof.id, w.a.id)) == 3
    assert old_key != float(w.trap_value)


def test_a_regrade_leaves_overridden_responses_alone_unless_asked(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    ada = _response(w, w.ada, 1)
    S.override_score(w.sf, w.prof.id, ada.id, 1.5, "shown working only in part")
    _fix_key(monkeypatch, w.questions[0].instance, float(w.trap_value))
    dry = S.regrade_assessment(w.sf, w.prof.id, w.a.id)
    (mine,) = [c for c in dry.changes if c.username == "ada"]
    assert mine.overridden and not mine.applies and (mine.old_score, mine.new_score) == (1.5, 0)
    S.regrade_assessment(w.sf, w.prof.id, w.a.id, apply=True)
    assert _response(w, w.ada, 1).score == 1.5 and _response(w, w.bob, 1).score == 2
    assert S.list_overridden(w.sf, w.prof.id, w.a.id) == {ada.id}
    forced = S.regrade_assessment(w.sf, w.prof.id, w.a.id, apply=True, include_overridden=True)
    assert [(c.username, c.old_score, c.new_score) for c in forced.changes] == [("ada", 1.5, 0)]
    assert _response(w, w.ada, 1).score == 0 and S.list_overridden(w.sf, w.prof.id, w.a.id) == set()


def test_a_stored_score_that_disagrees_with_the_key_is_listed_and_fixed(w: World) -> None:
    ada = _response(w, w.ada, 3)  # the multiple choice, answered right
    with D.write_session(w.sf) as s:  # as if it had been scored against a wrong key
        s.execute(update(D.Response).where(D.Response.id == ada.id).values(score=0.0, correct=False, trap="x"))
    dry = S.regrade_assessment(w.sf, w.prof.id, w.a.id)
    assert [(c.response_id, c.old_score, c.new_score, c.old_trap, c.new_trap) for c in dry.changes] == [
        (ada.id, 0, 1, "x", None)
    ]
    S.regrade_assessment(w.sf, w.prof.id, w.a.id, apply=True)
    assert _response(w, w.ada, 3).score == 1 and _response(w, w.ada, 3).correct


def test_a_question_that_no_longer_regenerates_is_a_problem_not_a_crash(w: World) -> None:
    inst = w.questions[1].instance
    with D.write_session(w.sf) as s:
        row = s.get(D.QuestionInstance, inst.id)
        row.params = {**row.params, "tampered": 1}
    out = S.regrade_assessment(w.sf, w.prof.id, w.a.id)
    assert [(p.position, p.response_id) for p in out.problems] == [(2, None)]
    assert "regenerates different params" in out.problems[0].message
    assert out.responses == 7 and out.changes == []


# ------------------------------------------------------------------ a teaching assistant


def _ta(w: World) -> S.UserOut:
    """tess: a student account that assists in CNN101 (the course of ``w.a``) and takes CNN999 as a student."""
    tess = S.create_user(w.sf, "tess", "student", display_name="Tess")
    S.add_ta(w.sf, w.prof.id, w.a.course_id, "tess")
    (other,) = S.list_my_courses(w.sf, w.other_prof.id)
    S.enrol(w.sf, w.other_prof.id, other.course.id, tess.id)
    return tess


def test_a_ta_reads_keys_attempts_grades_the_gradebook_and_analytics_as_the_instructor(w: World) -> None:
    tess = _ta(w)
    now = T0 + dt.timedelta(hours=2)  # the homework is open; its key is released at the close, a week on
    assert all(q.key is None for q in S.list_questions(w.sf, w.ada.id, w.a.id, now=now))  # a student's view
    mine = S.list_questions(w.sf, tess.id, w.a.id, now=now)
    assert mine == S.list_questions(w.sf, w.prof.id, w.a.id, now=now)
    assert all(isinstance(q, S.QuestionView) and q.key is not None for q in mine)
    assert S.get_question(w.sf, tess.id, mine[0].instance.id, now=now).key == mine[0].key
    seen = S.get_assessment(w.sf, tess.id, w.a.id)
    assert isinstance(seen, S.AssessmentOut) and seen.seed == 3 and len(seen.blueprint) == len(BLUEPRINT)
    assert S.list_assessments(w.sf, tess.id, w.a.course_id) == S.list_assessments(w.sf, w.prof.id, w.a.course_id)
    # everyone's attempts, responses and grades
    students = {w.ada.id, w.bob.id, w.cyd.id}
    for read in (S.list_responses, S.list_attempts, S.list_grades):
        got = read(w.sf, tess.id, w.a.id)
        assert got == read(w.sf, w.prof.id, w.a.id) and {x.user_id for x in got} == students
    bob = _response(w, w.bob, 1)
    assert S.get_response(w.sf, tess.id, bob.id) == bob and bob.trap is not None
    (att,) = S.list_attempts(w.sf, tess.id, w.a.id, user_id=w.bob.id)
    res = S.attempt_results(w.sf, tess.id, att.id, now=now)
    assert res == S.attempt_results(w.sf, w.prof.id, att.id, now=now)
    assert res.items[0].trap_title is not None and all(i.question.key is not None for i in res.items)
    with pytest.raises(S.AccessDenied):  # which a student of the course may not read
        S.attempt_results(w.sf, w.ada.id, att.id, now=now)
    # the gradebook and both CSVs
    rows = gradebook_table(w.sf, tess.id, w.a.id)
    assert rows == gradebook_table(w.sf, w.prof.id, w.a.id) and len(rows) == 1 + len(students)  # tess is no row
    assert export_responses(w.sf, tess.id, w.a.id) == export_responses(w.sf, w.prof.id, w.a.id)
    # analytics
    records = S.assessment_records(w.sf, tess.id, w.a.id)
    assert records == S.assessment_records(w.sf, w.prof.id, w.a.id) and {r.student for r in records} == students
    assert S.assessment_factor_records(w.sf, tess.id, w.a.id, final_only=True) == S.assessment_factor_records(
        w.sf, w.prof.id, w.a.id, final_only=True
    )
    assert S.course_records(w.sf, tess.id, w.a.course_id) == S.course_records(w.sf, w.prof.id, w.a.course_id)
    # a student of the course reads none of it
    for read in (S.assessment_records, gradebook_table, export_responses):
        with pytest.raises(S.AccessDenied):
            read(w.sf, w.ada.id, w.a.id)


def test_a_ta_overrides_a_score_audited_under_their_name_and_runs_a_regrade_dry_run(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    tess = _ta(w)
    r = _response(w, w.bob, 1)
    at = T0 + dt.timedelta(days=2)
    ch = S.override_score(w.sf, tess.id, r.id, 1.5, "method right, arithmetic slip", now=at)
    assert (ch.kind, ch.old_score, ch.new_score, ch.username, ch.reason) == (
        "override", 0, 1.5, "bob", "method right, arithmetic slip",
    )  # fmt: skip
    assert (ch.actor_id, ch.actor) == (tess.id, "tess")
    (trail,) = S.list_score_changes(w.sf, w.prof.id, w.a.id)  # the instructor reads the TA's change
    assert trail == ch and S.list_overridden(w.sf, tess.id, w.a.id) == {r.id}
    with D.read_session(w.sf) as s:
        row = s.execute(select(D.ScoreChange)).scalar_one()
        assert (row.actor_id, row.kind, row.new_score) == (tess.id, "override", 1.5)
    with pytest.raises(ValueError, match="reason"):
        S.override_score(w.sf, tess.id, r.id, 2, "  ")
    _fix_key(monkeypatch, w.questions[0].instance, float(w.trap_value))
    dry = S.regrade_assessment(w.sf, tess.id, w.a.id)
    assert not dry.applied and dry == S.regrade_assessment(w.sf, w.prof.id, w.a.id)
    moves = {(c.username, c.try_number): (c.old_score, c.new_score, c.applies) for c in dry.changes}
    assert moves == {("ada", 1): (2, 0, True), ("bob", 1): (1.5, 2, False), ("cyd", 2): (2, 0, True)}
    assert _changes(w.sf) == 1 and _response(w, w.ada, 1).score == 2  # the dry run wrote nothing


def test_a_ta_is_refused_every_change_to_an_exam_or_the_roster(w: World) -> None:
    tess = _ta(w)
    cid = w.a.course_id
    bp = BlueprintFile(title="Quiz", kind="homework", seed=5, items=BLUEPRINT)  # type: ignore[arg-type]
    before = S.list_assessments(w.sf, w.prof.id, cid)
    refused = {
        "publish_blueprint": lambda: S.publish_blueprint(w.sf, tess.id, cid, bp),
        "create_assessment": lambda: S.create_assessment(w.sf, tess.id, cid, "Mine", "exam", BLUEPRINT),
        "update_assessment_times": lambda: S.update_assessment_times(w.sf, tess.id, w.a.id, key_release_at=T0),
        "preview_student_exam": lambda: S.preview_student_exam(w.sf, tess.id, cid, bp, "ada"),
        "assessment_exam": lambda: S.assessment_exam(w.sf, tess.id, w.a.id),
        "import_roster": lambda: S.import_roster(w.sf, tess.id, cid, b"username,name,email\nzed,,\n"),
        "add_ta": lambda: S.add_ta(w.sf, tess.id, cid, "ada"),
        "remove_member": lambda: S.remove_member(w.sf, tess.id, cid, w.ada.id),
    }
    for name, call in refused.items():
        with pytest.raises(S.AccessDenied, match="teaching assistant"):
            call()
            pytest.fail(f"{name} let a TA through")
    assert S.list_assessments(w.sf, w.prof.id, cid) == before  # nothing published, no time moved
    assert S.user_ids_by_username(w.sf, ["zed"]) == {}
    assert {m.username: m.role for m in S.list_roster(w.sf, w.prof.id, cid)} == {
        "prof": "instructor", "tess": "ta", "ada": "student", "bob": "student", "cyd": "student",
    }  # fmt: skip
