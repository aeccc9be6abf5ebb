"""Sign in / register (visitors), setting your password from an invite link (``?invite=...``), or your account:
your courses, joining another, signing out."""

from __future__ import annotations

import streamlit as st

from grader.services import MIN_PASSWORD, USERNAME_RULE, ServiceError, join_course, list_my_courses
from ui import auth, escape
from ui.state import current_user, services

sf = services()
user = current_user()

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
        f"Your instructor made the account **{escape.md(found.username, 64)}**{course}. Choose its password to sign in; "
        f"this link works once, until {found.expires_at:%Y-%m-%d %H:%M} UTC."
    )
    with st.form("auth.invite"):
        pw1 = st.text_input(
            f"Password (at least {MIN_PASSWORD} characters)",
            type="password",
            key="auth.inv1",
            autocomplete="new-password",
        )
        pw2 = st.text_input("The same password again", type="password", key="auth.inv2", autocomplete="new-password")
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
            problem = auth.sign_in(sf, st.session_state, username, password)
            if problem is None:
                st.switch_page("ui/pages/home.py")
            st.error(problem, icon=":material/error:")
    with register, st.form("auth.register"):
        st.caption(f"Your instructor gives you the course's join code. Usernames: {USERNAME_RULE[12:]}.")
        join = st.text_input("Join code", key="auth.join", placeholder="e.g. K7QX M2PD")
        new_name = st.text_input("Username", key="auth.new_username", autocomplete="username")
        display = st.text_input("Your name (shown to your instructor)", key="auth.display")
        pw1 = st.text_input(
            f"Password (at least {MIN_PASSWORD} characters)",
            type="password",
            key="auth.pw1",
            autocomplete="new-password",
        )
        pw2 = st.text_input("The same password again", type="password", key="auth.pw2", autocomplete="new-password")
        if st.form_submit_button("Register", type="primary", icon=":material/person_add:"):
            problem = auth.register(sf, st.session_state, new_name, pw1, pw2, join, display)
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
    extra = f" · join code **{c.join_code}** · {c.students} students" if c.join_code else ""
    st.markdown(f"- **{c.course.code}**: {c.course.title} ({c.role}){extra}")
if user.role == "student":
    with st.form("auth.join_more"):
        code = st.text_input("Join another course", key="auth.join_code", placeholder="join code")
        if st.form_submit_button("Join"):
            try:
                course = join_course(sf, user.id, code)
            except ServiceError as e:
                st.error(f"{str(e)[:1].upper()}{str(e)[1:]}.", icon=":material/error:")
            else:
                st.success(f"You are in {course.code}: {course.title}.", icon=":material/check_circle:")
st.divider()
if st.button("Sign out", key="auth.sign_out_page", icon=":material/logout:"):
    auth.sign_out(sf, st.session_state)
    st.switch_page("ui/pages/home.py")
st.caption("Signing out ends every session of your account, on every device.")
