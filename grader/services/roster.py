"""Rosters: importing a course's students from a CSV file, the roster as its staff see it, teaching assistants.

**The file** (:func:`parse_roster_csv`): UTF-8 text (a byte-order mark is fine, as Excel writes one), lines ending
in LF or CRLF, a header line naming the columns ``username``, ``name`` and ``email`` in any order and case (other
columns are ignored and named in the preview; ``;`` or tab instead of ``,`` is recognised from the header, as
spreadsheets in some locales save CSV that way). Blank lines are skipped and every field is stripped of
surrounding whitespace. ``username`` is required and follows the account rule
(:data:`grader.services.USERNAME_RULE`); ``name`` and ``email`` may be empty, a non-empty ``email`` must be an
address. A username that appears twice (ignoring case) is an error on both lines. A file over
:data:`MAX_ROSTER_BYTES`, with more than :data:`MAX_ROSTER_ROWS` rows, or not UTF-8 is refused as a whole.
Every error carries the line it is on (the first line of a record that spans lines), so the instructor fixes the
file and imports it again.

**The import** (:func:`import_roster`) is all or nothing: it validates every row, then checks each against the
database (an account that exists is enrolled, keeping its own name and email; a new one is created), all in one
transaction, and writes nothing if any row is wrong (:class:`InvalidRoster` lists them). Each new account gets an
invite (:mod:`grader.services.invites`) instead of a password. :func:`preview_roster` runs the same checks
without writing, to show what an import would do.

**Teaching assistants** (``ta`` in ``enrolments.role``, see :data:`grader.services.common.Role`): an instructor of
the course adds one by username (:func:`add_ta`, which promotes an enrolled student); a TA reads the roster
(:func:`list_roster`) and grades, but imports no roster, adds or removes nobody, and changes no assessment.

Every function here checks the actor's role in the course, whatever the page shows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import db as D
from ..db import SessionFactory, read_session, write_session
from .accounts import USERNAME_RULE, check_username
from .common import (
    GRADERS,
    AccessDenied,
    Conflict,
    NotFound,
    OutModel,
    Role,
    ServiceError,
    now_utc,
    require_course_role,
    require_teacher,
    retrying,
    user_row,
)
from .courses import student_counts
from .invites import INVITE_TTL, InviteLinkOut, _link, invite_key, new_invite, open_invite

MAX_ROSTER_BYTES = 1_000_000
"""A roster file's size limit (about 10,000 rows of typical length; far above :data:`MAX_ROSTER_ROWS`)."""
MAX_ROSTER_ROWS = 2000
"""The most students one file imports."""
ROSTER_COLUMNS = ("username", "name", "email")
MAX_NAME = 200
MAX_EMAIL = 254

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)

Action = Literal["create", "enrol", "keep"]
"""What an import does with a row: create the account (and enrol it), enrol an existing account, or leave a member
as they are."""


class RosterError(OutModel):
    line: int | None
    """The file's line (1 is the header), or ``None`` for the file as a whole."""
    message: str

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


class InvalidRoster(ServiceError, ValueError):
    """A roster file with errors: nothing was imported. ``errors`` lists them by line."""

    def __init__(self, errors: list[RosterError]) -> None:
        n = len(errors)
        super().__init__(f"the roster has {n} error{'s' * (n != 1)}; nothing was imported")
        self.errors = errors


class RosterRow(OutModel):
    line: int
    username: str
    name: str
    email: str | None


class ParsedRoster(OutModel):
    rows: list[RosterRow]
    errors: list[RosterError]
    ignored_columns: list[str]


class RosterRowPlan(RosterRow):
    action: Action
    note: str
    """Why (``already a student of this course``, ``existing account: its own name and email are kept``...)."""


class RosterPreview(OutModel):
    """What importing the file would do: a plan per row, or the errors that stop it."""

    rows: list[RosterRowPlan]
    errors: list[RosterError]
    ignored_columns: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def count(self, action: Action) -> int:
        return sum(r.action == action for r in self.rows)


class RosterImportOut(OutModel):
    """What an import did: the new accounts with their invites, the usernames enrolled and those left as they were."""

    created: list[InviteLinkOut]
    enrolled: list[str]
    kept: list[str]


class RosterMemberOut(OutModel):
    user_id: int
    username: str
    name: str
    email: str | None
    role: Role
    joined: dt.datetime
    status: Literal["active", "invited", "no_password"]
    """``active``: the account has a password; ``invited``: it has an open invite; ``no_password``: neither (its
    invite expired or was never made; :func:`grader.services.renew_invites` makes new ones)."""


class StaffCourseOut(OutModel):
    """A course its staff manage: ``join_code`` for its instructors only."""

    id: int
    code: str
    title: str
    role: Role
    join_code: str | None
    students: int


# ------------------------------------------------------------------ the file


def _clean(text: str) -> str:
    return " ".join(text.split())


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text)


def parse_roster_csv(data: bytes) -> ParsedRoster:
    """The rows of a roster file and every error in it, by line (see the module docstring). Pure: no database."""

    def fail(message: str, line: int | None = None) -> ParsedRoster:
        return ParsedRoster(rows=[], errors=[RosterError(line=line, message=message)], ignored_columns=[])

    if not isinstance(data, bytes | bytearray):
        raise TypeError("a roster file is bytes")
    if len(data) > MAX_ROSTER_BYTES:
        return fail(f"the file is {len(data):,} bytes; a roster file is at most {MAX_ROSTER_BYTES:,} bytes")
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return fail(f"not UTF-8 text (byte 0x{data[e.start]:02x}): save the file as 'CSV UTF-8' and try again", line)
    if not text.strip():
        return fail("the file is empty: it needs a header line 'username,name,email' and a line per student")

    first = next(line for line in text.splitlines() if line.strip())
    delimiter = next((d for d in ",;\t" if d in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    errors: list[RosterError] = []
    rows: list[RosterRow] = []
    header: list[str] | None = None
    index: dict[str, int] = {}
    ignored: list[str] = []
    records = 0
    end = 0  # the line the previous record ended on
    try:
        for record in reader:
            line, end = end + 1, reader.line_num
            fields = [f.strip() for f in record]
            if not any(fields):
                continue
            if header is None:
                header = [f.lower() for f in fields]
                dupes = sorted({h for h in header if h and header.count(h) > 1})
                missing = [c for c in ROSTER_COLUMNS if c not in header]
                if dupes or missing:
                    problems = []
                    if missing:
                        problems.append(f"the header lacks the column{'s' * (len(missing) > 1)} {', '.join(missing)}")
                    if dupes:
                        problems.append(f"it names {', '.join(dupes)} twice")
                    found = ", ".join(repr(f[:40]) for f in fields[:6])
                    return fail(
                        f"{' and '.join(problems)} (found {found}): the first line must be 'username,name,email'", line
                    )
                index = {c: header.index(c) for c in ROSTER_COLUMNS}
                ignored = [f for f, h in zip(fields, header, strict=True) if h not in ROSTER_COLUMNS]
                continue
            records += 1
            if records > MAX_ROSTER_ROWS:
                return fail(f"the file has more than {MAX_ROSTER_ROWS:,} students: split it into smaller files")
            if len(fields) != len(header):
                hint = ": does a name with a comma lack its quotes?" if len(fields) > len(header) else ""
                message = f"{len(header)} fields expected ({', '.join(header)}), found {len(fields)}{hint}"
                errors.append(RosterError(line=line, message=message))
                continue
            username, name, email = (fields[index[c]] for c in ROSTER_COLUMNS)
            problems = _row_problems(username, _clean(name), email)
            errors.extend(RosterError(line=line, message=p) for p in problems)
            rows.append(RosterRow(line=line, username=username, name=_clean(name), email=email or None))
    except csv.Error as e:
        errors.append(RosterError(line=reader.line_num, message=f"the CSV is malformed here ({e}): check the quotes"))
    # a username on several lines (ignoring case) is an error on each of them, so they are fixed together
    lines_of: dict[str, list[int]] = {}
    for r in rows:
        if r.username:
            lines_of.setdefault(r.username.casefold(), []).append(r.line)
    for r in rows:
        others = [n for n in lines_of.get(r.username.casefold(), []) if n != r.line]
        if others:
            where = ", ".join(map(str, others))
            errors.append(RosterError(line=r.line, message=f"the username {r.username!r} is also on line {where}"))
    bad = {e.line for e in errors}
    rows = [r for r in rows if r.line not in bad]
    if not rows and not errors:
        errors.append(RosterError(line=None, message="the file has a header but no students"))
    errors.sort(key=lambda e: e.line or 0)  # stable: a line's problems stay in the order they were found
    return ParsedRoster(rows=rows, errors=errors, ignored_columns=ignored)


def _row_problems(username: str, name: str, email: str) -> list[str]:
    problems = []
    if not username:
        problems.append("the username is empty")
    else:
        try:
            check_username(username)
        except ValueError:
            problems.append(f"the username {username[:70]!r} is not valid ({USERNAME_RULE})")
    if _has_control(name):
        problems.append("the name contains control characters")
    elif len(name) > MAX_NAME:
        problems.append(f"the name is {len(name)} characters; at most {MAX_NAME}")
    if email and (len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email)):
        problems.append(f"the email {email[:80]!r} is not an address")
    return problems


# ------------------------------------------------------------------ the plan against the database


def _plan(s: Session, course_id: int, parsed: ParsedRoster) -> RosterPreview:
    """Each parsed row's action, and the rows the database makes wrong (in the caller's transaction)."""
    errors = list(parsed.errors)
    exact: dict[str, D.User] = {}
    folded: dict[str, D.User] = {}
    names = {r.username.casefold() for r in parsed.rows}
    if names:  # usernames are ASCII (the account rule), where SQL's lower() and casefold() agree
        for u in s.execute(select(D.User).where(func.lower(D.User.username).in_(names))).scalars():
            exact[u.username] = u
            folded[u.username.casefold()] = u
    roles = dict(
        s.execute(select(D.Enrolment.user_id, D.Enrolment.role).where(D.Enrolment.course_id == course_id)).all()
    )
    plans: list[RosterRowPlan] = []
    for r in parsed.rows:
        base = r.model_dump()
        u = exact.get(r.username)
        if u is None:
            variant = folded.get(r.username.casefold())
            if variant is None:
                plans.append(RosterRowPlan(**base, action="create", note="new account, with an invite link"))
            else:
                message = (
                    f"an account {variant.username!r} exists (the usernames differ only in case): use that spelling"
                )
                errors.append(RosterError(line=r.line, message=message))
        elif u.id in roles:
            what = {"student": "a student", "ta": "a teaching assistant", "instructor": "an instructor"}[roles[u.id]]
            plans.append(RosterRowPlan(**base, action="keep", note=f"already {what} of this course"))
        elif u.role != "student":
            message = (
                f"{u.username!r} is an instructor account: a roster enrols students "
                "(add a colleague as a teaching assistant instead)"
            )
            errors.append(RosterError(line=r.line, message=message))
        else:
            note = "existing account: enrolled, keeping its own name and email"
            plans.append(RosterRowPlan(**base, action="enrol", note=note))
    errors.sort(key=lambda e: e.line or 0)
    bad = {e.line for e in errors}
    return RosterPreview(
        rows=[p for p in plans if p.line not in bad], errors=errors, ignored_columns=parsed.ignored_columns
    )


def _course(s: Session, course_id: int) -> D.Course:
    c = s.get(D.Course, course_id)
    if c is None:
        raise NotFound(f"no course {course_id}")
    return c


def preview_roster(sf: SessionFactory, actor_id: int, course_id: int, data: bytes) -> RosterPreview:
    """What :func:`import_roster` would do with this file, row by row, and every error (nothing is written)."""
    parsed = parse_roster_csv(data)
    with read_session(sf) as s:
        _course(s, course_id)
        require_teacher(s, actor_id, course_id)
        return _plan(s, course_id, parsed)


def import_roster(
    sf: SessionFactory,
    actor_id: int,
    course_id: int,
    data: bytes,
    *,
    invite_ttl: dt.timedelta = INVITE_TTL,
    now: dt.datetime | None = None,
) -> RosterImportOut:
    """Enrol every row of the file in the course, creating the accounts that do not exist (each with an invite);
    all or nothing: any error raises :class:`InvalidRoster` and nothing is written (its instructors only)."""
    t = now_utc(now)
    parsed = parse_roster_csv(data)
    key = invite_key(sf)  # before the write transaction (the secret is created in its own)

    def tx() -> RosterImportOut:
        with write_session(sf) as s:
            _course(s, course_id)
            require_teacher(s, actor_id, course_id)
            plan = _plan(s, course_id, parsed)
            if plan.errors:
                raise InvalidRoster(plan.errors)
            created: list[InviteLinkOut] = []
            enrolled: list[str] = []
            for r in plan.rows:
                if r.action == "keep":
                    continue
                if r.action == "create":
                    u = D.User(
                        username=r.username,
                        display_name=r.name,
                        email=r.email,
                        role="student",
                        password_hash=None,
                        created_at=t,
                    )
                    s.add(u)
                    s.flush()
                else:
                    u = s.execute(select(D.User).where(D.User.username == r.username)).scalar_one()
                    enrolled.append(u.username)
                s.add(D.Enrolment(user_id=u.id, course_id=course_id, role="student", created_at=t))
                if r.action == "create":
                    created.append(_link(key, new_invite(s, u.id, course_id, actor_id, t, invite_ttl), u))
            s.flush()
            kept = [r.username for r in plan.rows if r.action == "keep"]
            return RosterImportOut(created=created, enrolled=enrolled, kept=kept)

    return retrying(tx)


# ------------------------------------------------------------------ the roster and its staff


def list_roster(
    sf: SessionFactory, actor_id: int, course_id: int, *, now: dt.datetime | None = None
) -> list[RosterMemberOut]:
    """Every member of the course, staff first then by username (its instructors and TAs)."""
    has_invite = open_invite(now_utc(now))
    with read_session(sf) as s:
        _course(s, course_id)
        require_course_role(s, actor_id, course_id, GRADERS)
        rows = s.execute(
            select(D.User, D.Enrolment.role, D.Enrolment.created_at, has_invite)
            .join(D.Enrolment, D.Enrolment.user_id == D.User.id)
            .where(D.Enrolment.course_id == course_id)
        ).all()
    order = {"instructor": 0, "ta": 1, "student": 2}
    out = [
        RosterMemberOut(
            user_id=u.id,
            username=u.username,
            name=u.display_name,
            email=u.email,
            role=role,
            joined=joined,
            status="active" if u.password_hash is not None else "invited" if invited else "no_password",
        )
        for u, role, joined, invited in rows
    ]
    return sorted(out, key=lambda m: (order[m.role], m.username.casefold()))


def staffed_courses(sf: SessionFactory, actor_id: int) -> list[StaffCourseOut]:
    """The courses the actor teaches, then those they assist in (a TA), each by code, with their head counts."""
    with read_session(sf) as s:
        user_row(s, actor_id)
        rows = s.execute(
            select(D.Course, D.Enrolment.role)
            .join(D.Enrolment, D.Enrolment.course_id == D.Course.id)
            .where(D.Enrolment.user_id == actor_id, D.Enrolment.role.in_(GRADERS))
        ).all()
        counts = student_counts(s, [c.id for c, _ in rows])
    out = [
        StaffCourseOut(
            id=c.id,
            code=c.code,
            title=c.title,
            role=role,
            join_code=c.join_code if role == "instructor" else None,
            students=int(counts.get(c.id, 0)),
        )
        for c, role in rows
    ]
    return sorted(out, key=lambda c: (c.role != "instructor", c.code))


def course_instructors(sf: SessionFactory, course: str) -> tuple[int, str, list[str]] | None:
    """``(id, code, instructors' usernames)`` of the course with this code (or id), or ``None``.

    For the command line, whose operator holds the database itself: it picks the acting instructor, whose role
    the import then checks as the app does.
    """
    with read_session(sf) as s:
        c = s.execute(select(D.Course).where(D.Course.code == course)).scalar_one_or_none()
        if c is None and course.isdigit():
            c = s.get(D.Course, int(course))
        if c is None:
            return None
        names = s.execute(
            select(D.User.username)
            .join(D.Enrolment, D.Enrolment.user_id == D.User.id)
            .where(D.Enrolment.course_id == c.id, D.Enrolment.role == "instructor")
            .order_by(D.User.username)
        ).scalars()
        return c.id, c.code, list(names)


def assists(sf: SessionFactory, user_id: int) -> bool:
    """Whether the user is a teaching assistant in any course (the app shows them its Teaching pages)."""
    with read_session(sf) as s:
        query = select(D.Enrolment.id).where(D.Enrolment.user_id == user_id, D.Enrolment.role == "ta").limit(1)
        return s.execute(query).first() is not None


def _status(s: Session, u: D.User, t: dt.datetime) -> Literal["active", "invited", "no_password"]:
    if u.password_hash is not None:
        return "active"
    invited = s.execute(
        select(D.Invite.id).where(
            D.Invite.user_id == u.id,
            D.Invite.used_at.is_(None),
            D.Invite.revoked_at.is_(None),
            D.Invite.expires_at > t,
        )
    ).first()
    return "invited" if invited is not None else "no_password"


def add_ta(sf: SessionFactory, actor_id: int, course_id: int, username: str) -> RosterMemberOut:
    """Make the account ``username`` a teaching assistant of the course (an enrolled student is promoted; adding
    a TA twice changes nothing). Its instructors only; the account must exist."""
    username = username.strip()

    def tx() -> RosterMemberOut:
        with write_session(sf) as s:
            _course(s, course_id)
            require_teacher(s, actor_id, course_id)
            u = s.execute(select(D.User).where(D.User.username == username)).scalar_one_or_none()
            if u is None:
                raise NotFound(f"no account {username!r}: import it with the roster first, or check the spelling")
            e = s.execute(
                select(D.Enrolment).where(D.Enrolment.user_id == u.id, D.Enrolment.course_id == course_id)
            ).scalar_one_or_none()
            if e is None:
                e = D.Enrolment(user_id=u.id, course_id=course_id, role="ta")
                s.add(e)
            elif e.role == "instructor":
                raise Conflict(f"{username!r} is an instructor of this course already")
            else:
                e.role = "ta"
            s.flush()
            return RosterMemberOut(
                user_id=u.id,
                username=u.username,
                name=u.display_name,
                email=u.email,
                role="ta",
                joined=e.created_at,
                status=_status(s, u, now_utc(None)),
            )

    return retrying(tx)


def remove_member(sf: SessionFactory, actor_id: int, course_id: int, user_id: int) -> None:
    """Take a member out of the course (their account, attempts and grades stay). Its instructors only; an
    instructor cannot remove themself, so a course always keeps one."""
    with write_session(sf) as s:
        _course(s, course_id)
        require_teacher(s, actor_id, course_id)
        if user_id == actor_id:
            raise AccessDenied("you cannot remove yourself from a course you teach")
        user_row(s, user_id)
        e = s.execute(
            select(D.Enrolment).where(D.Enrolment.user_id == user_id, D.Enrolment.course_id == course_id)
        ).scalar_one_or_none()
        if e is None:
            raise NotFound("this account is not a member of the course")
        s.delete(e)
