"""The graders' side of code submissions, without Streamlit and without the sandbox: who may read, rerun and
upload (the services refuse everyone else, on SQLite and PostgreSQL), each student's newest verdict, regrading on
the in-process queue, and hostile LMS exports (path traversal, zip bombs, names that are not UTF-8, files that are
not Python) read into one clear verdict per file."""

from __future__ import annotations

import io
import re
import stat
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader import db as D
from grader import queue as Q
from grader import services as S
from grader.autograde import lms
from grader.autograde.grade import GradeResult
from grader.services import code as code_service
from ui import code_submissions_view as V

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@dataclass
class Course:
    sf: D.SessionFactory
    prof: S.UserOut
    ada: S.UserOut
    bob: S.UserOut
    other_prof: S.UserOut
    course: S.CourseOut


@pytest.fixture
def c(sf: D.SessionFactory) -> Course:
    prof = S.create_user(sf, "prof", "instructor")
    other = S.create_user(sf, "other", "instructor")
    ada = S.create_user(sf, "ada", "student", display_name="Ada")
    bob = S.create_user(sf, "bob", "student")
    course = S.create_course(sf, prof.id, "CNN101", "Convolutional networks")
    S.create_course(sf, other.id, "ML200", "Other course")
    for u in (ada, bob):
        S.enrol(sf, prof.id, course.id, u.id)
    return Course(sf, prof, ada, bob, other, course)


def _graded(sf: D.SessionFactory, user: S.UserOut, name: str, verdict: str, score: float) -> S.CodeSubmissionOut:
    sub = S.record_code_submission(sf, user.id, "lenet5", name, f"# {name}\n")
    return S.set_code_verdict(sf, sub.id, verdict, score, 8.0, {"checks": []})


def test_the_overview_shows_each_students_newest_verdict_to_the_courses_instructor(c: Course) -> None:
    _graded(c.sf, c.ada, "first.py", "ok", 5.0)
    newest = _graded(c.sf, c.ada, "second.py", "ok", 8.0)
    S.record_code_submission(c.sf, c.ada.id, "vgg-stack", "other_task.py", "x = 1\n")  # another task: not counted
    rows = S.course_code_overview(c.sf, c.prof.id, c.course.id, "lenet5")
    assert [r.student.username for r in rows] == ["ada", "bob"]
    ada, bob = rows
    assert ada.latest is not None and ada.latest.id == newest.id and ada.submissions == 2
    assert bob.latest is None and bob.submissions == 0
    table = V.overview_rows(rows)
    assert table[0]["status"] == "Checked" and table[0]["score"] == "8 / 8" and table[1]["status"] == "—"
    assert V.summary(rows) == {"students": 2, "handed in": 1, "full marks": 1, "waiting": 0, "grader failures": 0}
    assert (
        V.summary_text(V.summary(rows))
        == "2 students · 1 handed in · 1 with full marks · 0 waiting · 0 grader failures"
    )
    assert V.summary_text(V.summary(rows[:1])).startswith("1 student · ")
    history = S.student_code_history(c.sf, c.prof.id, c.course.id, c.ada.id, "lenet5")
    assert [h.file_name for h in history] == ["second.py", "first.py"]
    # the Code page's submissions belong to no assessment: the course's instructor reads them by enrolment
    assert S.code_submission_source(c.sf, c.prof.id, newest.id) == "# second.py\n"


def test_everyone_who_does_not_grade_the_course_is_refused(c: Course) -> None:
    sub = _graded(c.sf, c.ada, "a.py", "internal_error", 0.0)
    for actor in (c.bob, c.other_prof):  # a classmate, an instructor of another course
        with pytest.raises(S.AccessDenied):
            S.course_code_overview(c.sf, actor.id, c.course.id, "lenet5")
        with pytest.raises(S.AccessDenied):
            S.student_code_history(c.sf, actor.id, c.course.id, c.ada.id, "lenet5")
        with pytest.raises(S.AccessDenied):
            S.record_code_submission_for(c.sf, actor.id, c.course.id, c.ada.id, "lenet5", "x.py", "x = 1\n")
        with pytest.raises(S.AccessDenied):
            S.course_students_by_username(c.sf, actor.id, c.course.id)
        with pytest.raises(S.AccessDenied):
            S.get_code_submission(c.sf, actor.id, sub.id)
        with pytest.raises(S.AccessDenied):
            S.clear_code_verdict(c.sf, actor.id, sub.id)
        assert S.code_verdicts(c.sf, actor.id, [sub.id]) == {}
    assert S.list_graded_courses(c.sf, c.bob.id) == []
    assert [g.code for g in S.list_graded_courses(c.sf, c.prof.id)] == ["CNN101"]
    # an instructor cannot file a submission under someone who is not a student of the course
    with pytest.raises(S.AccessDenied):
        S.record_code_submission_for(c.sf, c.prof.id, c.course.id, c.other_prof.id, "lenet5", "x.py", "x = 1\n")
    assert S.get_code_submission(c.sf, c.ada.id, sub.id).verdict == "internal_error"  # nothing was cleared


def test_one_line_adds_a_grading_role(c: Course, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every grader check goes through ``grades``: widening ``GRADER_ROLES`` lets that course role in everywhere."""
    sub = _graded(c.sf, c.ada, "a.py", "ok", 8.0)
    with pytest.raises(S.AccessDenied):
        S.get_code_submission(c.sf, c.bob.id, sub.id)
    monkeypatch.setattr(code_service, "GRADER_ROLES", frozenset({"instructor", "student"}))
    assert S.get_code_submission(c.sf, c.bob.id, sub.id).id == sub.id
    assert [r.student.username for r in S.course_code_overview(c.sf, c.bob.id, c.course.id, "lenet5")] == [
        "ada",
        "bob",
    ]


class _Fake:
    """Stands in for the sandbox and checker: the verdict names the file, so a regrade is seen."""

    def __init__(self) -> None:
        self.graded: list[str] = []
        self.lock = threading.Lock()

    def grade_source(self, task: Any, source: str, file_name: str) -> GradeResult:
        with self.lock:
            self.graded.append(file_name)
        return GradeResult(file=file_name, task=task.id, verdict="ok", score=8, max_score=8)

    def close(self) -> None:
        pass


def _wait(sf: D.SessionFactory, actor: int, ids: list[int]) -> dict[int, str | None]:
    import time

    for _ in range(600):
        v = S.code_verdicts(sf, actor, ids)
        if all(x is not None for x in v.values()):
            return v
        time.sleep(0.05)
    raise AssertionError(f"not graded: {v}")


@SQLITE_ONLY
def test_rerun_and_regrade_all_go_through_the_in_process_queue(c: Course, db_url: str) -> None:
    fake = _Fake()
    local = Q.GradingQueue(autograder=lambda: fake)
    try:
        broken = _graded(c.sf, c.ada, "broken.py", "internal_error", 0.0)
        _graded(c.sf, c.bob, "b_old.py", "ok", 3.0)
        newest_bob = _graded(c.sf, c.bob, "b_new.py", "ok", 4.0)
        rows = S.course_code_overview(c.sf, c.prof.id, c.course.id, "lenet5")
        assert [r.latest.id for r in V.internal_errors(rows) if r.latest] == [broken.id]
        assert V.overview_rows(rows)[0]["status"] == "⚠ Grader failure"
        with pytest.raises(S.AccessDenied):  # a student cannot rerun a classmate's
            Q.rerun_code(c.sf, db_url, c.bob.id, broken.id, local=local)
        assert Q.rerun_code(c.sf, db_url, c.prof.id, broken.id, local=local) == "local"
        assert _wait(c.sf, c.prof.id, [broken.id]) == {broken.id: "ok"}
        ids = Q.regrade_task(c.sf, db_url, c.prof.id, c.course.id, "lenet5", local=local)
        assert sorted(ids) == sorted([broken.id, newest_bob.id])  # each student's newest, not the older one
        _wait(c.sf, c.prof.id, ids)
        assert sorted(fake.graded) == ["b_new.py", "broken.py", "broken.py"]
        assert S.get_code_submission(c.sf, c.bob.id, newest_bob.id).score == 8
    finally:
        local.close()


# ------------------------------------------------------------------ LMS exports


def _zip(entries: dict[str, bytes], **kw: Any) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, **kw) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def _symlink_zip(name: str, target: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo(name)
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, target)
    return buf.getvalue()


def _by_path(files: list[lms.ExportFile]) -> dict[str, lms.ExportFile]:
    return {f.path: f for f in files}


def test_an_export_with_traversal_links_metadata_and_other_files_gets_a_verdict_per_file() -> None:
    archive = _zip(
        {
            "ada/lenet5.py": b"def build_model():\n    return None\n",
            "../bob.py": b"x = 1\n",
            "/etc/bob.py": b"x = 1\n",
            "__MACOSX/ada/._lenet5.py": b"\x00\x05\x16\x07",
            "ada/notes.txt": b"hello",
            "ada/nested.zip": _zip({"bob.py": b"x = 1\n"}),
        }
    )
    files = _by_path(lms.read_export([("export.zip", archive), ("link.zip", _symlink_zip("bob.py", b"/etc/passwd"))]))
    assert files["ada/lenet5.py"].data == b"def build_model():\n    return None\n"
    assert "leads out of the archive" in (files["../bob.py"].problem or "")
    assert "leads out of the archive" in (files["/etc/bob.py"].problem or "")
    assert "macOS metadata" in (files["__MACOSX/ada/._lenet5.py"].problem or "")
    assert "not a .py file" in (files["ada/notes.txt"].problem or "")
    assert "not a .py file" in (files["ada/nested.zip"].problem or "")  # archives in archives are not opened
    assert "symbolic link" in (files["bob.py"].problem or "")
    assert all(f.data is None for f in files.values() if f.problem)


def test_zip_bombs_and_archives_with_too_many_entries_are_refused_before_anything_is_read() -> None:
    bomb = _zip({"ada.py": b"#" * (lms.MAX_TOTAL_BYTES + 1)})
    assert len(bomb) < 100_000  # tiny on the wire
    (f,) = lms.read_export([("bomb.zip", bomb)])
    assert f.path == "bomb.zip" and f.data is None and "would unpack to" in (f.problem or "")
    many = _zip({f"s{k}.py": b"x = 1\n" for k in range(lms.MAX_ENTRIES + 1)})
    (f,) = lms.read_export([("many.zip", many)])
    assert "entries; at most" in (f.problem or "")
    # one entry over the per-file cap is refused alone; the rest are read
    big = _zip({"ada.py": b"#" * (S.MAX_SOURCE_BYTES + 1), "bob.py": b"x = 1\n"})
    files = _by_path(lms.read_export([("big.zip", big)]))
    assert files["bob.py"].data == b"x = 1\n" and "are graded" in (files["ada.py"].problem or "")


def test_an_entry_that_lies_about_its_size_is_cut_at_the_cap() -> None:
    body = b"#" * (S.MAX_SOURCE_BYTES + 5000)
    raw = bytearray(_zip({"ada.py": body}))
    # declare 10 bytes in the central directory (where zipfile reads sizes from), and nowhere else
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    (f,) = lms.read_export([("liar.zip", bytes(raw))])
    assert f.data is None and f.problem  # read only up to what it declared, then its checksum fails: not read


def test_names_that_are_not_utf8_and_broken_archives_do_not_crash() -> None:
    raw = _zip({"cafX.py": b"x = 1\n"}).replace(b"cafX", b"caf\xe9")  # a latin-1 name, no UTF-8 flag
    (f,) = lms.read_export([("latin.zip", raw)])
    assert f.path == "caf\u0398.py" and f.data == b"x = 1\n"  # the zip format's legacy code page, cp437
    flagged = _zip({"\u00e9t\u00e9.py": b"x = 1\n"}).replace("\u00e9t\u00e9".encode(), b"\xff\xfe\xff\xfe")
    (f,) = lms.read_export([("flagged.zip", flagged)])
    assert f.path == "flagged.zip" and "not a readable zip archive" in (f.problem or "")
    (f,) = lms.read_export([("junk.zip", b"PK\x03\x04 not really a zip")])
    assert "not a readable zip archive" in (f.problem or "")
    (f,) = lms.read_export([("report.pdf", b"%PDF-1.4")])
    assert "not a .py file or a .zip" in (f.problem or "")


def test_an_upload_is_planned_by_the_clis_owner_rules_and_checked_like_the_code_page() -> None:
    students = {"ada": 1, "bob": 2}
    archive = _zip(
        {
            "ada/lenet5.py": b"x = 1\n",
            "bob.py": b"# caf\xe9\n",  # not UTF-8
            "eve.py": b"x = 1\n",  # names nobody in the course
            "ada/<img src=x onerror=alert(1)>.py": b"y = 2\n",
        }
    )
    planned = {p.path: p for p in V.read_uploads([("export.zip", archive)], students)}
    ada = planned["ada/lenet5.py"]
    assert (ada.student, ada.student_id, ada.text, ada.problem) == ("ada", 1, "x = 1\n", None)
    assert planned["bob.py"].student_id is None and "not UTF-8" in (planned["bob.py"].problem or "")
    assert "names no student of this course" in (planned["eve.py"].problem or "")
    hostile = planned["ada/<img src=x onerror=alert(1)>.py"]
    assert hostile.student == "ada" and re.fullmatch(r"[A-Za-z0-9._-]+", hostile.stored_name)


@SQLITE_ONLY
def test_an_uploaded_export_is_stored_for_its_students_and_graded_with_progress(
    c: Course, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _Fake()
    local = Q.GradingQueue(autograder=lambda: fake)
    monkeypatch.setattr(V, "shared_queue", lambda: local)
    try:
        students = S.course_students_by_username(c.sf, c.prof.id, c.course.id)
        archive = _zip({"ada/lenet5.py": b"x = 1\n", "bob.py": b"y = 2\n", "eve.py": b"z = 3\n", "x.txt": b"t"})
        planned = V.read_uploads([("export.zip", archive)], students)
        with pytest.raises(S.AccessDenied):
            V.grade_upload(c.sf, db_url, c.bob.id, c.course.id, "lenet5", planned)
        entries = V.grade_upload(c.sf, db_url, c.prof.id, c.course.id, "lenet5", planned)
        assert [(e.path, e.student, e.submission_id is not None) for e in entries] == [
            ("ada/lenet5.py", "ada", True),
            ("bob.py", "bob", True),
            ("eve.py", None, False),
            ("x.txt", None, False),
        ]
        _wait(c.sf, c.prof.id, [e.submission_id for e in entries if e.submission_id])
        p = V.progress(c.sf, c.prof.id, entries)
        assert (p.done, p.total, p.fraction, p.text) == (2, 2, 1.0, "2 of 2 graded")
        rows = V.batch_rows(entries, p.verdicts)
        assert [r["verdict"] for r in rows][:2] == ["Checked", "Checked"]
        assert rows[2]["verdict"].startswith("not graded: names no student")
        (ada_sub,) = S.list_code_submissions(c.sf, c.ada.id)
        assert ada_sub.file_name == "lenet5.py" and ada_sub.assessment_id is None
        assert [r.submissions for r in S.course_code_overview(c.sf, c.prof.id, c.course.id, "lenet5")] == [1, 1]
    finally:
        local.close()


def test_queue_ages_read_as_text() -> None:
    assert [V.age_text(x) for x in (None, 5, 125, 7200)] == ["—", "5 s", "2 min", "2.0 h"]
    assert V.queue_status("sqlite:///x.sqlite") is None


def test_pages_are_registered() -> None:
    from ui import routes

    paths = {r.path for r in routes.ROUTES}
    assert "ui/pages/code_submissions.py" in paths and Path(routes.ROOT, "ui/pages/code_submissions.py").is_file()
