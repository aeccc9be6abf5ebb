"""The Courses page and invite links through Streamlit's AppTest (the real router and pages, headless): an
instructor imports a roster (a bad line stops it whole, a good file goes in), adds a TA; a TA reads the roster
only; a student is refused; an invite link sets a password once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from grader import db as D
from grader import services as S
from ui import auth
from ui.state import USER_KEY, services

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
COURSES = "ui/pages/courses.py"
ACCOUNT = "ui/pages/account.py"
BAD = b"username,name,email\nalan,Alan Turing,alan@example.org\nbad name,Bob,bob@example.org\nhopper,Grace,not-mail\n"
GOOD = b"username,name,email\r\nalan,Alan Turing,alan@example.org\r\nkatherine,Katherine Johnson,\r\nada,,\r\n"


@dataclass
class World:
    sf: D.SessionFactory
    prof: S.UserOut
    ada: S.UserOut
    course_id: int


@pytest.fixture
def w(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("CNNQUIZ_DB_URL", f"sqlite:///{tmp_path / 'app.sqlite'}")
    services.clear()
    sf = services()
    setup = S.first_run(sf, "prof", "prof password", display_name="Prof", demo=False)
    ada = S.register_student(sf, "ada", "ada password", setup.join_code, display_name="Ada")
    yield World(sf, setup.instructor, ada, setup.course.id)
    sf.kw["bind"].dispose()
    services.clear()


def _app(page: str, user: S.UserOut | None, sf: D.SessionFactory, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        at.session_state[auth.TOKEN_KEY] = S.issue_session_token(sf, user.id).token
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _run(widget: Any) -> AppTest:
    """Run the app after an interaction with ``widget`` (whose ``run`` runs the whole AppTest)."""
    at = widget.run()
    assert not at.exception, at.exception
    return at


def _count(sf: D.SessionFactory, model: type[D.Base]) -> int:
    with D.read_session(sf) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def _usernames(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["Username"])


def test_an_instructor_imports_a_roster_a_bad_line_stops_it_and_a_good_file_goes_in(w: World) -> None:
    at = _app(COURSES, w.prof, w.sf)
    assert _usernames(at) == ["prof", "ada"]
    users, enrolments = _count(w.sf, D.User), _count(w.sf, D.Enrolment)
    upload = at.file_uploader(key=f"courses.upload.{w.course_id}.0")
    _run(upload.set_value(("roster.csv", BAD, "text/csv")))
    assert at.error and at.error[0].value.startswith("2 problems in this file: nothing will be imported")
    shown = "\n".join(m.value for m in at.markdown)
    assert "**Line 3**: the username 'bad name' is not valid" in shown
    assert "**Line 4**: the email 'not\\-mail' is not an address" in shown
    assert not [b for b in at.button if b.key == f"courses.import.{w.course_id}"]  # no way to import it
    assert (_count(w.sf, D.User), _count(w.sf, D.Enrolment)) == (users, enrolments)

    _run(at.file_uploader(key=f"courses.upload.{w.course_id}.0").set_value(("roster.csv", GOOD, "text/csv")))
    assert not at.error
    assert at.info[0].value.startswith("Importing will create 2 new accounts (each with an invite link).")
    assert list(at.dataframe[1].value["Will"]) == [
        "new account + invite",
        "new account + invite",
        "already in the course",
    ]
    assert _count(w.sf, D.User) == users  # the preview writes nothing
    _run(at.button(key=f"courses.import.{w.course_id}").click())
    assert at.success and at.success[0].value.startswith("Imported: created 2 accounts")
    assert _usernames(at) == ["prof", "ada", "alan", "katherine"]
    assert list(at.dataframe[0].value["Account"]) == ["signed up", "signed up", "invite sent", "invite sent"]
    assert _count(w.sf, D.User) == users + 2 and _count(w.sf, D.Enrolment) == enrolments + 2
    # the uploader starts empty again, and the invite links are there to download
    assert at.file_uploader(key=f"courses.upload.{w.course_id}.1").value is None
    assert at.get("download_button")  # the example file and the invite links
    assert "2 open invites" in "\n".join(c.value for c in at.caption)


def test_an_instructor_adds_a_ta_who_then_reads_the_roster_only(w: World) -> None:
    at = _app(COURSES, w.prof, w.sf)
    at.text_input(key=f"courses.ta_name.{w.course_id}").input("nobody")
    _run(at.button(key=f"FormSubmitter:courses.ta.{w.course_id}-Add TA").click())
    assert at.error and "No account 'nobody'" in at.error[0].value
    at.text_input(key=f"courses.ta_name.{w.course_id}").input("ada")
    _run(at.button(key=f"FormSubmitter:courses.ta.{w.course_id}-Add TA").click())
    assert at.success[0].value == "ada is a teaching assistant of CNN101."
    assert list(at.dataframe[0].value["Role"]) == ["instructor", "TA"]

    ta = _app(COURSES, w.ada, w.sf)  # ada's account is a student account that assists in CNN101
    assert ta.title[0].value == "Courses" and not ta.error
    assert _usernames(ta) == ["prof", "ada"]
    assert (
        not ta.get("file_uploader") and not ta.text_input and "Join code" not in "\n".join(m.value for m in ta.markdown)
    )
    assert [h.value for h in ta.subheader] == ["Roster"]  # no import, no staff or invites
    assert [h.value for h in at.subheader][:3] == ["Roster", "Import a roster", "Teaching assistants and invites"]
    sidebar = "\n".join(c.value for c in ta.sidebar.caption)
    assert "student, teaching assistant" in sidebar


def test_a_student_is_denied_the_courses_page(w: World) -> None:
    at = _app(COURSES, w.ada, w.sf)
    assert at.error and at.error[0].value.startswith("This page is for instructors and teaching assistants")
    assert not at.title and not at.dataframe


def test_an_invite_link_sets_the_password_once_and_signs_in(w: World) -> None:
    done = S.import_roster(w.sf, w.prof.id, w.course_id, GOOD)
    token = done.created[0].token
    at = _app(ACCOUNT, None, w.sf, params={"invite": token})
    assert at.title[0].value == "Set your password"
    assert "**alan** for **CNN101**" in at.markdown[0].value
    at.text_input(key="auth.inv1").input("alan's password")
    at.text_input(key="auth.inv2").input("alan's passwor")
    _run(at.button(key="FormSubmitter:auth.invite-Set password and sign in").click())
    assert at.error[0].value == "The two passwords differ."
    at.text_input(key="auth.inv2").input("alan's password")
    _run(at.button(key="FormSubmitter:auth.invite-Set password and sign in").click())
    assert at.session_state[USER_KEY].username == "alan"
    assert S.authenticate(w.sf, "alan", "alan's password") is not None

    again = _app(ACCOUNT, None, w.sf, params={"invite": token})
    assert again.error and "already used" in again.error[0].value and not again.text_input
    forged = _app(ACCOUNT, None, w.sf, params={"invite": token[:-2] + "xx"})
    assert forged.error and "altered" in forged.error[0].value
