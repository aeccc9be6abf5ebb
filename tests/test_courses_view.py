"""The Courses page's logic without Streamlit (ui.courses_view), and ``cnnquiz courses roster``."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from typer.testing import CliRunner

from grader import db as D
from grader import services as S
from ui import courses_view as V
from ui.cli import app

T = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def _member(username: str, role: str, status: str = "active", user_id: int = 1, name: str = "") -> S.RosterMemberOut:
    return S.RosterMemberOut(
        user_id=user_id, username=username, name=name, email=None, role=role, joined=T, status=status
    )  # type: ignore[arg-type]


def test_the_roster_table_and_its_caption() -> None:
    members = [
        _member("prof", "instructor", user_id=1),
        _member("grace", "ta", user_id=2, name="Grace"),
        _member("ada", "student", "invited", user_id=3, name="Ada"),
        _member("alan", "student", "no_password", user_id=4),
    ]
    rows = V.roster_rows(members)
    assert [r["Username"] for r in rows] == ["prof", "grace", "ada", "alan"]
    assert [r["Role"] for r in rows] == ["instructor", "TA", "student", "student"]
    assert [r["Account"] for r in rows] == ["signed up", "signed up", "invite sent", "invite expired"]
    assert rows[0]["Joined"] == "2026-03-01"
    assert list(rows[0]) == ["Username", "Name", "Role", "Email", "Joined", "Account"]
    assert V.roster_caption(members) == "2 students · 1 TA · 1 instructor · 2 not signed up yet"
    assert V.removable(members, actor_id=1) == {2: "grace (TA, Grace)", 3: "ada (student, Ada)", 4: "alan (student)"}


def test_a_preview_says_what_will_happen_and_errors_name_their_lines() -> None:
    rows = [
        S.RosterRowPlan(line=2, username="ada", name="Ada", email=None, action="create", note=""),
        S.RosterRowPlan(line=3, username="bob", name="", email=None, action="create", note=""),
        S.RosterRowPlan(line=4, username="grace", name="", email=None, action="enrol", note=""),
        S.RosterRowPlan(line=5, username="prof", name="", email=None, action="keep", note=""),
    ]
    p = S.RosterPreview(rows=rows, errors=[], ignored_columns=["section"])
    assert V.preview_summary(p) == (
        "Importing will create 2 new accounts (each with an invite link) and enrol 1 existing account. "
        "1 row already in the course will be left as it is. Ignored columns: section."
    )
    assert [r["Will"] for r in V.preview_rows(p)] == [
        "new account + invite",
        "new account + invite",
        "enrol existing account",
        "already in the course",
    ]
    only_kept = S.RosterPreview(rows=rows[3:], errors=[], ignored_columns=[])
    assert V.preview_summary(only_kept) == "Everyone in this file is in the course already."

    errors = S.parse_roster_csv(b"username,name,email\n**bold**,x,\nada,[a](http://evil),not-mail\n").errors
    lines = V.error_lines(errors)
    assert lines[0].startswith("- **Line 2**: the username ") and "\\*\\*bold\\*\\*" in lines[0]
    assert lines[1].startswith("- **Line 3**: the email ") and "[a](" not in "".join(lines)  # shown, never a link
    assert V.error_heading(errors).startswith("2 problems in this file: nothing will be imported")
    assert V.error_lines([S.RosterError(line=None, message="too big")]) == ["- **File**: too big"]


def test_invite_links_point_at_the_account_page_of_this_app() -> None:
    assert V.app_base_url("http://host:8501/courses") == "http://host:8501"
    assert V.app_base_url("https://uni.example/cnnquiz/courses?x=1") == "https://uni.example/cnnquiz"
    assert V.app_base_url("http://host:8501/") == "http://host:8501"
    assert V.app_base_url(None) == V.DEFAULT_BASE_URL and V.app_base_url("not a url") == V.DEFAULT_BASE_URL
    assert V.invite_url("https://uni.example/cnnquiz/", "i1.2.3.abc") == (
        "https://uni.example/cnnquiz/account?invite=i1.2.3.abc"
    )
    links = [
        S.InviteLinkOut(
            user_id=1, username="ada", name="=HYPERLINK(1)", email="ada@x.org", token="i1.1.9.a", expires_at=T
        ),
        S.InviteLinkOut(user_id=2, username="bob", name="Bob, Jr.", email=None, token="i1.2.9.b", expires_at=T),
    ]
    data = V.invites_csv(links, "http://h")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == {
        "username": "ada",
        "name": "'=HYPERLINK(1)",  # a spreadsheet shows it, never runs it
        "email": "ada@x.org",
        "invite_link": "http://h/account?invite=i1.1.9.a",
        "expires_utc": "2026-03-01 09:30",
    }
    assert rows[1]["name"] == "Bob, Jr." and rows[1]["email"] == ""
    assert V.invites_file_name("CNN 101/x") == "CNN_101_x-invites.csv"


def test_the_import_message_and_the_invites_caption() -> None:
    link = S.InviteLinkOut(user_id=1, username="ada", name="", email=None, token="t", expires_at=T)
    done = S.RosterImportOut(created=[link], enrolled=["grace", "alan"], kept=[])
    assert V.import_note(done) == (
        "Imported: created 1 account (download their invite links below); enrolled 2 existing accounts."
    )
    assert V.import_note(S.RosterImportOut(created=[], enrolled=[], kept=[])) == "Nothing to import."
    assert V.invites_caption([], [_member("prof", "instructor")]).startswith("No open invites: everyone")
    expired = [_member("alan", "student", "no_password")]
    assert V.invites_caption([link], expired).startswith("1 open invite: each link")
    assert V.invites_caption([link], expired).endswith("1 account without a password and without a valid link.")


# ------------------------------------------------------------------ the command line

runner = CliRunner()


def test_cnnquiz_courses_roster_prints_bad_lines_and_exits_2_then_imports(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cnnquiz.sqlite'}"
    D.upgrade(url)
    engine = D.make_engine(url)
    try:
        sf = D.session_factory(engine)
        prof = S.create_user(sf, "prof", "instructor", password="prof password")
        S.create_course(sf, prof.id, "CNN101", "CNN architectures")
        bad = tmp_path / "bad.csv"
        bad.write_bytes(b"username,name,email\r\nada,Ada,ada@example.org\r\nbad name,,\r\nalan,,alan@@x\r\n")
        r = runner.invoke(app, ["courses", "roster", "CNN101", str(bad), "--db-url", url])
        assert r.exit_code == 2, r.output
        assert "bad.csv: line 3: the username 'bad name' is not valid" in r.output
        assert "bad.csv: line 4: the email 'alan@@x' is not an address" in r.output
        assert "nothing was imported" in r.output
        assert S.user_ids_by_username(sf, ["ada"]) == {}

        r = runner.invoke(app, ["courses", "roster", "NOPE", str(bad), "--db-url", url])
        assert r.exit_code == 2 and "no course 'NOPE'" in r.output

        good = tmp_path / "good.csv"
        good.write_bytes(b"username,name,email\nada,Ada,ada@example.org\nalan,Alan,\n")
        out = tmp_path / "invites.csv"
        args = ["courses", "roster", "CNN101", str(good), "--db-url", url, "--invites", str(out)]
        r = runner.invoke(app, [*args, "--base-url", "https://quiz.example"])
        assert r.exit_code == 0, r.output
        assert "CNN101: created 2, enrolled 0, already members 0" in r.output
        links = list(csv.DictReader(io.StringIO(out.read_text())))
        assert [x["username"] for x in links] == ["ada", "alan"]
        token = links[0]["invite_link"].split("?invite=", 1)[1]
        assert links[0]["invite_link"].startswith("https://quiz.example/account?invite=")
        assert S.check_invite(sf, token).username == "ada"
        course_id = S.staffed_courses(sf, prof.id)[0].id
        assert {m.username for m in S.list_roster(sf, prof.id, course_id)} == {"prof", "ada", "alan"}
    finally:
        engine.dispose()
