"""The Exam builder: its logic without Streamlit (drafts, errors by field, TOML, preview, publishing, downloads), and
the page through AppTest (an error named by field, fixed; the preview; publishing; a student refused)."""

from __future__ import annotations

import datetime as dt
import io
import json
import tomllib
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from grader import db as D
from grader import services as S
from quizbank.exam import build_student_exam, parse_blueprint
from tests.support import rerun
from ui import auth
from ui import exam_builder_view as V
from ui.mathtext import render_md

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
PAGE = "ui/pages/exam_builder.py"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def w(fresh: D.SessionFactory) -> dict:
    setup = S.first_run(fresh, "prof", "prof password", display_name="Prof", demo=False)
    ada = S.register_student(fresh, "ada", "ada password", setup.join_code, display_name="Ada")
    bo = S.register_student(fresh, "bo", "bo password", setup.join_code, display_name="Bo")
    return {"sf": fresh, "prof": setup.instructor, "ada": ada, "bo": bo, "course": setup.course}


def _draft(**kw: object) -> V.Draft:
    items = [
        V.ItemDraft("topic", "pooling", None, 2, 2, 2.0),
        V.ItemDraft("generator", "conv_params", "conv_params.count", 1, 1, 3.0),
    ]
    return V.Draft(**{"title": "Midterm", "seed": 7, "items": items, **kw})  # type: ignore[arg-type]


# ------------------------------------------------------------------ the logic, without Streamlit


def test_a_draft_checks_into_the_blueprint_and_back() -> None:
    c = V.check(_draft(closes=T0 + dt.timedelta(hours=2), opens=T0, time_limit_min=60, key_release="never"))
    assert c.errors == [] and c.blueprint is not None
    bp = c.blueprint
    assert [i.model_dump(exclude_none=True) for i in bp.items] == [
        {"topic": "pooling", "count": 2, "difficulty": 2, "points": 2.0},
        {"generator": "conv_params.count", "count": 1, "difficulty": 1, "points": 3.0},
    ]
    assert bp.schedule.key_release == "never" and bp.schedule.time_limit_min == 60 and bp.seed == 7
    assert V.check(V.Draft.of(bp)).blueprint == bp
    assert V.summary(bp) == "3 questions, 7 points: one variant per student, shuffled question order and options."


@pytest.mark.parametrize(
    ("change", "path", "label"),
    [
        ({"title": "  "}, "title", "Title"),
        ({"seed": "seven"}, "seed", "Seed"),
        ({"items": [V.ItemDraft("topic", "pooling", None, 1, 0, 1.0)]}, "items[0].count", "Item 1 · count"),
        (
            {"items": [V.ItemDraft(), V.ItemDraft("generator", "pooling", "pooling.output_shape", 1, 1, -1.0)]},
            "items[1].points",
            "Item 2 · points",
        ),
        ({"opens": T0, "closes": T0 - dt.timedelta(hours=1)}, "schedule", "Schedule"),
        ({"key_release": "at", "key_release_at": None}, "schedule.key_release", "Schedule · key release"),
    ],
)
def test_errors_name_the_field(change: dict, path: str, label: str) -> None:
    c = V.check(_draft(**change))
    assert c.blueprint is None
    assert path in [e.path for e in c.errors]
    e = next(e for e in c.errors if e.path == path)
    assert e.label == label and f"`{path}`" in e.text()


def test_an_unknown_generator_is_named() -> None:
    draft, errors = V.load_toml('title = "T"\n[[items]]\ntopic = "pooling"\n[[items]]\ngenerator = "pooling.nope"\n')
    assert draft is None and [(e.path, e.label) for e in errors] == [("items[1]", "Item 2")]
    assert "pooling.nope" in errors[0].message
    c = V.check(_draft(items=[V.ItemDraft("generator", "pooling", None, 1, 1, 1.0)]))
    assert [e.path for e in c.errors] == ["items[0]"] and "exactly one of" in c.errors[0].message


def test_toml_loads_and_downloads() -> None:
    bp = V.check(_draft(opens=T0)).blueprint
    assert bp is not None
    text = V.toml_text(bp)
    draft, errors = V.load_toml(text)
    assert errors == [] and draft is not None and V.check(draft).blueprint == bp
    assert parse_blueprint(tomllib.loads(text)) == bp
    draft, errors = V.load_toml('title = "T"\n[[items]]\ntopic = "pooling"\ncount = 0\n', "mid.toml")
    assert draft is None and [e.path for e in errors] == ["items[0].count"]
    draft, errors = V.load_toml("title = \n", "mid.toml")
    assert draft is None and errors[0].path == "(file)" and "mid.toml" in errors[0].message


def test_sample_students_are_the_course_then_samples() -> None:
    assert [V.sample_student(["ada", "bo"], n) for n in range(4)] == ["ada", "bo", "sample-1", "sample-2"]
    assert V.sample_student([], 0) == "sample-1"


def test_preview_is_what_the_student_gets_when_published(w: dict) -> None:
    sf, prof, ada = w["sf"], w["prof"], w["ada"]
    bp = V.check(_draft()).blueprint
    assert bp is not None
    pv = V.preview(sf, prof.id, w["course"].id, bp, "ada")
    with D.read_session(sf) as s:
        secret = S.server_secret(s, S.SEED_SECRET)
    se = build_student_exam(bp, "ada", secret=secret)
    assert [q.stem for q in pv.questions] == [render_md(eq.question.stem) for eq in se.questions]
    assert [q.explanation for q in pv.questions] == [render_md(eq.question.explanation) for eq in se.questions]
    assert pv.points == 7 and all(q.key for q in pv.questions)
    other = V.preview(sf, prof.id, w["course"].id, bp, "sample-1")
    assert [q.stem for q in other.questions] != [q.stem for q in pv.questions]
    done = V.publish(sf, prof.id, w["course"].id, bp)
    assert done.variants == 2 and "2 students have a variant of their own" in done.message()
    views = S.list_questions(sf, ada.id, done.assessment.id)
    assert [v.stem for v in views] == [eq.question.stem for eq in se.questions]
    # a student may neither preview nor publish nor export
    with pytest.raises(S.AccessDenied):
        V.preview(sf, ada.id, w["course"].id, bp, "ada")
    with pytest.raises(S.AccessDenied):
        V.publish(sf, ada.id, w["course"].id, bp)
    with pytest.raises(S.AccessDenied):
        V.downloads(sf, ada.id, done.assessment.id)


def test_downloads_are_the_five_formats(w: dict) -> None:
    sf, prof = w["sf"], w["prof"]
    bp = V.check(_draft(title="Mid: term")).blueprint
    assert bp is not None
    a = V.publish(sf, prof.id, w["course"].id, bp).assessment
    assert [x.id for x in V.published(sf, prof.id, w["course"].id)] == [a.id]
    got = {d.fmt: d for d in V.downloads(sf, prof.id, a.id)}
    assert list(got) == ["json", "moodle", "gift", "qti", "pdf"]
    assert got["moodle"].file_name == "mid-term-exam.moodle.xml" and got["moodle"].data.startswith(b"<?xml")
    assert got["gift"].data.decode().count("$CATEGORY:") == 2  # one question category per student
    with zipfile.ZipFile(io.BytesIO(got["json"].data)) as z:
        assert sorted(z.namelist()) == ["exam.json", "students/ada.json", "students/bo.json"]
        assert json.loads(z.read("students/bo.json"))["student"] == "bo"
    with zipfile.ZipFile(io.BytesIO(got["pdf"].data)) as z:
        names = sorted(z.namelist())
        assert names == ["exams.pdf", "key.pdf", "students/ada.pdf", "students/bo.pdf"]
        assert all(z.read(n).startswith(b"%PDF") for n in names)
    with zipfile.ZipFile(io.BytesIO(got["qti"].data)) as z:
        assert "imsmanifest.xml" in z.namelist()


# ------------------------------------------------------------------ the page, through AppTest


def _app(sf: D.SessionFactory, user: S.UserOut) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state[auth.TOKEN_KEY] = S.issue_session_token(sf, user.id).token
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_page_names_the_error_previews_and_publishes(w: dict) -> None:
    sf, prof = w["sf"], w["prof"]
    at = _app(sf, prof)
    assert at.title[0].value == "Exam builder"
    at.text_input(key="xb.0.title").input("Pooling midterm")
    at.selectbox(key="xb.0.item.0.topic").set_value("pooling")
    at.number_input(key="xb.0.item.0.count").set_value(0)
    rerun(at)
    errors = " ".join(e.value for e in at.error)
    assert "Item 1 · count" in errors and "items[0].count" in errors
    assert any("Fix the blueprint first" in x.value for x in at.warning)  # preview and publish wait for a fix
    at.number_input(key="xb.0.item.0.count").set_value(3)
    rerun(at)
    assert not at.error
    assert any(s.value.startswith("3 questions, 3 points: one variant per student") for s in at.success)
    # the preview: the first student of the course, with key and worked solutions typeset for KaTeX
    texts = [m.value for m in at.markdown]
    assert any(t.startswith("Sample student **ada**") for t in texts)
    bp = parse_blueprint(
        {"title": "Pooling midterm", "shuffle_questions": True, "shuffle_options": True, "same_for_everyone": False,
         "schedule": {"attempts": 1}, "items": [{"topic": "pooling", "count": 3}]}
    )  # fmt: skip
    want = V.preview(sf, prof.id, w["course"].id, bp, "ada")
    assert [q.stem for q in want.questions] == [t for t in texts if t in {q.stem for q in want.questions}]
    assert (
        sum(t.startswith("**Key**") for t in texts) == 3
        and sum(t.startswith("**Worked solution**") for t in texts) == 3
    )
    at.button(key="xb.regenerate").click()
    rerun(at)
    assert any(m.value.startswith("Sample student **bo**") for m in at.markdown)
    # publish
    at.button(key="xb.publish").click()
    rerun(at)
    assert any("Published **Pooling midterm**" in s.value and "2 students have" in s.value for s in at.success)
    mine = S.list_assessments(sf, prof.id, w["course"].id)
    assert [(a.title, a.questions) for a in mine] == [("Pooling midterm", 3)]
    stored = S.assessment_exam(sf, prof.id, mine[0].id)
    assert [se.student for se in stored.students] == ["ada", "bo"]
    # the exports of what was just published
    at.button(key="xb.prepare").click()
    rerun(at)
    labels = [b.label for b in at.get("download_button")]
    assert [b.key for b in at.get("download_button") if b.key.startswith("xb.dl.")] == [f"xb.dl.{f}" for f in V.FORMATS]
    assert any(lbl.startswith("Moodle XML") for lbl in labels)


def test_a_student_is_refused(w: dict) -> None:
    at = _app(w["sf"], w["ada"])
    assert any("This page is for instructors" in e.value for e in at.error)
    assert not at.text_input and not at.get("download_button")
