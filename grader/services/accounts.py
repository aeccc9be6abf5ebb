"""Accounts: creating users, password authentication (argon2id), looking users up."""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import db as D
from ..db import SessionFactory, read_session, write_session
from .common import AccountRole, Conflict, OutModel, user_row

hasher = PasswordHasher()
"""argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile)."""


class UserOut(OutModel):
    id: int
    username: str
    display_name: str
    role: AccountRole
    created_at: dt.datetime


_USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]{1,64}$")
USERNAME_RULE = "a username is 1-64 letters, digits or _ . @ + -"
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


def check_username(username: str) -> None:
    if not isinstance(username, str) or not _USERNAME.fullmatch(username):
        raise ValueError(USERNAME_RULE)


def check_password(password: str) -> None:
    """The rule for passwords people choose (registration, first run, the CLI): 8 to 1024 characters."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValueError(f"a password is at least {MIN_PASSWORD} characters (and at most {MAX_PASSWORD})")


def create_user(
    sf: SessionFactory, username: str, role: AccountRole, *, password: str | None = None, display_name: str = ""
) -> UserOut:
    """A new account (``password=None``: it cannot log in with a password, e.g. an LMS-provisioned one)."""
    if role not in ("student", "instructor"):
        raise ValueError(f"role must be student or instructor, not {role!r}")
    check_username(username)
    pw_hash = hasher.hash(password) if password is not None else None
    try:
        with write_session(sf) as s:
            u = D.User(username=username, role=role, display_name=display_name[:200], password_hash=pw_hash)
            s.add(u)
            s.flush()
            return UserOut.model_validate(u)
    except IntegrityError:
        raise Conflict(f"the username {username!r} is taken") from None


@functools.cache
def _dummy_hash() -> str:
    return hasher.hash(secrets.token_hex(16))


def authenticate(sf: SessionFactory, username: str, password: str) -> UserOut | None:
    """The user if the password is right, else ``None`` (same work either way: no user enumeration by timing)."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return None
    with read_session(sf) as s:
        u = s.execute(select(D.User).where(D.User.username == username)).scalar_one_or_none()
        stored = u.password_hash if u is not None else None
        out = UserOut.model_validate(u) if u is not None else None
    try:
        hasher.verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if out is None or stored is None:
        return None
    if hasher.check_needs_rehash(stored):
        with write_session(sf) as s:
            s.execute(update(D.User).where(D.User.id == out.id).values(password_hash=hasher.hash(password)))
    return out


def user_ids_by_username(sf: SessionFactory, usernames: Iterable[str]) -> dict[str, int]:
    """The ids of those of ``usernames`` that exist (one query)."""
    names = sorted(set(usernames))
    if not names:
        return {}
    with read_session(sf) as s:
        rows = s.execute(select(D.User.username, D.User.id).where(D.User.username.in_(names))).all()
        return {name: uid for name, uid in rows}


def get_user(sf: SessionFactory, user_id: int) -> UserOut:
    with read_session(sf) as s:
        return UserOut.model_validate(user_row(s, user_id))
