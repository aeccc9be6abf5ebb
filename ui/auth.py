"""Signing in and out, registering, the first run, and keeping a session across reloads.

**Where the token lives: a cookie.** After signing in, the browser is given the signed session token
(:mod:`grader.services.sessions`) as the cookie ``cnnquiz_session`` (``SameSite=Strict``, ``Path=/``, ``Secure``
over HTTPS, ``Max-Age`` = the token's lifetime), written by a two-line script (:func:`cookie_script`, rendered by
the router with ``st.html``). The browser sends it with the WebSocket handshake of every new page load, where
``st.context.cookies`` reads it, so a reload, a new tab or a bookmark keeps you signed in. A query parameter
would work on a reload too, but the token would then sit in the address bar, where it is copied into every link a
student shares, and Streamlit drops query parameters on page switches; the cookie has neither problem.

**Each run** (:func:`restore`): a session that is signed in re-verifies its token (a sign-out elsewhere or the
expiry ends it at once, with the reason); a session that is not tries the cookie once. A refused token is
reported with :class:`grader.services.InvalidSession`'s message and its cookie deleted. (Only server code writes
the session state: a user put there without a token, as tests do, is taken as signed in.)

The functions here take the session state as a plain mapping and the cookie as a string, so they are tested
without Streamlit; :func:`request_cookie` is the one place that reads ``st.context``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from grader.db import SessionFactory
from grader.services import (
    Conflict,
    FirstRunOut,
    InvalidInvite,
    InvalidSession,
    InviteOut,
    NotFound,
    ServiceError,
    TooManyAttempts,
    UserOut,
    WrongPassword,
    accept_invite,
    change_password,
    check_invite,
    check_password,
    first_run,
    issue_session_token,
    register_with_code,
    revoke_sessions,
    throttle,
    verify_session_token,
)

from .state import USER_KEY

COOKIE = "cnnquiz_session"
TOKEN_KEY = "auth.token"
NOTICE_KEY = "auth.notice"
TRIED_KEY = "auth.tried"
COOKIE_OP_KEY = "auth.cookie"

State = MutableMapping[str, Any]


@dataclass(frozen=True)
class Notice:
    kind: str  # "info" | "warning"
    text: str


def request_cookie() -> str | None:
    """The session cookie the browser sent with this page load (``None`` outside a browser, e.g. in AppTest)."""
    import streamlit as st

    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # no client context (a bare script run)
        return None
    return value if isinstance(value, str) else None


def request_client() -> str | None:
    """The address of the browser's connection, for the rate limits (``None`` on localhost and outside a browser)."""
    import streamlit as st

    try:
        value = st.context.ip_address
    except Exception:  # no client context (a bare script run)
        return None
    return value if isinstance(value, str) and value else None


def _signed_in(state: State, user: UserOut, token: str, expires_at: dt.datetime | None) -> None:
    state[USER_KEY] = user
    state[TOKEN_KEY] = token
    max_age = None if expires_at is None else max(0, int((expires_at - dt.datetime.now(dt.UTC)).total_seconds()))
    state[COOKIE_OP_KEY] = ("set", token, max_age)


def _signed_out(state: State) -> None:
    state.pop(USER_KEY, None)
    state.pop(TOKEN_KEY, None)
    state[COOKIE_OP_KEY] = ("delete", "", 0)


def _token_expiry(token: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(token.split(".")[2]), dt.UTC)
    except (IndexError, ValueError, OverflowError):
        return None


def restore(sf: SessionFactory, state: State, cookie: str | None, *, now: dt.datetime | None = None) -> Notice | None:
    """Bring the session in line with its token (see the module docstring); returns what to tell the user."""
    token = state.get(TOKEN_KEY)
    if token:
        try:
            state[USER_KEY] = verify_session_token(sf, token, now=now)
            return state.pop(NOTICE_KEY, None)
        except InvalidSession as e:
            _signed_out(state)
            return Notice("warning", str(e))
    tried = state.setdefault(TRIED_KEY, [])
    if cookie and cookie not in tried:
        tried.append(cookie)
        try:
            user = verify_session_token(sf, cookie, now=now)
        except InvalidSession as e:
            state[COOKIE_OP_KEY] = ("delete", "", 0)
            state.pop(USER_KEY, None)
            return Notice("warning", str(e))
        _signed_in(state, user, cookie, _token_expiry(cookie))
        return state.pop(NOTICE_KEY, None)
    return state.pop(NOTICE_KEY, None)


def sign_in(sf: SessionFactory, state: State, username: str, password: str, *, client: str | None = None) -> str | None:
    """Sign in with a password; ``None`` on success, else the message to show (a wrong password, or too many)."""
    if not username.strip() or not password:
        return "Enter your username and your password."
    try:
        user = throttle.sign_in(sf, username.strip(), password, client=client)
    except TooManyAttempts as e:
        return str(e)
    if user is None:
        return "Wrong username or password."
    tok = issue_session_token(sf, user.id)
    _signed_in(state, user, tok.token, tok.expires_at)
    return None


def register(
    sf: SessionFactory,
    state: State,
    username: str,
    password: str,
    confirm: str,
    join_code: str,
    display_name: str = "",
    *,
    client: str | None = None,
) -> str | None:
    """Create a student account in the join code's course and sign it in; ``None`` on success, else why not."""
    if password != confirm:
        return "The two passwords differ."
    if not join_code.strip():
        return "Enter the join code your instructor gave you."
    try:
        user = register_with_code(sf, username.strip(), password, join_code, display_name=display_name, client=client)
    except TooManyAttempts as e:
        return str(e)
    except (ValueError, NotFound, Conflict) as e:
        return _sentence(str(e))
    tok = issue_session_token(sf, user.id)
    _signed_in(state, user, tok.token, tok.expires_at)
    return None


def invite(sf: SessionFactory, token: str) -> InviteOut | str:
    """Whose account an invite link is for, or why it cannot be used (expired, used, altered...)."""
    try:
        return check_invite(sf, token)
    except InvalidInvite as e:
        return str(e)


def accept(sf: SessionFactory, state: State, token: str, password: str, confirm: str) -> str | None:
    """Set the invited account's password and sign it in; ``None`` on success, else the message to show."""
    if password != confirm:
        return "The two passwords differ."
    try:
        user = accept_invite(sf, token, password)
    except (ValueError, InvalidInvite) as e:
        return _sentence(str(e))
    tok = issue_session_token(sf, user.id)
    _signed_in(state, user, tok.token, tok.expires_at)
    state[NOTICE_KEY] = Notice("info", f"Welcome, {user.display_name or user.username}: your password is set.")
    return None


def sign_out(sf: SessionFactory, state: State) -> None:
    """End every session of the signed-in user (their tokens stop working everywhere) and forget it here."""
    user = state.get(USER_KEY)
    if isinstance(user, UserOut):
        try:
            revoke_sessions(sf, user.id)
        except ServiceError:
            pass  # the account is gone: nothing left to revoke
    _signed_out(state)
    state[NOTICE_KEY] = Notice("info", "You are signed out.")


def new_password(
    sf: SessionFactory,
    state: State,
    old: str,
    new: str,
    confirm: str,
    *,
    keep_this_session: bool = True,
    client: str | None = None,
) -> str | None:
    """Change the signed-in user's password (the current one is required); every session of the account ends,
    and this browser gets a fresh token unless ``keep_this_session`` is false. ``None`` on success, else why not."""
    user = state.get(USER_KEY)
    if not isinstance(user, UserOut):
        return "Sign in first."
    if new != confirm:
        return "The two new passwords differ."
    if new == old:
        return "The new password is the same as the current one."
    try:
        check_password(new)
        change_password(sf, user.id, old, new, client=client)
    except (TooManyAttempts, WrongPassword, ValueError) as e:
        return _sentence(str(e))
    if keep_this_session:
        tok = issue_session_token(sf, user.id)
        _signed_in(state, user, tok.token, tok.expires_at)
        state[NOTICE_KEY] = Notice("info", "Your password is changed; your other sessions are signed out.")
    else:
        _signed_out(state)
        state[NOTICE_KEY] = Notice("info", "Your password is changed and every session is signed out.")
    return None


def set_up(
    sf: SessionFactory,
    state: State,
    *,
    username: str,
    password: str,
    confirm: str,
    display_name: str,
    course_code: str,
    course_title: str,
    demo: bool,
) -> FirstRunOut | str:
    """The first run: the instructor (signed in at once), the course and its demo assessments; or why not."""
    if password != confirm:
        return "The two passwords differ."
    try:
        out = first_run(
            sf,
            username.strip(),
            password,
            display_name=display_name,
            course_code=course_code,
            course_title=course_title,
            demo=demo,
        )
    except (ValueError, Conflict) as e:
        return _sentence(str(e))
    tok = issue_session_token(sf, out.instructor.id)
    _signed_in(state, out.instructor, tok.token, tok.expires_at)
    return out


def _sentence(msg: str) -> str:
    msg = msg.strip()
    return (msg[:1].upper() + msg[1:]).rstrip(".") + "."


def cookie_script(op: tuple[str, str, int | None], *, secure: bool) -> str:
    """The ``<script>`` that sets or deletes the session cookie in the browser."""
    kind, token, max_age = op
    if kind == "set":
        value = token
        if not value or any(c in value for c in ";, \"'\\<>\n"):
            raise ValueError("a session token is a cookie-safe string")
        age = f"; Max-Age={int(max_age)}" if max_age is not None else ""
    elif kind == "delete":
        value, age = "", "; Max-Age=0"
    else:
        raise ValueError(f"unknown cookie operation {kind!r}")
    attrs = "; Path=/; SameSite=Strict" + ("; Secure" if secure else "")
    return f"<script>document.cookie = {json.dumps(f'{COOKIE}={value}{age}{attrs}')};</script>"
