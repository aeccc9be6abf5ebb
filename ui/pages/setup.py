"""First run: create the instructor account and a demo course on an empty installation."""

from __future__ import annotations

import streamlit as st

from grader.services import MIN_PASSWORD, has_users
from ui import auth
from ui.state import services

sf = services()
done = st.session_state.get("setup.done")
st.title("Set up cnnquiz")
if done is not None:
    st.success(
        f"Done. You are signed in as **{done.instructor.username}**, the instructor.", icon=":material/check_circle:"
    )
    st.markdown(
        f"Your course **{done.course.code}** ({done.course.title}) is ready, with "
        f"{len(done.assessments)} self-study assessments to try. Students register on the *Sign in* page with "
        f"this join code:"
    )
    st.code(done.join_code, language=None)
    st.markdown("From a terminal: `.venv/bin/cnnquiz users add NAME --role student --join CODE` adds students too.")
    st.page_link("ui/pages/home.py", label="Go to the app", icon=":material/home:")
    st.stop()
if has_users(sf):
    st.info("This installation is already set up: sign in instead.", icon=":material/info:")
    st.page_link("ui/pages/account.py", label="Sign in", icon=":material/login:")
    st.stop()

st.markdown(
    "This database has no accounts yet. Create **the instructor's account** and **a first course**; its join "
    "code lets students register themselves."
)
with st.form("setup.form"):
    username = st.text_input("Instructor username", value="instructor", key="setup.username")
    display = st.text_input("Your name", key="setup.display")
    pw1 = st.text_input(f"Password (at least {MIN_PASSWORD} characters)", type="password", key="setup.pw1")
    pw2 = st.text_input("The same password again", type="password", key="setup.pw2")
    code = st.text_input("Course code", value="CNN101", key="setup.code")
    title = st.text_input("Course title", value="CNN architectures", key="setup.title")
    demo = st.checkbox("Add demo self-study assessments to the course", value=True, key="setup.demo")
    if st.form_submit_button("Create", type="primary", icon=":material/rocket_launch:"):
        out = auth.set_up(
            sf,
            st.session_state,
            username=username,
            password=pw1,
            confirm=pw2,
            display_name=display,
            course_code=code,
            course_title=title,
            demo=demo,
        )
        if isinstance(out, str):
            st.error(out, icon=":material/error:")
        else:
            st.session_state["setup.done"] = out
            st.rerun()
