"""Sign in / register (visitors), setting your password from an invite link (``?invite=...``), or your account:
your courses, joining another, changing your password, signing out."""

from __future__ import annotations

import streamlit as st

from grader.services import MIN_PASSWORD, USERNAME_RULE, ServiceError, join_with_code, list_my_courses
from quizbank.generators.base import plural
from ui import auth
from ui.mathtext import md
from ui.state import current_user, services

sf = services()
user = current_user()
client = auth.request_client()


def new_password(
    key: str, key2: str, what: str = "Password", again: str = "The same password again"
) -> tuple[str, str]:
    """A new password typed twice (the two boxes every form that sets one shows)."""
    first = st.text_input(
        f"{what} (at least {MIN_PASSWORD} characters)", type="password", key=key, autocomplete="new-password"
    )
    return first, st.text_input(again, type="password", key=key2, autocomplete="new-password")


token = st.query_params.get("invite")
if token and user is None:
    st.title("Set your password")
    found = auth.invite(sf, token)
    if isinstance(found, str):
        st.error(found, icon=":material/link_off:")
        st.page_link("ui/pages/account.py", label="Sign in instead", icon=":material/login:", query_params={})
        st.stop()
    course = f" for **{found.course_code}**" if found.course_code else ""
    st.markdown(
        f"Your instructor made the account **{md(found.username, 64)}**{course}. Choose its password to sign in; "
        f"this link works once, until {found.expires_at:%Y-%m-%d %H:%M} UTC."
    )
    with st.form("auth.invite"):
        pw1, pw2 = new_password("auth.inv1", "auth.inv2")
        if st.form_submit_button("Set password and sign in", type="primary", icon=":material/key:"):
            problem = auth.accept(sf, st.session_state, token, pw1, pw2)
            if problem is None:
                st.query_params.clear()
                st.switch_page("ui/pages/home.py")
            st.error(problem, icon=":material/error:")
    st.stop()

if user is None:
    st.title("Sign in")
    signin, register = st.tabs(["Sign in", "Register with a join code"])
    with signin, st.form("auth.signin"):
        username = st.text_input("Username", key="auth.username", autocomplete="username")
        password = st.text_input("Password", type="password", key="auth.password", autocomplete="current-password")
        if st.form_submit_button("Sign in", type="primary", icon=":material/login:"):
            problem = auth.sign_in(sf, st.session_state, username, password, client=client)
            if problem is None:
                st.switch_page("ui/pages/home.py")
            st.error(problem, icon=":material/error:")
    with register, st.form("auth.register"):
        st.caption(f"Your instructor gives you the course's join code. Usernames: {USERNAME_RULE[12:]}.")
        join = st.text_input("Join code", key="auth.join", placeholder="e.g. K7QX M2PD")
        new_name = st.text_input("Username", key="auth.new_username", autocomplete="username")
        display = st.text_input("Your name (shown to your instructor)", key="auth.display")
        pw1, pw2 = new_password("auth.pw1", "auth.pw2")
        if st.form_submit_button("Register", type="primary", icon=":material/person_add:"):
            problem = auth.register(sf, st.session_state, new_name, pw1, pw2, join, display, client=client)
            if problem is None:
                st.switch_page("ui/pages/home.py")
            st.error(problem, icon=":material/error:")
    st.stop()

st.title("Account")
if token:
    st.info("You opened an invitation link while signed in: sign out first to use it.", icon=":material/info:")
st.markdown(f"Signed in as **{user.display_name or user.username}** (`{user.username}`, {user.role}).")
courses = list_my_courses(sf, user.id)
st.subheader("Your courses")
if not courses:
    st.info("You are in no course yet: join one with the code your instructor gave you.", icon=":material/school:")
for c in courses:
    extra = (f" · join code **{c.join_code}**" if c.join_code else "") + (
        f" · {plural(c.students, 'student')}" if c.students is not None else ""
    )
    st.markdown(f"- **{c.course.code}**: {c.course.title} ({c.role}){extra}")
if user.role == "student":
    with st.form("auth.join_more"):
        code = st.text_input("Join another course", key="auth.join_code", placeholder="join code")
        if st.form_submit_button("Join"):
            try:
                course = join_with_code(sf, user.id, code, client=client)
            except ServiceError as e:
                msg = str(e).rstrip(".")
                st.error(f"{msg[:1].upper()}{msg[1:]}.", icon=":material/error:")
            else:
                st.success(f"You are in {course.code}: {course.title}.", icon=":material/check_circle:")
st.subheader("Change your password")
with st.form("auth.change_password", clear_on_submit=True):
    old_pw = st.text_input("Current password", type="password", key="auth.old_pw", autocomplete="current-password")
    new_pw, new_pw2 = new_password("auth.new_pw", "auth.new_pw2", "New password", "The new password again")
    keep = st.checkbox("Stay signed in on this device", value=True, key="auth.keep")
    st.caption("Changing your password signs out every other session of your account, on every device.")
    if st.form_submit_button("Change password", icon=":material/password:"):
        problem = auth.new_password(
            sf, st.session_state, old_pw, new_pw, new_pw2, keep_this_session=keep, client=client
        )
        if problem is None:
            st.rerun()
        st.error(problem, icon=":material/error:")
st.divider()
if st.button("Sign out", key="auth.sign_out_page", icon=":material/logout:"):
    auth.sign_out(sf, st.session_state)
    st.switch_page("ui/pages/home.py")
st.caption("Signing out ends every session of your account, on every device.")
