"""Courses (instructors and TAs): per course, its roster; for its instructors also the join code, importing a
roster from CSV (a preview, then all or nothing), invite links, adding a TA, removing a member; and new courses."""

from __future__ import annotations

import streamlit as st

from grader.services import (
    InvalidRoster,
    ServiceError,
    add_ta,
    create_course,
    import_roster,
    list_invites,
    list_roster,
    new_course_join_code,
    preview_roster,
    remove_member,
    renew_invites,
    staffed_courses,
)
from ui import courses_view as V
from ui.state import require_user, services

user = require_user("instructor", "ta")
sf = services()
st.title("Courses")
if note := st.session_state.pop("courses.note", None):
    st.success(note, icon=":material/check_circle:")


def _problem(e: Exception) -> None:
    st.error(f"{str(e)[:1].upper()}{str(e)[1:]}.", icon=":material/error:")


courses = staffed_courses(sf, user.id)
if not courses:
    st.info("You teach no course yet: create one below.", icon=":material/school:")
else:
    by_id = {c.id: c for c in courses}
    if (new := st.session_state.pop("courses.pick_next", None)) in by_id:
        st.session_state["courses.pick"] = new
    cid = st.selectbox("Course", list(by_id), format_func=lambda i: V.course_label(by_id[i]), key="courses.pick")
    c = by_id[cid]
    manage = c.role == "instructor"
    members = list_roster(sf, user.id, c.id)
    if manage:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown(f"Join code: `{c.join_code}` · students register with it on *Sign in*.")
        if right.button("New join code", key=f"courses.rotate.{c.id}", help="The old code stops working."):
            new_course_join_code(sf, user.id, c.id)
            st.rerun()
    else:
        st.caption("You assist in this course: you see its roster and grade; its instructors change the roster.")
    st.subheader("Roster")
    with st.container():
        st.caption(V.roster_caption(members))
        st.dataframe(V.roster_rows(members), hide_index=True, width="stretch")
        choices = V.removable(members, user.id)
        if manage and choices:
            with st.expander("Remove a member"), st.form(f"courses.remove.{c.id}", border=False):
                who = st.selectbox("Member", list(choices), format_func=choices.get, index=None)
                if st.form_submit_button("Remove", icon=":material/person_remove:") and who is not None:
                    try:
                        remove_member(sf, user.id, c.id, who)
                    except ServiceError as e:
                        _problem(e)
                    else:
                        st.session_state["courses.note"] = f"Removed {choices[who].split(' ')[0]} from {c.code}."
                        st.rerun()

    if manage:
        st.subheader("Import a roster")
        with st.container():
            st.markdown(V.ROSTER_HELP)
            st.download_button(
                "Example file", V.EXAMPLE_CSV, file_name="roster-example.csv", mime="text/csv", key="courses.example"
            )
            n = st.session_state.setdefault(f"courses.upload_n.{c.id}", 0)
            upload = st.file_uploader(
                "Roster (CSV)", type=["csv", "txt"], max_upload_size=1, key=f"courses.upload.{c.id}.{n}"
            )
            if upload is not None:
                data = upload.getvalue()
                preview = preview_roster(sf, user.id, c.id, data)
                if preview.errors:
                    st.error(V.error_heading(preview.errors), icon=":material/error:")
                    st.markdown("\n".join(V.error_lines(preview.errors)))
                else:
                    st.info(V.preview_summary(preview), icon=":material/preview:")
                    st.dataframe(V.preview_rows(preview), hide_index=True, width="stretch")
                    if st.button("Import", type="primary", key=f"courses.import.{c.id}", icon=":material/upload:"):
                        try:
                            done = import_roster(sf, user.id, c.id, data)
                        except InvalidRoster as e:  # the database changed since the preview
                            st.error(V.error_heading(e.errors), icon=":material/error:")
                            st.markdown("\n".join(V.error_lines(e.errors)))
                        else:
                            st.session_state["courses.note"] = V.import_note(done)
                            st.session_state[f"courses.upload_n.{c.id}"] = n + 1
                            st.rerun()

        st.subheader("Teaching assistants and invites")
        with st.container():
            with st.form(f"courses.ta.{c.id}", border=False):
                name = st.text_input("Add a teaching assistant (username)", key=f"courses.ta_name.{c.id}")
                st.caption("A TA grades (gradebook, scores, code) but cannot change exams or the roster.")
                if st.form_submit_button("Add TA", icon=":material/person_add:"):
                    try:
                        ta = add_ta(sf, user.id, c.id, name)
                    except ServiceError as e:
                        _problem(e)
                    else:
                        st.session_state["courses.note"] = f"{ta.username} is a teaching assistant of {c.code}."
                        st.rerun()
            links = list_invites(sf, user.id, c.id)
            base = V.app_base_url(st.context.url)
            st.caption(V.invites_caption(links, members))
            if links:
                st.download_button(
                    "Download invite links (CSV)",
                    V.invites_csv(links, base),
                    file_name=V.invites_file_name(c.code),
                    mime="text/csv",
                    icon=":material/download:",
                    key=f"courses.invites.{c.id}",
                )
            if any(m.status == "no_password" for m in members):
                if st.button("New links for expired invites", key=f"courses.renew.{c.id}"):
                    renewed = renew_invites(sf, user.id, c.id)
                    st.session_state["courses.note"] = f"{len(renewed)} new invite links: download them below."
                    st.rerun()

if user.role == "instructor":
    made = st.session_state.setdefault("courses.made", 0)  # bumped by each new course, so the form starts empty
    with st.form("courses.new"):
        st.subheader("New course")
        code = st.text_input("Code", placeholder="CNN102", key=f"courses.code.{made}")
        title = st.text_input("Title", key=f"courses.title.{made}")
        if st.form_submit_button("Create course", type="primary"):
            try:
                course = create_course(sf, user.id, code, title)
            except (ValueError, ServiceError) as e:
                _problem(e)
            else:
                st.session_state["courses.note"] = f"Created {course.code}: its join code is above."
                st.session_state["courses.pick_next"] = course.id
                st.session_state["courses.made"] = made + 1
                st.rerun()
