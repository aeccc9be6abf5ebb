"""The Gradebook and Analytics pages of instructors and TAs, driven through Streamlit's AppTest (the real page scripts
and the router, headless) on a course seeded through the services (tools/seed_course.py: eight students answering
real generated questions, some into traps); and their views and charts tested as data, without Streamlit."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

import quizbank.regenerate as regen
from grader import db as D
from grader import services as S
from grader.analytics import item_statistics, mastery, parameter_difficulty, trap_statistics
from grader.export import export_gradebook, gradebook_table
from quizbank.schema import NumericQuestion
from tests.support import app_services, rerun, run_page, texts
from tools.seed_course import STUDENTS, seed_course
from ui import analytics_view as AV
from ui import gradebook_view as GV
from ui.cli import app as cli

ROOT = Path(__file__).resolve().parent.parent
GRADEBOOK = str(ROOT / "ui" / "pages" / "gradebook.py")
ANALYTICS = str(ROOT / "ui" / "pages" / "analytics.py")
EXAM_BUILDER = str(ROOT / "ui" / "pages" / "exam_builder.py")


@dataclass(frozen=True)
class Course:
    """The seeded course, as ids (each test gets its own copy of the database)."""

    prof: S.UserOut
    students: list[S.UserOut]
    course_id: int
    homework: S.AssessmentOut
    second: S.AssessmentOut


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Course]:
    path = tmp_path_factory.mktemp("gradebook") / "template.sqlite"
    url = f"sqlite:///{path}"
    D.upgrade(url)
    engine = D.make_engine(url)
    try:
        w = seed_course(D.session_factory(engine))
    finally:
        engine.dispose()
    return path, Course(w.prof, w.students, w.course.id, w.homework, w.second)


@dataclass
class Db:
    url: str
    sf: D.SessionFactory
    c: Course


@pytest.fixture
def db(template: tuple[Path, Course], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Db]:
    src, c = template
    dst = tmp_path / "app.sqlite"
    shutil.copyfile(src, dst)
    url = f"sqlite:///{dst}"
    with app_services(monkeypatch, url) as sf:
        yield Db(url, sf, c)


def _student(db: Db, name: str) -> S.UserOut:
    return next(u for u in db.c.students if u.username == name)


# ------------------------------------------------------------------ who may open them


@pytest.mark.parametrize("page", [GRADEBOOK, ANALYTICS])
def test_a_student_is_denied_the_instructor_pages(db: Db, page: str) -> None:
    at = run_page(page, _student(db, "ada"))
    assert at.error and "This page is for instructors" in at.error[0].value
    assert not at.title and not at.dataframe
    visitor = run_page(page, None)
    assert visitor.info and "Sign in to use this page" in visitor.info[0].value and not visitor.dataframe


def _ta(db: Db) -> S.UserOut:
    """tess: a student account that assists in the seeded course and takes another course as a student."""
    tess = S.create_user(db.sf, "tess", "student", display_name="Tess")
    S.add_ta(db.sf, db.c.prof.id, db.c.course_id, "tess")
    other = S.create_course(db.sf, db.c.prof.id, "CNN202", "More convolutional networks")
    S.enrol(db.sf, db.c.prof.id, other.id, tess.id)
    S.create_assessment(
        db.sf, db.c.prof.id, other.id, "Quiz", "homework", [{"generator": "conv_params.count", "count": 1}]
    )
    return tess


def test_a_ta_opens_the_gradebook_of_the_course_they_assist_in_and_overrides_a_score(db: Db) -> None:
    tess = _ta(db)
    at = run_page(GRADEBOOK, tess)
    assert at.title[0].value == "Gradebook" and not at.error
    assert at.selectbox(key="gradebook.course").options == ["CNN101: Convolutional networks"]  # not CNN202
    mine = at.dataframe[0].value
    assert mine.equals(run_page(GRADEBOOK, db.c.prof).dataframe[0].value)
    assert set(mine["Username"]) == {name for name, _, _ in STUDENTS}
    bob = _student(db, "bob")
    _open_attempt(at, bob)
    (att,) = S.list_attempts(db.sf, tess.id, db.c.homework.id, user_id=bob.id)
    res = S.attempt_results(db.sf, tess.id, att.id)
    assert all(it.question.key is not None for it in res.items)  # the key, before its release
    wrong = next(it for it in res.items if it.answer and (it.answer.score or 0) < it.answer.max_score)
    rid, pos = wrong.answer.id, wrong.question.instance.position  # type: ignore[union-attr]
    at.number_input(key=f"gradebook.score.{rid}").set_value(wrong.answer.max_score)  # type: ignore[union-attr]
    at.text_input(key=f"gradebook.reason.{rid}").input("units given in the working")
    at.button(key=f"FormSubmitter:gradebook.form.{rid}-Override").click()
    rerun(at)
    assert any(f"Q{pos} of bob" in s.value for s in at.success)
    trail = at.dataframe[1].value
    assert list(trail.iloc[0][["Grader", "Student", "Question", "Reason"]]) == [
        "tess", "bob", f"Q{pos}", "units given in the working",
    ]  # fmt: skip
    at.button(key="FormSubmitter:gradebook.regrade-Dry run").click()
    rerun(at)
    # the dry run, as the TA: nothing to change but the score she set by hand, which it keeps
    assert ": 0 would change, 1 overridden by hand kept as they are." in texts(at)
    assert [c.kind for c in S.list_score_changes(db.sf, db.c.prof.id, db.c.homework.id)] == ["override"]


def test_a_ta_opens_analytics_but_is_refused_the_exam_builder(db: Db) -> None:
    tess = _ta(db)
    at = run_page(ANALYTICS, tess)
    assert at.title[0].value == "Analytics" and not at.error
    assert at.selectbox(key="analytics.course").options == ["CNN101: Convolutional networks"]
    assert at.dataframe[0].value.equals(run_page(ANALYTICS, db.c.prof).dataframe[0].value)
    assert len(at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")) == 4
    builder = run_page(EXAM_BUILDER, tess)
    assert builder.error and "This page is for instructors:" in builder.error[0].value
    assert not builder.title and not builder.button


# ------------------------------------------------------------------ gradebook


def test_the_gradebook_shows_students_by_questions_and_downloads_the_cli_csv(
    db: Db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    served: dict[str, bytes] = {}  # what the page hands the browser to download, by file name
    store = MemoryMediaFileStorage.load_and_get_id

    def keep(self: Any, data: Any, mimetype: str, kind: Any, filename: str | None = None) -> str:
        served[filename or ""] = data.encode() if isinstance(data, str) else bytes(data)
        return store(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    at = run_page(GRADEBOOK, db.c.prof)
    assert at.title[0].value == "Gradebook"
    assert at.selectbox(key="gradebook.assessment").value.id == db.c.homework.id
    table = at.dataframe[0].value
    assert list(table["Username"]) == sorted(name for name, _, _ in STUDENTS)
    rows = gradebook_table(db.sf, db.c.prof.id, db.c.homework.id)
    assert [f"Q{i + 1}" for i in range(db.c.homework.questions)] == [c for c in table.columns if c[:1] == "Q"]
    for row in rows[1:]:
        mine = table[table["Username"] == row[1]].iloc[0]
        assert mine["Score"] == float(row[5]) and mine["%"] == float(row[7])
        assert [mine[f"Q{i + 1}"] for i in range(db.c.homework.questions)] == [float(x) for x in row[8:]]
    out = tmp_path / "cli.csv"
    res = CliRunner().invoke(
        cli, ["grades", "export", "--assessment", str(db.c.homework.id), "--out", str(out), "--url", db.url]
    )
    assert res.exit_code == 0, res.output
    page_csv = export_gradebook(db.sf, db.c.prof.id, db.c.homework.id)
    assert out.read_text() == page_csv
    (button,) = at.get("download_button")
    assert button.proto.label.startswith("Download the gradebook")
    assert served == {"cnn101-homework-1-conv-arithmetic-gradebook.csv": page_csv.encode()}


def _open_attempt(at: AppTest, student: S.UserOut) -> AppTest:
    box = at.selectbox(key="gradebook.student")
    box.select_index(next(i for i, o in enumerate(box.options) if o.endswith(f"({student.username})")))
    return rerun(at)


def test_one_attempt_shows_each_answer_its_credit_trap_and_feedback(db: Db) -> None:
    bob = _student(db, "bob")
    at = _open_attempt(run_page(GRADEBOOK, db.c.prof), bob)
    res = S.attempt_results(
        db.sf, db.c.prof.id, S.list_attempts(db.sf, db.c.prof.id, db.c.homework.id, user_id=bob.id)[0].id
    )
    text = texts(at)
    for it in res.items:
        assert it.answer is not None and it.answer.score is not None
        assert f"**Q{it.question.instance.position}** · {it.answer.score:g} / {it.answer.max_score:g}" in text
    trapped = [it for it in res.items if it.trap_title]
    assert trapped, "the seeded weak student falls into at least one trap"
    warnings = [w.value for w in at.warning]
    for it in trapped:
        assert any(GV.render_md(it.trap_title) in w for w in warnings)
    assert len(at.expander) >= len([it for it in res.items if it.feedback])


def test_an_override_from_the_page_needs_a_reason_and_shows_in_the_table_csv_and_trail(db: Db) -> None:
    bob = _student(db, "bob")
    at = _open_attempt(run_page(GRADEBOOK, db.c.prof), bob)
    (att,) = S.list_attempts(db.sf, db.c.prof.id, db.c.homework.id, user_id=bob.id)
    res = S.attempt_results(db.sf, db.c.prof.id, att.id)
    wrong = next(
        it for it in res.items if it.answer and it.answer.score is not None and it.answer.score < it.answer.max_score
    )
    rid, pos, top = wrong.answer.id, wrong.question.instance.position, wrong.answer.max_score  # type: ignore[union-attr]
    at.number_input(key=f"gradebook.score.{rid}").set_value(top)
    at.button(key=f"FormSubmitter:gradebook.form.{rid}-Override").click()
    rerun(at)
    assert any("needs a reason" in e.value for e in at.error)
    assert S.list_score_changes(db.sf, db.c.prof.id, db.c.homework.id) == []
    at.number_input(key=f"gradebook.score.{rid}").set_value(top)
    at.text_input(key=f"gradebook.reason.{rid}").input("accepted 7.3856e4 written as 73.9k")
    at.button(key=f"FormSubmitter:gradebook.form.{rid}-Override").click()
    rerun(at)
    assert any(f"Q{pos} of bob" in s.value and f"→ {top:g}" in s.value for s in at.success)
    table = at.dataframe[0].value
    mine = table[table["Username"] == "bob"].iloc[0]
    assert mine[f"Q{pos}"] == top and mine["Overridden"] == f"Q{pos}"
    book = list(csv.DictReader(io.StringIO(export_gradebook(db.sf, db.c.prof.id, db.c.homework.id))))
    assert float(next(r for r in book if r["username"] == "bob")[f"q{pos}"]) == top
    trail = at.dataframe[1].value
    assert list(trail.iloc[0][["Grader", "Student", "Question", "Change", "New", "Reason"]]) == [
        "prof", "bob", f"Q{pos}", "override", top, "accepted 7.3856e4 written as 73.9k",
    ]  # fmt: skip
    assert "overridden" in texts(at)


def test_a_regrade_from_the_page_lists_then_applies_a_key_fix(db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    qs = S.list_questions(db.sf, db.c.prof.id, db.c.homework.id)
    inst = qs[0].instance
    with D.read_session(db.sf) as s:
        q = S.regenerate(s.get(D.QuestionInstance, inst.id))
    assert isinstance(q, NumericQuestion)
    real = regen._build

    def fixed(generator: str, seed: int, difficulty: int) -> Any:
        got, params = real(generator, seed, difficulty)
        if (generator, seed, difficulty) == (inst.generator, inst.seed, inst.difficulty):
            got = got.model_copy(update={"key": float(q.key) + 1})  # every right answer now off by one
        return got, params

    right = {
        r.user_id
        for r in S.list_responses(db.sf, db.c.prof.id, db.c.homework.id)
        if r.question_instance_id == inst.id and r.correct
    }
    monkeypatch.setattr(regen, "_build", fixed)
    at = run_page(GRADEBOOK, db.c.prof)
    at.button(key="FormSubmitter:gradebook.regrade-Dry run").click()
    rerun(at)
    changes = at.dataframe[-1].value
    assert set(changes["Question"]) == {"Q1"} and (changes["Applied"] == "will").all()
    names = {u.id: u.username for u in db.c.students}
    assert set(changes["Student"]) == {names[u] for u in right}
    assert S.list_score_changes(db.sf, db.c.prof.id, db.c.homework.id) == []
    at.button(key="FormSubmitter:gradebook.regrade-Apply the regrade").click()
    rerun(at)
    assert any("changed" in s.value for s in at.success)
    trail = S.list_score_changes(db.sf, db.c.prof.id, db.c.homework.id)
    assert (
        len(trail) == len(changes) and {c.kind for c in trail} == {"regrade"} and {c.actor for c in trail} == {"prof"}
    )
    audit = at.dataframe[1].value
    assert set(audit["Change"]) == {"regrade"} and len(audit) == len(trail)


# ------------------------------------------------------------------ analytics


def test_the_analytics_page_shows_the_statistics_and_four_charts(db: Db) -> None:
    at = run_page(ANALYTICS, db.c.prof)
    assert at.title[0].value == "Analytics"
    stats = at.dataframe[0].value
    assert list(stats.columns) == ["Question", "Attempts", "Facility", "SD", "Discrimination", "Efficiency", "Flag"]
    assert len(stats) == db.c.homework.questions and (stats["Attempts"] == len(STUDENTS)).all()
    assert {m.label for m in at.metric} >= {"Cronbach's α", "Error ratio", "Standard error"}
    assert AV.THRESHOLDS in texts(at)
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert len(charts) == 4


def test_views_and_charts_as_data(db: Db) -> None:
    sf, c = db.sf, db.c
    records = S.assessment_factor_records(sf, c.prof.id, c.homework.id, final_only=True)
    labels = AV.item_labels(S.list_questions(sf, c.prof.id, c.homework.id))
    stats = item_statistics(records)
    frame = AV.stats_frame(stats, labels)
    assert list(frame["Question"].str.split(":").str[0]) == [f"Q{i + 1}" for i in range(c.homework.questions)]
    for s in stats:  # the flag is exactly the stated thresholds
        row = frame[frame["Question"] == labels[s.key].title].iloc[0]
        dubious = (
            (s.discriminative_efficiency is not None and s.discriminative_efficiency < 0.15)
            or (s.discrimination is not None and s.discrimination < 0)
            or (s.facility is not None and not 0.05 <= s.facility <= 0.95)
        )
        assert (row["Flag"] != "") == dubious, (row, s)
    fd = AV.facility_discrimination_chart(frame).to_dict()
    points = fd["layer"][0]
    assert points["encoding"]["x"]["field"] == "Facility" and points["encoding"]["y"]["field"] == "Discrimination"
    plotted = fd["datasets"][points["data"]["name"]]
    assert len(plotted) == frame["Discrimination"].notna().sum()
    assert {round(p["Facility"], 9) for p in plotted} <= {round(x, 9) for x in frame["Facility"]}

    traps = AV.trap_frame(trap_statistics(records), labels)
    by_q: dict[str, int] = {}
    counted = {}  # the counted answer per student and question: the last try of the last attempt
    for r in sorted(records, key=lambda r: (r.attempt, r.answered_at)):
        counted[(r.student, r.item)] = r
    for r in counted.values():
        if r.trap:
            by_q[labels[r.item].short] = by_q.get(labels[r.item].short, 0) + 1
    assert traps.groupby("Question")["Count"].sum().to_dict() == by_q and by_q
    td = AV.trap_chart(traps).to_dict()
    assert td["mark"]["type"] == "bar" and td["encoding"]["color"]["field"] == "Trap"
    assert sum(d["Count"] for d in next(iter(td["datasets"].values()))) == sum(by_q.values())

    params = AV.parameter_frame(parameter_difficulty(records, by="all"))
    assert set(params["Parameter"]) == {"stride", "dilation", "padding"}
    for (name, value), grp in params.groupby(["Parameter", "Value"]):
        hits = [r for r in counted.values() if str(r.params.get(name)) == value]
        assert grp["Answers"].iloc[0] == len(hits)
        assert grp["Correct rate"].iloc[0] == pytest.approx(sum(r.score >= r.max_score for r in hits) / len(hits))
    pd_ = AV.parameter_chart(params).to_dict()
    assert "facet" not in pd_ and "width" not in pd_  # one view the page stretches to the container: fits a phone
    bars, ci = pd_["layer"]
    assert bars["encoding"]["y"]["field"] == ci["encoding"]["y"]["field"] == "Label"
    assert (ci["encoding"]["x"]["field"], ci["encoding"]["x2"]["field"]) == ("Low", "High")
    plotted = next(iter(pd_["datasets"].values()))
    assert len(plotted) == len(params)
    assert sorted(p["Label"] for p in plotted) == sorted(
        f"{p} = {v}" for p, v in zip(params["Parameter"], params["Value"])
    )
    shown = [p["Parameter"] for p in plotted]  # grouped, stride first, padding last
    assert shown == sorted(shown, key=["stride", "dilation", "padding"].index)
    assert bars["encoding"]["y"]["sort"] == [p["Label"] for p in plotted]

    course = S.course_records(sf, c.prof.id, c.course_id)
    names = {u.id: u.username for u in c.students}
    ms = AV.mastery_frame(mastery(course), names)
    assert set(ms["Student"]) == set(names.values())
    assert len(ms) == len({(r.student, r.topic) for r in course})
    md = AV.mastery_chart(ms).to_dict()
    rect = md["layer"][0]
    assert rect["mark"]["type"] == "rect" and rect["encoding"]["color"]["field"] == "Mastery"
    assert len(md["datasets"][md["data"]["name"]]) == len(ms)


def test_question_factors_read_each_generators_own_names() -> None:
    from grader.analytics import question_factors
    from quizbank.generators import generate

    pool = generate("pooling.pool_params", 3, 2)
    assert pool.params["strides"] is None  # Keras' default: the pool size, read from the witness
    assert question_factors(pool.params, pool.witness) == {
        "stride": pool.params["k"],
        "padding": pool.params["padding"],
    }
    assert question_factors({"w": 9, "layers": [{"s": 2, "pad": 1, "d": 1}, {"s": 1, "pad": "same", "d": 2}]}) == {
        "stride": 2, "dilation": 2, "padding": "mixed",
    }  # fmt: skip
    assert question_factors({"k": 3, "d": 4}) == {"dilation": 4}
    assert question_factors(generate("conv_params.count", 1, 2).params) == {}
