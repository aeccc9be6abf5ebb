"""Rate limits on guessing: failed sign-ins and failed join codes, counted in the database so every app replica
sees the same counts.

Each failure is a row of ``auth_failures`` (scope, key, time). A :class:`Limit` allows ``failures`` of them per key
inside a sliding ``window``; once a key has used them up, the throttled services refuse *before* they look at the
password or the code (so a locked-out guesser learns nothing) with :class:`TooManyAttempts`, whose message says
when to try again. The keys:

* signing in (:func:`sign_in`): per username (:data:`SIGN_IN`), and per client address (:data:`SIGN_IN_CLIENT`);
  a right password clears the username's count. The old password on :func:`change_password` counts as a sign-in.
* join codes (:func:`register_with_code`, :func:`join_with_code`): per client address and per account
  (:data:`JOIN`); a code that works clears nothing (a guesser who hits one course may go on guessing others).

The client address is what the app knows of the browser's connection (``st.context.ip_address``; ``None`` on
localhost, where only the username and account limits apply). The unthrottled services (:func:`authenticate`,
:func:`register_student`, :func:`join_course`) stay for the command line, which an administrator runs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from .. import db as D
from ..db import SessionFactory, read_session, write_session
from .accounts import UserOut, authenticate, check_password, hasher
from .common import AccessDenied, NotFound, ServiceError, now_utc, user_row
from .courses import CourseOut, join_course
from .onboarding import register_student


@dataclass(frozen=True)
class Limit:
    scope: str
    """What is counted (a short name, stored with each failure)."""
    failures: int
    """How many failures a key may have inside the window; the next try is refused."""
    window: dt.timedelta


SIGN_IN = Limit("sign_in", 5, dt.timedelta(minutes=15))
"""Wrong passwords per username."""
SIGN_IN_CLIENT = Limit("sign_in_ip", 20, dt.timedelta(minutes=15))
"""Wrong passwords per client address (one machine trying many usernames)."""
JOIN = Limit("join", 10, dt.timedelta(minutes=15))
"""Join codes that match no course, per client address and per account."""

Keys = Sequence[tuple[Limit, str]]


class TooManyAttempts(ServiceError):
    """Too many failures for one of the keys in its window; ``retry_after`` says how long until the next try."""

    def __init__(self, retry_after: dt.timedelta) -> None:
        minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
        super().__init__(f"Too many attempts, try again in {minutes} minute{'s' if minutes != 1 else ''}.")
        self.retry_after = retry_after
        self.minutes = minutes


def _where(limit: Limit, key: str) -> tuple[object, object]:
    return D.AuthFailure.scope == limit.scope, D.AuthFailure.key == key[:200]


def retry_after(sf: SessionFactory, keys: Keys, *, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long until every key may try again (``None``: all of them may now)."""
    t = now_utc(now)
    wait: dt.timedelta | None = None
    with read_session(sf) as s:
        for limit, key in keys:
            times = list(
                s.execute(
                    select(D.AuthFailure.failed_at)
                    .where(*_where(limit, key), D.AuthFailure.failed_at > t - limit.window)
                    .order_by(D.AuthFailure.failed_at)
                ).scalars()
            )
            if len(times) >= limit.failures:  # allowed again once enough of them have left the window
                until = times[len(times) - limit.failures] + limit.window - t
                wait = until if wait is None else max(wait, until)
    return wait


def check(sf: SessionFactory, keys: Keys, *, now: dt.datetime | None = None) -> None:
    """Refuse with :class:`TooManyAttempts` if any key has used up its failures."""
    wait = retry_after(sf, keys, now=now)
    if wait is not None:
        raise TooManyAttempts(wait)


def failed(sf: SessionFactory, keys: Keys, *, now: dt.datetime | None = None) -> None:
    """Count one failure against each key (and drop that key's failures older than its window)."""
    t = now_utc(now)
    with write_session(sf) as s:
        for limit, key in keys:
            s.execute(delete(D.AuthFailure).where(*_where(limit, key), D.AuthFailure.failed_at <= t - limit.window))
            s.add(D.AuthFailure(scope=limit.scope, key=key[:200], failed_at=t))


def forget(sf: SessionFactory, keys: Keys) -> None:
    """Clear the keys' failures (a right password)."""
    with write_session(sf) as s:
        for limit, key in keys:
            s.execute(delete(D.AuthFailure).where(*_where(limit, key)))


def _sign_in_keys(username: str, client: str | None) -> list[tuple[Limit, str]]:
    keys = [(SIGN_IN, username.strip().lower())]
    if client:
        keys.append((SIGN_IN_CLIENT, client))
    return keys


def _join_keys(client: str | None, user_id: int | None = None) -> list[tuple[Limit, str]]:
    keys = [(JOIN, f"ip:{client}")] if client else []
    if user_id is not None:
        keys.append((JOIN, f"user:{user_id}"))
    return keys


# ------------------------------------------------------------------ the throttled services


def sign_in(
    sf: SessionFactory, username: str, password: str, *, client: str | None = None, now: dt.datetime | None = None
) -> UserOut | None:
    """:func:`authenticate`, throttled: the user, ``None`` for a wrong password, or :class:`TooManyAttempts`."""
    keys = _sign_in_keys(username, client)
    check(sf, keys, now=now)
    user = authenticate(sf, username, password)
    if user is None:
        failed(sf, keys, now=now)
        return None
    forget(sf, keys[:1])
    return user


def register_with_code(
    sf: SessionFactory,
    username: str,
    password: str,
    join_code: str,
    *,
    display_name: str = "",
    client: str | None = None,
    now: dt.datetime | None = None,
) -> UserOut:
    """:func:`register_student`, throttled per client address on codes that match no course."""
    keys = _join_keys(client)
    check(sf, keys, now=now)
    try:
        return register_student(sf, username, password, join_code, display_name=display_name)
    except NotFound:
        failed(sf, keys, now=now)
        raise


def join_with_code(
    sf: SessionFactory, actor_id: int, join_code: str, *, client: str | None = None, now: dt.datetime | None = None
) -> CourseOut:
    """:func:`join_course`, throttled per account and per client address on codes that match no course."""
    keys = _join_keys(client, actor_id)
    check(sf, keys, now=now)
    try:
        return join_course(sf, actor_id, join_code)
    except NotFound:
        failed(sf, keys, now=now)
        raise


class WrongPassword(AccessDenied):
    """The current password given to :func:`change_password` is not the account's."""


def _username(s: Session, user_id: int) -> str:
    return user_row(s, user_id).username


def change_password(
    sf: SessionFactory,
    actor_id: int,
    old_password: str,
    new_password: str,
    *,
    client: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Set the actor's password, given the current one, and end every session of the account (the caller may sign
    the current browser in again with a fresh token). A wrong current password counts as a failed sign-in."""
    check_password(new_password)
    with read_session(sf) as s:
        username = _username(s, actor_id)
    if sign_in(sf, username, old_password, client=client, now=now) is None:
        raise WrongPassword("the current password is not right")
    with write_session(sf) as s:
        done = s.execute(
            update(D.User)
            .where(D.User.id == actor_id)
            .values(password_hash=hasher.hash(new_password), token_version=D.User.token_version + 1)
        ).rowcount
        if not done:
            raise NotFound(f"no user {actor_id}")


def failures(sf: SessionFactory, limit: Limit, key: str) -> int:
    """How many failures of ``key`` are stored (for tests and the command line)."""
    with read_session(sf) as s:
        return int(s.execute(select(func.count()).select_from(D.AuthFailure).where(*_where(limit, key))).scalar_one())
