"""What the app tests share: a database for the app's pages (AppTest) and for a served app (the real-browser tests),
a headless Chromium, and the AppTest steps that check each run raised nothing.

The Selenium steps themselves live in :mod:`tools.browser`; the fixtures built on these (``fresh``, ``browser``) in
``tests/conftest.py``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from grader import db as D
from grader import services as S
from tools.browser import available, chromium, db_url, serve
from ui.state import USER_KEY
from ui.state import services as cached_services

# ------------------------------------------------------------------ the database

COURSE = ("CNN101", "Convolutional networks")


@dataclass
class CourseDb:
    """The database at ``url`` with one course (made by :func:`one_course`): its instructor and a student, Ada."""

    url: str
    sf: D.SessionFactory
    prof: S.UserOut
    ada: S.UserOut
    course: S.CourseOut


@contextmanager
def app_services(monkeypatch: pytest.MonkeyPatch, url: str) -> Iterator[D.SessionFactory]:
    """Point the app at the database ``url`` (its cached session factory is rebuilt on it) and yield a session
    factory of the test's own on it; afterwards the cache is cleared and the engine disposed."""
    monkeypatch.setenv("CNNQUIZ_DB_URL", url)
    cached_services.clear()  # the page's cached session factory must point at this test's database
    engine = D.make_engine(url)
    try:
        yield D.session_factory(engine)
    finally:
        cached_services.clear()
        engine.dispose()


def one_course(sf: D.SessionFactory, *students: str) -> tuple[S.UserOut, list[S.UserOut], S.CourseOut]:
    """An instructor ``prof``, the students (display name: the username capitalised) and a course CNN101 that
    they are enrolled in, in that order: ``(prof, students, course)``."""
    prof = S.create_user(sf, "prof", "instructor")
    users = [S.create_user(sf, name, "student", display_name=name.capitalize()) for name in students]
    course = S.create_course(sf, prof.id, *COURSE)
    for u in users:
        S.enrol(sf, prof.id, course.id, u.id)
    return prof, users, course


def count_rows(sf: D.SessionFactory, model: type[D.Base]) -> int:
    with D.read_session(sf) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


@contextmanager
def migrated(url: str) -> Iterator[D.SessionFactory]:
    """The database at ``url`` migrated to the head, and a session factory on it; the engine is disposed afterwards."""
    D.upgrade(url)
    engine = D.make_engine(url)
    try:
        yield D.session_factory(engine)
    finally:
        engine.dispose()


@contextmanager
def site_database(prefix: str) -> Iterator[tuple[str, D.SessionFactory]]:
    """A new data directory (a temp dir named ``prefix…``) whose database is migrated, as a server started on it by
    :func:`served` would use it: ``(data dir, session factory)``."""
    data = tempfile.mkdtemp(prefix=prefix)
    with migrated(db_url(data)) as sf:
        yield data, sf


# ------------------------------------------------------------------ the served app and the browser


@contextmanager
def served(data: str | Path, *, stop_timeout: float = 20) -> Iterator[str]:
    """The real app (:func:`tools.browser.serve`) on the data directory ``data``: its URL; stopped afterwards."""
    proc, url = serve(data)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=stop_timeout)


@contextmanager
def headless_chromium(width: int, height: int, **options: Any) -> Iterator[Any]:
    """A headless Chromium (:func:`tools.browser.chromium`, with its ``options``), quit afterwards; the test fails
    (it is not skipped) when Chromium or ChromeDriver is missing."""
    if not available():
        pytest.fail("Chromium/ChromeDriver missing: `make test` installs them (apt packages chromium chromium-driver)")
    driver = chromium(width, height, **options)
    try:
        yield driver
    finally:
        driver.quit()


# ------------------------------------------------------------------ AppTest


def run_page(path: str, user: S.UserOut | None = None, *, timeout: float = 120, **query: str) -> AppTest:
    """Run the page script ``path`` alone, signed in as ``user`` (as the sign-in page leaves the session) with the
    query parameters ``query``; it must raise nothing."""
    at = AppTest.from_file(path, default_timeout=timeout)
    if user is not None:
        at.session_state[USER_KEY] = user
    for k, v in query.items():
        at.query_params[k] = v
    return rerun(at)


def rerun(at: AppTest) -> AppTest:
    """Run the app again (after an interaction); it must raise nothing."""
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """The markdown, captions and alerts of the last run, one a line."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in ("success", "error", "warning", "info"):
        parts += [e.value for e in getattr(at, kind)]
    return "\n".join(parts)
