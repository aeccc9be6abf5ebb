"""Per-student exam variants in the grader: publishing a blueprint with one variant per student stores each student's
own questions, exactly the ones :func:`quizbank.exam.build_student_exam` draws for them under the server secret; a
student enrolled later gets theirs on first open; students take (and are graded on) exactly those; the CLI builds
and exports them (one file per student in JSON and PDF, a category or an assessment per student in Moodle and QTI).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from grader import db as D
from grader import services as S
from quizbank.exam import blueprint_toml, build_student_exam, parse_blueprint
from quizbank.generators import generate
from quizbank.schema import MultipleChoiceQuestion, MultiSelectQuestion, QuestionListAdapter

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
BP = {
    "title": "Midterm",
    "seed": 7,
    "same_for_everyone": False,
    "shuffle_questions": True,
    "shuffle_options": True,
    "items": [
        {"topic": "milestones", "count": 3, "difficulty": 1, "points": 2},
        {"topic": "pooling", "count": 2, "difficulty": 2},
        {"generator": "conv_params.count", "count": 1, "difficulty": 1, "points": 3},
    ],
    "schedule": {
        "opens": "2026-03-02T09:00:00Z",
        "closes": "2026-03-03T09:00:00Z",
        "time_limit_min": 60,
        "attempts": 1,
        "key_release": "2026-03-04T09:00:00Z",
    },
}
N_QUESTIONS, POINTS = 6, 3 * 2 + 2 * 1 + 3


def _identity(q: Any) -> tuple[Any, ...]:
    """Everything that fixes a question as a student sees it: its identity, params and option order."""
    order = [o.id for o in q.options] if isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion) else None
    return (q.generator, q.version, q.seed, q.difficulty, json.dumps(q.params, sort_keys=True), order)


def _stored(sf: D.SessionFactory, aid: int, user_id: int) -> list[tuple[int, float, tuple[Any, ...]]]:
    """A student's stored instances of an assessment: position, points and identity of each, in order."""
    with D.read_session(sf) as s:
        insts = s.execute(
            select(D.QuestionInstance)
            .where(D.QuestionInstance.assessment_id == aid, D.QuestionInstance.owner_id == user_id)
            .order_by(D.QuestionInstance.position)
        ).scalars()
        return [(i.position, i.points, _identity(S.instance_question(i))) for i in insts]


def _engine_says(sf: D.SessionFactory, username: str, bp: Any = None) -> list[tuple[int, float, tuple[Any, ...]]]:
    """What the one engine draws for ``username`` under this database's secret."""
    with D.read_session(sf) as s:
        secret = S.server_secret(s, S.SEED_SECRET)
    se = build_student_exam(bp or parse_blueprint(BP), username, secret=secret)
    return [(eq.number, eq.points, _identity(eq.question)) for eq in se.questions]


@pytest.fixture
def w(sf: D.SessionFactory) -> dict[str, Any]:
    prof = S.create_user(sf, "prof", "instructor")
    ada = S.create_user(sf, "ada", "student")
    bo = S.create_user(sf, "bo", "student")
    course = S.create_course(sf, prof.id, "CNN101", "CNNs")
    S.enrol(sf, prof.id, course.id, ada.id)
    S.enrol(sf, prof.id, course.id, bo.id)
    exam = S.publish_blueprint(sf, prof.id, course.id, parse_blueprint(BP), now=T0)
    return {"sf": sf, "prof": prof, "ada": ada, "bo": bo, "course": course, "exam": exam}


def test_publishing_stores_each_students_own_variant_bit_for_bit(w: dict[str, Any]) -> None:
    sf, a = w["sf"], w["exam"]
    assert isinstance(a, S.AssessmentOut) and not a.same_for_everyone and a.shuffle_options
    assert (a.questions, a.max_score) == (N_QUESTIONS, POINTS)
    ada, bo = _stored(sf, a.id, w["ada"].id), _stored(sf, a.id, w["bo"].id)
    assert [p for p, _, _ in ada] == list(range(1, N_QUESTIONS + 1))
    assert ada == _engine_says(sf, "ada") and bo == _engine_says(sf, "bo")
    assert {i[:4] for _, _, i in ada} != {i[:4] for _, _, i in bo}  # their own questions, not a reordering
    assert sorted(p for _, p, _ in ada) == [1, 1, 2, 2, 2, 3]
    # the instructor has none and nothing is shared
    with D.read_session(sf) as s:
        owners = s.execute(select(D.QuestionInstance.owner_id).where(D.QuestionInstance.assessment_id == a.id))
        assert set(owners.scalars()) == {w["ada"].id, w["bo"].id}
    # publishing the same blueprint again on this server draws the same variants
    again = S.publish_blueprint(sf, w["prof"].id, w["course"].id, parse_blueprint(BP), now=T0)
    assert _stored(sf, again.id, w["ada"].id) == ada
    # the student's view counts the variant's questions and points
    theirs = S.get_assessment(sf, w["ada"].id, a.id)
    assert type(theirs) is S.StudentAssessmentOut and (theirs.questions, theirs.max_score) == (N_QUESTIONS, POINTS)
    listed = S.list_assessments(sf, w["ada"].id, w["course"].id)
    assert [(x.questions, x.max_score) for x in listed] == [(N_QUESTIONS, POINTS)] * 2


def _stored_texts(sf: D.SessionFactory, aid: int, user_id: int) -> list[tuple[int, list[str] | None]]:
    """A student's stored instances: position and option texts in the stored order (``None``: no options)."""
    with D.read_session(sf) as s:
        insts = s.execute(
            select(D.QuestionInstance)
            .where(D.QuestionInstance.assessment_id == aid, D.QuestionInstance.owner_id == user_id)
            .order_by(D.QuestionInstance.position)
        ).scalars()
        return [(i.position, _texts(S.instance_question(i))) for i in insts]


def _texts(q: Any) -> list[str] | None:
    return None if getattr(q, "options", None) is None else [o.text for o in q.options]


def test_options_are_shown_in_the_stored_order(w: dict[str, Any]) -> None:
    sf, a, ada = w["sf"], w["exam"], w["ada"]
    views = S.list_questions(sf, ada.id, a.id, now=T0 + HOUR)
    stored = _stored(sf, a.id, ada.id)
    texts = _stored_texts(sf, a.id, ada.id)
    moved = False
    for v, (_, _, ident), (_, shown) in zip(views, stored, texts, strict=True):
        if v.options is not None:
            # the stored order, labelled (a), (b), (c)… as shown
            assert [o.text for o in v.options] == shown
            assert [o.id for o in v.options] == sorted(ident[5])
            with D.read_session(sf) as s:
                inst = s.get_one(D.QuestionInstance, v.instance.id)
                fresh = generate(inst.generator, inst.seed, inst.difficulty)
            moved |= [o.id for o in fresh.options] != ident[5]  # type: ignore[union-attr]
    assert moved


def test_a_student_enrolled_later_gets_theirs_on_first_open(w: dict[str, Any]) -> None:
    sf, a, prof = w["sf"], w["exam"], w["prof"]
    cy = S.create_user(sf, "cy", "student")
    S.enrol(sf, prof.id, w["course"].id, cy.id)
    assert _stored(sf, a.id, cy.id) == []
    att = S.start_attempt(sf, cy.id, a.id, now=T0 + HOUR)
    mine = _stored(sf, a.id, cy.id)
    assert mine == _engine_says(sf, "cy")
    S.start_attempt(sf, cy.id, a.id, now=T0 + HOUR)  # resumed: nothing stored twice
    S.list_questions(sf, cy.id, a.id, now=T0 + HOUR)
    assert _stored(sf, a.id, cy.id) == mine
    # cy sees and answers only their own questions; ada's are not theirs to open
    views = S.list_questions(sf, cy.id, a.id, now=T0 + HOUR)
    assert len(views) == N_QUESTIONS and {v.instance.owner_id for v in views} == {cy.id}
    with D.read_session(sf) as s:
        ada_q = (
            s.execute(
                select(D.QuestionInstance.id).where(
                    D.QuestionInstance.assessment_id == a.id, D.QuestionInstance.owner_id == w["ada"].id
                )
            )
            .scalars()
            .first()
        )
    with pytest.raises(S.NotFound):
        S.get_question(sf, cy.id, ada_q, now=T0 + HOUR)
    with pytest.raises(S.NotFound):
        S.submit_answer(sf, cy.id, att.id, ada_q, "1", "x", now=T0 + HOUR)
    # before opening time nobody's variant is stored by a look
    dan = S.create_user(sf, "dan", "student")
    S.enrol(sf, prof.id, w["course"].id, dan.id)
    assert S.list_questions(sf, dan.id, a.id, now=T0 - HOUR) == []
    with pytest.raises(S.NotOpen):
        S.start_attempt(sf, dan.id, a.id, now=T0 - HOUR)
    assert _stored(sf, a.id, dan.id) == []


def test_a_student_takes_exactly_their_variant_and_is_graded_on_it(w: dict[str, Any]) -> None:
    sf, a, ada, prof = w["sf"], w["exam"], w["ada"], w["prof"]
    att = S.start_attempt(sf, ada.id, a.id, now=T0 + HOUR)
    keys = {q.question.instance.id: q for q in S.attempt_results(sf, prof.id, att.id, now=T0 + HOUR).items}
    for i, (iid, item) in enumerate(keys.items()):
        key = item.question.key
        raw = ",".join(key) if isinstance(key, list) else str(key)
        S.submit_answer(sf, ada.id, att.id, iid, raw, f"k{i}", now=T0 + HOUR)
    g = S.finish_attempt(sf, ada.id, att.id, now=T0 + 2 * HOUR)
    assert g.max_score == POINTS
    after = S.attempt_results(sf, ada.id, att.id, now=T0 + 48 * HOUR)
    assert after.grade is not None and after.grade.score == POINTS
    assert [(it.question.instance.position, _texts(it.question)) for it in after.items] == _stored_texts(
        sf, a.id, ada.id
    )


def test_only_instructors_of_the_course_publish_and_export(w: dict[str, Any]) -> None:
    sf, ada = w["sf"], w["ada"]
    with pytest.raises(S.AccessDenied):
        S.publish_blueprint(sf, ada.id, w["course"].id, parse_blueprint(BP), now=T0)
    with pytest.raises(S.AccessDenied):
        S.assessment_exam(sf, ada.id, w["exam"].id)
    other = S.create_user(sf, "other", "instructor")
    with pytest.raises(S.AccessDenied):
        S.assessment_exam(sf, other.id, w["exam"].id)
    with D.read_session(sf) as s:
        n = s.execute(select(func.count()).select_from(D.Assessment)).scalar_one()
    assert n == 1


def test_the_export_is_what_each_student_takes(w: dict[str, Any]) -> None:
    sf, a, prof = w["sf"], w["exam"], w["prof"]
    cy = S.create_user(sf, "cy", "student")
    S.enrol(sf, prof.id, w["course"].id, cy.id)  # not opened yet: exported as the first open will store it
    exam = S.assessment_exam(sf, prof.id, a.id)
    assert [se.student for se in exam.students] == ["ada", "bo", "cy"]
    got = {se.student: [(eq.number, eq.points, _identity(eq.question)) for eq in se.questions] for se in exam.students}
    assert got["ada"] == _stored(sf, a.id, w["ada"].id)
    S.start_attempt(sf, cy.id, a.id, now=T0 + HOUR)
    assert got["cy"] == _stored(sf, a.id, cy.id)
    assert exam.blueprint == parse_blueprint(BP)


# ------------------------------------------------------------------ blueprint files written back


def test_blueprint_toml_reads_back_equal() -> None:
    bp = parse_blueprint({**BP, "title": 'Mid "term" — ünïcode', "kind": "homework"})
    text = blueprint_toml(bp)
    assert parse_blueprint(tomllib.loads(text)) == bp
    assert "same_for_everyone = false" in text and "[[items]]" in text
    plain = parse_blueprint({"title": "T", "items": [{"topic": "pooling"}]})
    assert parse_blueprint(tomllib.loads(blueprint_toml(plain))) == plain


# ------------------------------------------------------------------ the CLI


def test_cli_builds_and_exports_per_student_variants(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ui.cli import app

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    D.upgrade(url)
    engine = D.make_engine(url)
    sf = D.session_factory(engine)
    prof = S.create_user(sf, "prof", "instructor")
    course = S.create_course(sf, prof.id, "CNN101", "CNNs")
    for name in ("ada", "bo"):
        S.enrol(sf, prof.id, course.id, S.create_user(sf, name, "student").id)
    bp = tmp_path / "mid.toml"
    bp.write_text(blueprint_toml(parse_blueprint({**BP, "shuffle_questions": False})), encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["exam", "build", str(bp), "--course", "CNN101", "--as", "prof", "--url", url])
    assert r.exit_code == 0, r.output
    assert f"{N_QUESTIONS} questions" in r.output and "for each student" in r.output
    aid = int(re.search(r"assessment (\d+)", r.output).group(1))
    out = tmp_path / "x"
    r = runner.invoke(
        app, ["exam", "export", str(aid), "--format", "all", "--out", str(out), "--as", "prof", "--url", url]
    )
    assert r.exit_code == 0, r.output
    names = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert names == {
        "exam.json", "exam.moodle.xml", "exam.gift.txt", "exam.qti.zip", "exams.pdf", "key.pdf",
        "students/ada.json", "students/bo.json", "students/ada.pdf", "students/bo.pdf",
    }  # fmt: skip
    ada_id = S.user_ids_by_username(sf, ["ada"])["ada"]
    one = json.loads((out / "students/ada.json").read_text(encoding="utf-8"))
    qs = QuestionListAdapter.validate_python([q["question"] for q in one["questions"]])
    assert one["student"] == "ada" and [_identity(q) for q in qs] == [i for _, _, i in _stored(sf, aid, ada_id)]
    # Moodle: a question category per student; QTI: an assessment per student
    cats = [c.text for c in ET.parse(out / "exam.moodle.xml").getroot().iter("text") if c.text.startswith("$course$")]
    assert [c.split("/")[-1] for c in cats] == ["ada", "bo"]
    with zipfile.ZipFile(out / "exam.qti.zip") as z:
        titles = [
            ET.fromstring(z.read(n)).find("{*}assessment").get("title")
            for n in z.namelist()
            if n.endswith(".xml") and "assessment_meta" not in n and n != "imsmanifest.xml"
        ]
    assert sorted(titles) == ["Midterm (ada)", "Midterm (bo)"]
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(out / "students/bo.pdf").pages)
    assert "Student: bo" in text and "ada" not in text
    engine.dispose()
