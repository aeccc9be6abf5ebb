"""Courses (instructors): the courses you teach, their join codes, and new courses."""

from __future__ import annotations

import streamlit as st

from grader.services import ServiceError, create_course, list_my_courses, new_course_join_code
from ui.state import require_user, services

user = require_user("instructor")
sf = services()
st.title("Courses")
if created := st.session_state.pop("courses.created", None):
    st.success(f"Created {created}: its join code is below.", icon=":material/check_circle:")
taught = [c for c in list_my_courses(sf, user.id) if c.role == "instructor"]
if not taught:
    st.info("You teach no course yet: create one below.", icon=":material/school:")
for c in taught:
    with st.container(border=True):
        st.markdown(f"**{c.course.code}**: {c.course.title} · {c.students} students")
        st.markdown(f"Join code: `{c.join_code}`")
        if st.button("New join code", key=f"courses.rotate.{c.course.id}", help="The old code stops working."):
            new_course_join_code(sf, user.id, c.course.id)
            st.rerun()
with st.form("courses.new"):
    st.subheader("New course")
    code = st.text_input("Code", placeholder="CNN102", key="courses.code")
    title = st.text_input("Title", key="courses.title")
    if st.form_submit_button("Create course", type="primary"):
        try:
            course = create_course(sf, user.id, code, title)
        except (ValueError, ServiceError) as e:
            st.error(f"{str(e)[:1].upper()}{str(e)[1:]}.", icon=":material/error:")
        else:
            st.session_state["courses.created"] = course.code
            st.rerun()
