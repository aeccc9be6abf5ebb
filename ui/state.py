"""What every page shares: the database behind ``st.cache_resource`` and who is signed in.

Pages stay thin: they call :func:`services` for the session factory they pass to :mod:`grader.services`,
and :func:`current_user` / :func:`require_user` for the signed-in account. The sign-in flow itself
(tokens, cookies, the first-run page) lives in :mod:`ui.auth`; this module only reads its result from
``st.session_state["auth.user"]`` (a :class:`grader.services.UserOut`, or absent for a visitor).
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from grader.db import SessionFactory, make_engine, session_factory, upgrade
from grader.services import UserOut, assists

from .routes import TA, VISITOR, router_role

USER_KEY = "auth.user"

ROLE_NAMES = {"student": "students", "instructor": "instructors", TA: "teaching assistants"}


@st.cache_resource(show_spinner=False)
def services() -> SessionFactory:
    """One engine and session factory per server process (the embedded SQLite default, or ``$CNNQUIZ_DB_URL``).

    The schema is brought to the newest migration first, so a fresh clone's first page load has its tables.
    """
    upgrade()
    return session_factory(make_engine())


def current_user() -> UserOut | None:
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, UserOut) else None


def role_of(user: UserOut | None) -> str:
    """The router's role of the signed-in user (:func:`ui.routes.router_role`: ``ta`` for a student account that
    assists in a course)."""
    if user is None:
        return VISITOR
    return router_role(user.role, user.role == "student" and assists(services(), user.id))


def _link(path: str, label: str, icon: str) -> None:
    """A link to another page of the app; nothing when the page runs on its own, outside the router (tests)."""
    try:
        st.page_link(path, label=label, icon=icon)
    except StreamlitPageNotFoundError:
        pass


def require_user(*roles: str) -> UserOut:
    """The signed-in user, or stop the page with a sign-in prompt (or a refusal for the wrong role).

    The services check roles again whatever the page shows; this only keeps the page from rendering.
    """
    user = current_user()
    if user is None:
        st.info("Sign in to use this page.", icon=":material/login:")
        _link("ui/pages/account.py", "Sign in or register", ":material/login:")
        st.stop()
    if roles and user.role not in roles and not (TA in roles and role_of(user) == TA):
        allowed = " and ".join(ROLE_NAMES.get(r, r) for r in roles)
        st.error(f"This page is for {allowed}: your account cannot open it.", icon=":material/block:")
        _link("ui/pages/home.py", "Back to Home", ":material/home:")
        st.stop()
    return user
