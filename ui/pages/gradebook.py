"""Gradebook (instructors and TAs): students × questions with totals, the CSV, one student's attempt with overrides, the audit
trail, and the regrade after a key fix."""

from __future__ import annotations

import streamlit as st

from grader.export import export_gradebook, gradebook_table
from grader.services import (
    ServiceError,
    attempt_results,
    list_assessments,
    list_attempts,
    list_my_courses,
    list_overridden,
    list_score_changes,
    override_score,
    regrade_assessment,
)
from ui import gradebook_view as V
from ui.state import require_user, services

user = require_user("instructor", "ta")
sf = services()
st.title("Gradebook")

courses = V.graded_courses(list_my_courses(sf, user.id))
if not courses:
    st.info("You grade no course yet: create one on the Courses page.", icon=":material/school:")
    st.stop()
course = st.selectbox(
    "Course", courses, format_func=lambda c: f"{c.course.code}: {c.course.title}", key="gradebook.course"
)
assessments = V.gradable(list_assessments(sf, user.id, course.course.id))
if not assessments:
    st.info("This course has no assessment yet.", icon=":material/assignment:")
    st.stop()
a = st.selectbox("Assessment", assessments, format_func=V.assessment_label, key="gradebook.assessment")

if done := st.session_state.pop("gradebook.done", None):
    st.success(done, icon=":material/check_circle:")

rows = gradebook_table(sf, user.id, a.id)
trail = list_score_changes(sf, user.id, a.id)
overridden = list_overridden(sf, user.id, a.id)
frame = V.gradebook_frame(rows, V.overridden_cells(trail, overridden))
cols = st.columns(4)
for col, (label, value) in zip(cols, V.summary(frame).items(), strict=True):
    col.metric(label, value)
st.dataframe(
    frame,
    hide_index=True,
    column_config={
        "Student": st.column_config.TextColumn(width="medium"),  # a whole name, not "Katherine Jo…"
        "%": st.column_config.ProgressColumn(format="%.1f %%", min_value=0, max_value=100),
        "Username": None,
    },
)
st.caption(
    "Each question shows the points of its last try in the counted attempt (the best finished one). "
    "*Overridden* lists the questions scored by hand."
)
st.download_button(
    "Download the gradebook (CSV)",
    export_gradebook(sf, user.id, a.id),
    file_name=V.csv_name(course.course.code, a.title),
    mime="text/csv",
    icon=":material/download:",
    key="gradebook.csv",
)

st.header("One student's attempt")
students = V.student_choices(rows)
who = st.selectbox("Student", students, format_func=lambda c: c.label, index=None, key="gradebook.student")
if who is not None:
    attempts = list_attempts(sf, user.id, a.id, user_id=who.user_id)
    if not attempts:
        st.caption("No attempt yet.")
    else:
        att = st.selectbox(
            "Attempt",
            attempts,
            index=len(attempts) - 1,
            format_func=lambda x: f"Attempt {x.number}" + (" (in progress)" if x.finished_at is None else ""),
            key="gradebook.attempt",
        )
        res = attempt_results(sf, user.id, att.id)
        if res.grade is not None and res.grade.score is not None:
            st.markdown(f"**Grade: {res.grade.score:g} / {res.grade.max_score:g}**")
        for item in V.attempt_items(res, trail, overridden):
            with st.container(border=True):
                badge = " · overridden" if item.overridden else ""
                st.markdown(f"**Q{item.position}** · {item.credit}{badge}")
                st.markdown(item.stem)
                if item.response_id is None:
                    st.caption("Not answered.")
                    continue
                st.markdown(f"Answer: {item.answer}" + (f" (try {item.tries})" if item.tries > 1 else ""))
                if item.key is not None:
                    st.markdown(f"Key: {item.key}")
                if item.trap_title:
                    st.warning(f"Trap: **{item.trap_title}**", icon=":material/warning:")
                if item.feedback:
                    with st.expander("Feedback the student got"):
                        st.markdown(item.feedback)
                for line in item.history:
                    st.caption(line)
                with st.form(f"gradebook.form.{item.response_id}"):
                    left, right = st.columns([1, 3])
                    new = left.number_input(
                        f"New score (of {item.max_score:g})",
                        min_value=0.0,
                        max_value=float(item.max_score),
                        value=float(item.score or 0.0),
                        step=0.5,
                        key=f"gradebook.score.{item.response_id}",
                    )
                    reason = right.text_input(
                        "Reason (required, kept in the audit trail)", key=f"gradebook.reason.{item.response_id}"
                    )
                    if st.form_submit_button("Override"):
                        try:
                            change = override_score(sf, user.id, item.response_id, new, reason)
                        except (ValueError, ServiceError) as e:
                            st.error(f"{str(e)[:1].upper()}{str(e)[1:]}.", icon=":material/error:")
                        else:
                            st.session_state["gradebook.done"] = (
                                f"Q{change.position} of {change.username}: {change.old_score:g} → {change.new_score:g}."
                            )
                            st.rerun()

st.header("Audit trail")
if trail:
    st.dataframe(
        V.trail_frame(trail),
        hide_index=True,
        column_config={"Reason": st.column_config.TextColumn(width="large")},  # the reason is the point: room for it
    )
else:
    st.caption("No score has been changed by hand or by a regrade.")

st.header("Regrade after a key fix")
st.caption(
    "Re-scores every response against each question as its generator builds it now. "
    "The dry run lists what would change; applying records each change in the audit trail."
)
with st.form("gradebook.regrade"):
    include = st.checkbox("Also re-score responses overridden by hand", key="gradebook.regrade.include")
    note = st.text_input(
        "Why (kept with each change)", value="regrade against the current key", key="gradebook.regrade.note"
    )
    left, right = st.columns(2)
    dry = left.form_submit_button("Dry run", icon=":material/preview:")
    apply = right.form_submit_button("Apply the regrade", type="primary", icon=":material/published_with_changes:")
if dry or apply:
    out = regrade_assessment(sf, user.id, a.id, apply=apply, include_overridden=include, reason=note)
    st.session_state["gradebook.regrade.out"] = out
    if apply:
        st.session_state["gradebook.done"] = V.regrade_summary(out)
        st.rerun()
out = st.session_state.get("gradebook.regrade.out")
if out is not None and out.assessment_id == a.id and not out.applied:
    st.markdown(V.regrade_summary(out))
    if out.changes:
        st.dataframe(V.regrade_frame(out), hide_index=True)
    for p in out.problems:
        st.warning(f"Q{p.position}: {p.message}", icon=":material/report:")
