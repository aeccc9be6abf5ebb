"""Rosters, teaching assistants and invites (grader.services.roster, grader.services.invites): the CSV rules line by
line, all-or-nothing imports, invite links that are signed, expiring and single use, and the TA role (grades,
never edits an exam or the roster), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from grader import db as D
from grader import services as S

GOOD = b"username,name,email\nada,Ada Lovelace,ada@example.org\nalan,Alan Turing,\n"


def _lines(errors: list[S.RosterError]) -> list[int | None]:
    return [e.line for e in errors]


# ------------------------------------------------------------------ the file (no database)


def test_a_clean_file_parses_with_bom_crlf_whitespace_and_any_column_order() -> None:
    data = "\ufeffEmail ; Username ;NAME\r\n  ada@example.org ;  ada ;  Ada   Lovelace \r\n\r\n;grace;\r\n".encode()
    p = S.parse_roster_csv(data)
    assert p.errors == []
    assert [(r.line, r.username, r.name, r.email) for r in p.rows] == [
        (2, "ada", "Ada Lovelace", "ada@example.org"),
        (4, "grace", "", None),  # the blank line 3 is skipped but still counted
    ]


def test_every_bad_row_is_reported_with_its_line_and_what_is_wrong() -> None:
    data = (
        b"username,name,email,section\n"  # an extra column: ignored, and named
        b"ada,Ada,ada@example.org,A\n"
        b"bad name,Bob,bob@example.org,A\n"  # 3: a space in the username
        b"carol,Carol,carol(at)example.org,B\n"  # 4: not an address
        b"ADA,Ada again,,B\n"  # 5: ada twice, ignoring case
        b"dan,Dan\n"  # 6: a field missing
        b',"Eve, the second",eve@example.org,B\n'  # 7: a quoted comma is fine, but no username
    )
    p = S.parse_roster_csv(data)
    assert p.ignored_columns == ["section"]
    by_line = {}
    for e in p.errors:
        by_line.setdefault(e.line, []).append(e.message)
    assert sorted(by_line) == [2, 3, 4, 5, 6, 7]
    assert "also on line 5" in by_line[2][0] and "also on line 2" in by_line[5][0]
    assert "'bad name' is not valid" in by_line[3][0]
    assert "'carol(at)example.org' is not an address" in by_line[4][0]
    assert "4 fields expected" in by_line[6][0] and "found 2" in by_line[6][0]
    assert by_line[7] == ["the username is empty"]
    assert p.rows == []  # no row of the file is good: each one above is named
    assert str(p.errors[0]).startswith("line 2: ")


def test_a_multiline_quoted_name_reports_the_line_its_record_starts_on() -> None:
    data = b'username,name,email\nada,"Ada\nLovelace",x@y\nbob,Bob,bob@example.org\n'
    p = S.parse_roster_csv(data)
    assert [(e.line, e.message) for e in p.errors] == [(2, "the email 'x@y' is not an address")]
    assert [(r.line, r.username, r.name) for r in p.rows] == [(4, "bob", "Bob")]


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", None, "empty"),
        (b"user,name,email\nada,Ada,\n", 1, "lacks the column username"),
        (b"username,name,email\n", None, "no students"),
        (b"username,name,email\nada,Ad\xe9le,\n", 2, "not UTF-8"),
        (b"username,name,email\n" + b"x" * S.MAX_ROSTER_BYTES, None, "at most 1,000,000 bytes"),
        (b"username,name,email\n" + b"".join(b"u%d,,\n" % i for i in range(S.MAX_ROSTER_ROWS + 1)), None, "more than"),
        (b'username,name,email\nada,"Ada,\n', 2, "malformed"),
    ],
)
def test_a_file_refused_as_a_whole_says_why(data: bytes, line: int | None, words: str) -> None:
    p = S.parse_roster_csv(data)
    assert p.rows == [] and len(p.errors) == 1, p.errors
    assert p.errors[0].line == line and words in p.errors[0].message


def test_the_row_limit_itself_is_allowed() -> None:
    rows = b"".join(b"u%d,,\n" % i for i in range(S.MAX_ROSTER_ROWS))
    p = S.parse_roster_csv(b"username,name,email\n" + rows)
    assert p.errors == [] and len(p.rows) == S.MAX_ROSTER_ROWS


# ------------------------------------------------------------------ the database


@dataclass
class World:
    sf: D.SessionFactory
    prof: S.UserOut
    other_prof: S.UserOut
    course: S.CourseOut
    old: S.UserOut  # an existing student account, not in the course yet


@pytest.fixture
def w(sf: D.SessionFactory) -> World:
    prof = S.create_user(sf, "prof", "instructor", password="prof password")
    other = S.create_user(sf, "other", "instructor", password="other password")
    course = S.create_course(sf, prof.id, "CNN101", "CNN architectures")
    old = S.create_user(sf, "grace", "student", password="grace password", display_name="Grace H.")
    return World(sf, prof, other, course, old)


def _count(sf: D.SessionFactory, model: type[D.Base]) -> int:
    with D.read_session(sf) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def _role(w: World, username: str) -> str | None:
    return {m.username: m.role for m in S.list_roster(w.sf, w.prof.id, w.course.id)}.get(username)


def test_an_import_creates_new_accounts_with_invites_and_enrols_existing_ones(w: World) -> None:
    data = GOOD + b"grace,Grace Hopper,grace@navy.mil\nprof,,\n"
    preview = S.preview_roster(w.sf, w.prof.id, w.course.id, data)
    assert preview.ok and preview.errors == []
    assert [(r.username, r.action) for r in preview.rows] == [
        ("ada", "create"),
        ("alan", "create"),
        ("grace", "enrol"),
        ("prof", "keep"),  # already this course's instructor
    ]
    assert _count(w.sf, D.User) == 3  # the preview wrote nothing

    out = S.import_roster(w.sf, w.prof.id, w.course.id, data)
    assert [i.username for i in out.created] == ["ada", "alan"]
    assert out.enrolled == ["grace"] and out.kept == ["prof"]
    roster = {m.username: m for m in S.list_roster(w.sf, w.prof.id, w.course.id)}
    assert [m.username for m in S.list_roster(w.sf, w.prof.id, w.course.id)] == ["prof", "ada", "alan", "grace"]
    assert roster["ada"].name == "Ada Lovelace" and roster["ada"].email == "ada@example.org"
    assert roster["ada"].status == "invited" and roster["ada"].role == "student"
    assert roster["grace"].name == "Grace H." and roster["grace"].email is None  # her own details are kept
    assert roster["grace"].status == "active"
    # a new account has no password until its invite is accepted
    assert S.authenticate(w.sf, "ada", "") is None
    links = S.list_invites(w.sf, w.prof.id, w.course.id)
    assert [(i.username, i.token) for i in links] == [(i.username, i.token) for i in out.created]

    again = S.import_roster(w.sf, w.prof.id, w.course.id, data)  # importing the same file twice changes nothing
    assert again.created == [] and again.enrolled == [] and again.kept == ["ada", "alan", "grace", "prof"]
    assert _count(w.sf, D.User) == 5 and _count(w.sf, D.Invite) == 2


def test_one_bad_row_imports_nothing_at_all(w: World) -> None:
    data = GOOD + b"grace,,\nGRACE2,,\nPROF,,\nother,,\nbad!,,\n"
    users, enrolments = _count(w.sf, D.User), _count(w.sf, D.Enrolment)
    with pytest.raises(S.InvalidRoster) as e:
        S.import_roster(w.sf, w.prof.id, w.course.id, data)
    assert [(x.line, x.message.split(" ")[0:3]) for x in e.value.errors] == [
        (6, ["an", "account", "'prof'"]),  # differs only in case from an account that exists
        (7, ["'other'", "is", "an"]),  # an instructor account: not a roster's student
        (8, ["the", "username", "'bad!'"]),
    ]
    assert _count(w.sf, D.User) == users and _count(w.sf, D.Enrolment) == enrolments
    assert _count(w.sf, D.Invite) == 0


def test_only_the_courses_instructors_import_and_a_ta_is_refused(w: World) -> None:
    S.import_roster(w.sf, w.prof.id, w.course.id, GOOD)
    ada = S.user_ids_by_username(w.sf, ["ada"])["ada"]
    ta = S.add_ta(w.sf, w.prof.id, w.course.id, "grace")
    assert ta.role == "ta" and _role(w, "grace") == "ta"
    for actor, words in (
        (w.old.id, "teaching assistant"),
        (ada, "only an instructor"),
        (w.other_prof.id, "not a member"),
    ):
        with pytest.raises(S.AccessDenied, match=words):
            S.import_roster(w.sf, actor, w.course.id, b"username,name,email\nzed,,\n")
        with pytest.raises(S.AccessDenied):
            S.preview_roster(w.sf, actor, w.course.id, GOOD)
        with pytest.raises(S.AccessDenied):
            S.add_ta(w.sf, actor, w.course.id, "alan")
        with pytest.raises(S.AccessDenied):
            S.remove_member(w.sf, actor, w.course.id, ada)
        with pytest.raises(S.AccessDenied):
            S.list_invites(w.sf, actor, w.course.id)
    assert "zed" not in S.user_ids_by_username(w.sf, ["zed"])
    # a TA reads the roster (to grade); a student does not
    assert {m.username for m in S.list_roster(w.sf, w.old.id, w.course.id)} == {"prof", "ada", "alan", "grace"}
    with pytest.raises(S.AccessDenied):
        S.list_roster(w.sf, ada, w.course.id)


def test_a_ta_grades_but_is_refused_exam_changes(w: World) -> None:
    S.add_ta(w.sf, w.prof.id, w.course.id, "grace")
    blueprint = [{"topic": "conv_params", "count": 1, "difficulty": 1}]
    a = S.create_assessment(w.sf, w.prof.id, w.course.id, "Quiz", "homework", blueprint)
    with pytest.raises(S.AccessDenied, match="teaching assistant"):
        S.create_assessment(w.sf, w.old.id, w.course.id, "Mine", "exam", blueprint)
    with pytest.raises(S.AccessDenied, match="teaching assistant"):
        S.update_assessment_times(w.sf, w.old.id, a.id, key_release_at=dt.datetime.now(dt.UTC))
    assert [x.title for x in S.list_assessments(w.sf, w.prof.id, w.course.id)] == ["Quiz"]
    with D.read_session(w.sf) as s:
        assert S.can_grade(s, w.old.id, w.course.id) and not S.can_edit_exam(s, w.old.id, w.course.id)
        assert S.can_grade(s, w.prof.id, w.course.id) and S.can_edit_exam(s, w.prof.id, w.course.id)
        assert S.require_grader(s, w.old.id, w.course.id) == "ta"
        assert S.require_course_role(s, w.prof.id, w.course.id, S.GRADERS) == "instructor"
        with pytest.raises(S.AccessDenied):
            S.require_grader(s, w.other_prof.id, w.course.id)
        with pytest.raises(ValueError):
            S.require_course_role(s, w.prof.id, w.course.id, {"admin"})
    # the TA's account stays a student account, and their courses show them as a TA
    assert S.get_user(w.sf, w.old.id).role == "student"
    assert [(c.course.code, c.role, c.join_code) for c in S.list_my_courses(w.sf, w.old.id)] == [("CNN101", "ta", None)]
    # a TA grades the whole course, so sees its head count, the instructor's
    [prof_view] = [c for c in S.list_my_courses(w.sf, w.prof.id) if c.course.code == "CNN101"]
    [ta_view] = S.list_my_courses(w.sf, w.old.id)
    assert prof_view.students is not None and ta_view.students == prof_view.students


def test_adding_a_ta_promotes_a_student_and_removing_members(w: World) -> None:
    S.import_roster(w.sf, w.prof.id, w.course.id, GOOD)
    assert _role(w, "ada") == "student"
    S.add_ta(w.sf, w.prof.id, w.course.id, "ada")
    S.add_ta(w.sf, w.prof.id, w.course.id, " ada ")  # twice: no change
    assert _role(w, "ada") == "ta"
    with pytest.raises(S.NotFound, match="no account 'nobody'"):
        S.add_ta(w.sf, w.prof.id, w.course.id, "nobody")
    with pytest.raises(S.Conflict):
        S.add_ta(w.sf, w.prof.id, w.course.id, "prof")
    S.add_ta(w.sf, w.prof.id, w.course.id, "other")  # an instructor account may assist in a colleague's course
    assert _role(w, "other") == "ta"
    alan = S.user_ids_by_username(w.sf, ["alan"])["alan"]
    S.remove_member(w.sf, w.prof.id, w.course.id, alan)
    assert _role(w, "alan") is None and S.user_ids_by_username(w.sf, ["alan"])  # the account stays
    with pytest.raises(S.NotFound):
        S.remove_member(w.sf, w.prof.id, w.course.id, alan)
    with pytest.raises(S.AccessDenied, match="yourself"):
        S.remove_member(w.sf, w.prof.id, w.course.id, w.prof.id)


def test_an_invite_sets_the_password_once_and_expires(w: World) -> None:
    t0 = dt.datetime.now(dt.UTC)
    out = S.import_roster(w.sf, w.prof.id, w.course.id, GOOD, invite_ttl=dt.timedelta(days=2), now=t0)
    ada, alan = out.created
    info = S.check_invite(w.sf, ada.token)
    assert (info.username, info.display_name, info.course_code) == ("ada", "Ada Lovelace", "CNN101")
    with pytest.raises(ValueError):
        S.accept_invite(w.sf, ada.token, "short")
    user = S.accept_invite(w.sf, ada.token, "ada's password")
    assert user.username == "ada" and S.authenticate(w.sf, "ada", "ada's password") is not None
    with pytest.raises(S.InvalidInvite) as e:
        S.accept_invite(w.sf, ada.token, "another password")
    assert e.value.reason == "used"
    assert S.authenticate(w.sf, "ada", "ada's password") is not None  # the second try changed nothing
    assert [i.username for i in S.list_invites(w.sf, w.prof.id, w.course.id)] == ["alan"]

    with pytest.raises(S.InvalidInvite) as e:
        S.check_invite(w.sf, alan.token, now=t0 + dt.timedelta(days=2, seconds=1))
    assert e.value.reason == "expired"
    body, mac = alan.token.rsplit(".", 1)
    prefix, invite_id, expiry = body.split(".")
    for forged, reason in (
        (f"{prefix}.{invite_id}.{int(expiry) + 86400}.{mac}", "tampered"),  # a longer life
        (f"{prefix}.{int(invite_id) - 1}.{expiry}.{mac}", "tampered"),  # someone else's invite
        ("i1.1.2", "malformed"),
        ("s1.1.2.3.abc", "malformed"),  # a session token's shape
    ):
        with pytest.raises(S.InvalidInvite) as e:
            S.check_invite(w.sf, forged)
        assert e.value.reason == reason, forged

    # once expired, the instructor makes new links; the old one is then revoked
    later = t0 + dt.timedelta(days=3)
    assert S.list_invites(w.sf, w.prof.id, w.course.id, now=later) == []
    [renewed] = S.renew_invites(w.sf, w.prof.id, w.course.id, now=later)
    assert renewed.username == "alan" and renewed.token != alan.token
    assert S.renew_invites(w.sf, w.prof.id, w.course.id, now=later) == []  # an open invite exists now
    assert S.check_invite(w.sf, renewed.token, now=later).username == "alan"
    with pytest.raises(S.InvalidInvite) as e:
        S.check_invite(w.sf, alan.token, now=t0)
    assert e.value.reason == "revoked"


def test_accepting_an_invite_ends_earlier_sessions(w: World) -> None:
    out = S.import_roster(w.sf, w.prof.id, w.course.id, GOOD)
    ada = out.created[0]
    before = S.issue_session_token(w.sf, ada.user_id).token
    S.accept_invite(w.sf, ada.token, "ada's password")
    with pytest.raises(S.InvalidSession):
        S.verify_session_token(w.sf, before)
