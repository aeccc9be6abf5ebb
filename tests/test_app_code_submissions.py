"""The instructors' Code submissions page through Streamlit's AppTest (the real page script, headless): an LMS
export graded by the real sandbox (a reference and a trapped wrong solution), a submission opened, a grader failure
rerun; students and visitors refused; the queue's depth on PostgreSQL."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from grader import db as D
from grader import queue as Q
from grader import services as S
from grader.autograde.tasks import get as get_task
from quizbank.traps import get as get_trap
from tests.support import CourseDb, app_services, one_course, rerun, run_page
from ui.mathtext import md

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "ui" / "pages" / "code_submissions.py")
SUBMISSIONS = ROOT / "tests" / "autograde_submissions"


@dataclass
class Db(CourseDb):
    bob: S.UserOut


def _make(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Db]:
    D.upgrade(url)
    with app_services(monkeypatch, url) as sf:
        prof, (ada, bob), course = one_course(sf, "ada", "bob")
        yield Db(url, sf, prof, ada, course, bob)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Db]:
    yield from _make(f"sqlite:///{tmp_path / 'app.sqlite'}", monkeypatch)


def _page(user: S.UserOut | None) -> AppTest:
    return run_page(PAGE, user)


def _wait(db: Db, ids: list[int], timeout: float = 400) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if all(v is not None for v in S.code_verdicts(db.sf, db.prof.id, ids).values()):
            return
        time.sleep(0.5)
    pytest.fail("no verdicts within the timeout")


def _export() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("ada/lenet5.py", get_task("lenet5").reference_source())
        z.writestr("bob.py", (SUBMISSIONS / "lenet5" / "no_bias.py").read_bytes())
        z.writestr("eve.py", "x = 1\n")
        z.writestr("../ada.py", "x = 1\n")
        z.writestr("ada/notes.txt", "hello")
    return buf.getvalue()


def test_an_export_is_graded_by_the_sandbox_then_opened_and_a_grader_failure_rerun(db: Db) -> None:
    task = get_task("lenet5")
    at = _page(db.prof)
    at.selectbox(key="subs.task").set_value("lenet5")
    rerun(at)
    assert at.caption and any("1 students" not in c.value and "0 handed in" in c.value for c in at.caption)
    at.file_uploader(key="subs.files").set_value([("export.zip", _export(), "application/zip")])
    next(b for b in at.button if b.label == "Grade these files").click()
    rerun(at)
    batch = at.dataframe[-1].value
    assert list(batch["file (as uploaded)"]) == ["ada/lenet5.py", "bob.py", "eve.py", "../ada.py", "ada/notes.txt"]
    verdicts = list(batch["verdict"])
    assert verdicts[2].startswith("not graded: names no student") and "leads out of the archive" in verdicts[3]
    assert "not a .py file" in verdicts[4]
    ada_sub = S.list_code_submissions(db.sf, db.ada.id)[0]
    bob_sub = S.list_code_submissions(db.sf, db.bob.id)[0]
    _wait(db, [ada_sub.id, bob_sub.id])
    rerun(at)
    overview = at.dataframe[0].value
    assert list(overview["student"]) == ["ada", "bob"]
    assert list(overview["status"]) == ["Checked", "Checked"]
    assert overview["score"][0] == f"{task.max_score:g} / {task.max_score:g}"
    bob_done = S.get_code_submission(db.sf, db.prof.id, bob_sub.id)
    assert bob_done.score is not None and bob_done.score < task.max_score
    assert any("2 of 2 graded" in str(p.proto) for p in at.get("progress"))
    # open bob's: the failed check names its trap; the source is shown as text
    at.selectbox(key="subs.student").set_value(db.bob.id)
    rerun(at)
    assert at.warning and "Checked" in at.warning[0].value
    body = " ".join(m.value for m in at.markdown)
    assert f"Trap: {md(get_trap('forgot_bias').title)}" in body and "concept: *counting parameters*" in body
    source = next(c for c in at.code if c.language == "python")
    assert source.value == (SUBMISSIONS / "lenet5" / "no_bias.py").read_text().rstrip("\n")
    # a grader failure is highlighted with its own rerun button, which grades it again
    S.set_code_verdict(db.sf, bob_sub.id, Q.INTERNAL_ERROR, 0.0, task.max_score, {"message": "worker died"})
    rerun(at)
    assert at.error and "Grader failure" in at.error[0].value and "bob" in at.error[0].value
    assert "⚠ Grader failure" in list(at.dataframe[0].value["status"])
    at.button(key=f"subs.rerun.err.{bob_sub.id}").click()
    rerun(at)
    _wait(db, [bob_sub.id])
    rerun(at)
    assert not at.error and S.get_code_submission(db.sf, db.prof.id, bob_sub.id).verdict == "ok"


def test_students_and_visitors_are_refused(db: Db) -> None:
    S.record_code_submission(db.sf, db.bob.id, "lenet5", "secret.py", "SECRET = 1\n")
    at = _page(db.ada)
    assert at.error and "This page is for instructors" in at.error[0].value
    assert not at.dataframe and not at.code and "SECRET" not in str(at._tree)
    # an instructor who grades no course gets nothing either (the services refuse them the data regardless)
    outsider = S.create_user(db.sf, "outsider", "instructor")
    at = _page(outsider)
    assert at.error and "graders of a course" in at.error[0].value and not at.dataframe
    visitor = _page(None)
    assert visitor.info and "Sign in" in visitor.info[0].value


@pytest.fixture
def pg_db(pg_server: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[Db]:
    import uuid

    url = pg_server.create_database(f"t_{uuid.uuid4().hex[:16]}")  # type: ignore[attr-defined]
    yield from _make(url, monkeypatch)


def test_on_postgresql_instructors_see_the_queue_depth_and_oldest_wait(pg_db: Db) -> None:
    sub = S.record_code_submission(pg_db.sf, pg_db.ada.id, "lenet5", "a.py", "x = 1\n")
    assert Q.submit_code(pg_db.sf, pg_db.url, sub.id) == "queued"  # no worker runs: it waits
    at = _page(pg_db.prof)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Waiting"] == "1" and metrics["Workers"] == "0" and metrics["Grading now"] == "0"
    assert metrics["Oldest waiting"].endswith(" s")
    assert at.warning and "no worker is alive" in at.warning[0].value
    assert list(at.dataframe[0].value["status"]) == ["Grading…", "—"]
