"""The Courses page's logic (tested without Streamlit): the roster as a table, an import's preview and its errors
line by line, the invite links as a CSV file, and the app's own address that the links start with.

The page (``ui/pages/courses.py``) only lays these out; every action goes through :mod:`grader.services`, which
checks the actor's role in the course (an instructor manages the roster, a TA only reads it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from urllib.parse import urlsplit

from grader.services import (
    InviteLinkOut,
    RosterError,
    RosterImportOut,
    RosterMemberOut,
    RosterPreview,
    StaffCourseOut,
)

from .mathtext import md

ACCOUNT_PAGE = "account"
"""The URL path of the Account page (Streamlit's ``url_path`` of ``ui/pages/account.py``)."""
DEFAULT_BASE_URL = "http://localhost:8501"
ROLE_LABELS = {"instructor": "instructor", "ta": "TA", "student": "student"}
STATUS_LABELS = {"active": "signed up", "invited": "invite sent", "no_password": "invite expired"}
ACTION_LABELS = {
    "create": "new account + invite",
    "enrol": "enrol existing account",
    "keep": "already in the course",
}
ROSTER_HELP = (
    "A CSV file with a header line `username,name,email` (UTF-8, any column order; other columns are ignored). "
    "Existing accounts are enrolled; each new one gets an invite link to set its password. "
    "Nothing is imported if any line is wrong."
)
EXAMPLE_CSV = "username,name,email\nada,Ada Lovelace,ada@example.org\nalan,Alan Turing,alan@example.org\n"


def course_label(c: StaffCourseOut) -> str:
    """How the course picker names a course (a TA's are marked, as they only read the roster there)."""
    return f"{c.code}: {c.title}" + (" (TA)" if c.role == "ta" else "")


def roster_rows(members: Sequence[RosterMemberOut]) -> list[dict[str, str]]:
    """The roster table: one row per member, in the service's order (staff first, then by username)."""
    return [
        {
            "Username": m.username,
            "Name": m.name,
            "Role": ROLE_LABELS[m.role],  # before the email, so that a phone's first screen shows it
            "Email": m.email or "",
            "Joined": m.joined.strftime("%Y-%m-%d"),
            "Account": STATUS_LABELS[m.status],
        }
        for m in members
    ]


def roster_caption(members: Sequence[RosterMemberOut]) -> str:
    n = {r: sum(m.role == r for m in members) for r in ("student", "ta", "instructor")}
    parts = [_count(n["student"], "student"), _count(n["ta"], "TA"), _count(n["instructor"], "instructor")]
    waiting = sum(m.status != "active" for m in members)
    tail = f" · {waiting} not signed up yet" if waiting else ""
    return " · ".join(parts) + tail


def removable(members: Sequence[RosterMemberOut], actor_id: int) -> dict[int, str]:
    """The members the asker may remove (everyone but themself), as choice labels by user id."""
    return {
        m.user_id: f"{m.username} ({ROLE_LABELS[m.role]}{', ' + m.name if m.name else ''})"
        for m in members
        if m.user_id != actor_id
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


# ------------------------------------------------------------------ importing


def preview_rows(preview: RosterPreview) -> list[dict[str, str | int]]:
    return [
        {
            "Line": r.line,
            "Username": r.username,
            "Name": r.name,
            "Email": r.email or "",
            "Will": ACTION_LABELS[r.action],
        }
        for r in preview.rows
    ]


def preview_summary(preview: RosterPreview) -> str:
    """What the import will do, in one sentence (for a file without errors)."""
    create, enrol, keep = (preview.count(a) for a in ("create", "enrol", "keep"))
    parts = []
    if create:
        parts.append(f"create {_count(create, 'new account')} (each with an invite link)")
    if enrol:
        parts.append(f"enrol {_count(enrol, 'existing account')}")
    text = "Importing will " + " and ".join(parts) + "." if parts else "Everyone in this file is in the course already."
    if keep and parts:
        text += f" {_count(keep, 'row')} already in the course will be left as {'they are' if keep > 1 else 'it is'}."
    if preview.ignored_columns:
        text += f" Ignored columns: {', '.join(preview.ignored_columns)}."
    return text


def error_heading(errors: Sequence[RosterError]) -> str:
    n = len(errors)
    return f"{_count(n, 'problem')} in this file: nothing will be imported. Fix {'it' if n == 1 else 'them'} and upload the file again."


def error_lines(errors: Sequence[RosterError]) -> list[str]:
    """Each error as a Markdown list item, ``**Line 4**: what is wrong`` (the file's text escaped)."""
    out = []
    for e in errors:
        where = "**File**" if e.line is None else f"**Line {e.line}**"
        out.append(f"- {where}: {md(e.message, limit=300)}")
    return out


# ------------------------------------------------------------------ invites


def app_base_url(page_url: str | None) -> str:
    """The app's root URL from the URL of the page being shown (``http://host:8501/courses`` →
    ``http://host:8501``; an app served under a path keeps it)."""
    if not page_url:
        return DEFAULT_BASE_URL
    parts = urlsplit(page_url)
    if not parts.scheme or not parts.netloc:
        return DEFAULT_BASE_URL
    path = parts.path.rstrip("/")
    path = path[: path.rfind("/")] if "/" in path else ""
    return f"{parts.scheme}://{parts.netloc}{path}"


def invite_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/{ACCOUNT_PAGE}?invite={token}"


def _cell(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP: a leading ``= + - @`` or tab/CR is quoted off)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def invites_csv(links: Sequence[InviteLinkOut], base_url: str) -> bytes:
    """The invite links as a CSV file for the instructor to mail merge: username, name, email, link, expiry (UTC)."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["username", "name", "email", "invite_link", "expires_utc"])
    for i in links:
        w.writerow(
            [
                _cell(i.username),
                _cell(i.name),
                _cell(i.email or ""),
                invite_url(base_url, i.token),
                i.expires_at.strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return buf.getvalue().encode("utf-8")


def invites_file_name(course_code: str) -> str:
    """``CNN101-invites.csv`` (a course code made safe for a file name)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in course_code)[:40] or "course"
    return f"{safe}-invites.csv"


def import_note(done: RosterImportOut) -> str:
    """What an import did, for the message shown after it."""
    parts = []
    if done.created:
        parts.append(f"created {_count(len(done.created), 'account')} (download their invite links below)")
    if done.enrolled:
        parts.append(f"enrolled {_count(len(done.enrolled), 'existing account')}")
    if done.kept:
        parts.append(f"left {_count(len(done.kept), 'member')} as {'they were' if len(done.kept) > 1 else 'it was'}")
    return ("Imported: " + "; ".join(parts) + ".") if parts else "Nothing to import."


def invites_caption(links: Sequence[InviteLinkOut], members: Sequence[RosterMemberOut]) -> str:
    expired = sum(m.status == "no_password" for m in members)
    if not links and not expired:
        return "No open invites: everyone imported has set a password."
    text = (
        f"{_count(len(links), 'open invite')}: each link lets one new student set their password once, "
        "until it expires."
        if links
        else "No open invites."
    )
    if expired:
        text += f" {_count(expired, 'account')} without a password and without a valid link."
    return text
