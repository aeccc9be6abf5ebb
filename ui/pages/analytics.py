"""Analytics (instructors and TAs): Moodle's item statistics with the dubious questions flagged, the traps students fall
into, which strides, dilations and paddings are hard, and each student's mastery of each topic."""

from __future__ import annotations

import streamlit as st

from grader.analytics import assessment_statistics, item_statistics, mastery, parameter_difficulty, trap_statistics
from grader.services import (
    assessment_factor_records,
    assessment_items,
    course_records,
    get_user,
    list_assessments,
    list_my_courses,
)
from ui import analytics_view as V
from ui.gradebook_view import assessment_label, gradable, graded_courses
from ui.state import require_user, services

user = require_user("instructor", "ta")
sf = services()
st.title("Analytics")

courses = graded_courses(list_my_courses(sf, user.id))
if not courses:
    st.info("You grade no course yet: create one on the Courses page.", icon=":material/school:")
    st.stop()
course = st.selectbox(
    "Course", courses, format_func=lambda c: f"{c.course.code}: {c.course.title}", key="analytics.course"
)
assessments = gradable(list_assessments(sf, user.id, course.course.id))
if not assessments:
    st.info("This course has no assessment yet.", icon=":material/assignment:")
    st.stop()
a = st.selectbox("Assessment", assessments, format_func=assessment_label, key="analytics.assessment")

records = assessment_factor_records(sf, user.id, a.id, final_only=True)  # the answers the grades count
if not records:
    st.info("No answer to this assessment yet.", icon=":material/hourglass_empty:")
    st.stop()
labels = V.item_labels(assessment_items(sf, user.id, a.id))

st.header("Item statistics")
numbers = V.assessment_numbers(assessment_statistics(records, level="item", missing="zero"))
cols = st.columns(3)
for i, (label, value) in enumerate(numbers.items()):
    cols[i % 3].metric(label, value)
frame = V.stats_frame(item_statistics(records, missing="zero"), labels)
percent = st.column_config.NumberColumn(format="percent")
st.dataframe(
    frame,
    hide_index=True,
    column_config={
        "Question": st.column_config.TextColumn(width="medium"),
        "Facility": percent,
        "SD": percent,
        "Discrimination": st.column_config.NumberColumn(format="%.2f"),
        "Efficiency": percent,
        "Flag": st.column_config.TextColumn("Flag", width="medium"),
    },
)
flagged = int((frame["Flag"] != "").sum())
st.caption(
    f"Moodle's definitions over each student's counted answer; a question a student left blank counts 0, as every "
    f"Moodle attempt holds every slot. {flagged} flagged as dubious: {V.THRESHOLDS}."
)
st.altair_chart(V.facility_discrimination_chart(frame), width="stretch")

st.header("Traps per question")
traps = V.trap_frame(trap_statistics(records), labels)
if traps.empty:
    st.caption("No counted answer fell into a named trap.")
else:
    st.altair_chart(V.trap_chart(traps), width="stretch")

st.header("What makes it hard: stride, dilation, padding")
params = V.parameter_frame(parameter_difficulty(records, by="all"))
if params.empty:
    st.caption("No question of this assessment varies a stride, a dilation or a padding mode.")
else:
    st.altair_chart(V.parameter_chart(params), width="stretch")
    st.caption("Correct rate of the counted answers per value, with its 95 % (Wilson) interval.")

st.header("Mastery: students × topics")
course_recs = course_records(sf, user.id, course.course.id)
names = {uid: get_user(sf, uid).username for uid in sorted({r.student for r in course_recs})}
st.altair_chart(V.mastery_chart(V.mastery_frame(mastery(course_recs), names)), width="stretch")
st.caption("Every answer to the course's assessments, recent ones weighted more (14-day half-life).")
