"""Progress: mastery per topic, the traps you fall into most (with practice for each), attempts and grades."""

from __future__ import annotations

import streamlit as st

from grader.services import student_progress
from ui.mathtext import render_md
from ui.progress_view import attempts_table, mastery_table, trap_items
from ui.state import require_user, services

user = require_user("student", "instructor")
sf = services()
p = student_progress(sf, user.id)
st.title("Progress")

st.subheader("Mastery per topic")
if not p.topics:
    st.info("Nothing yet: your answers on Practice and Review show up here.", icon=":material/insights:")
else:
    percent = st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)
    st.dataframe(
        mastery_table(p),
        hide_index=True,
        column_config={
            "Topic": st.column_config.TextColumn(width="medium"),
            "Answered": st.column_config.NumberColumn(width="small"),
            "Right at the first try": percent,
            "Recall now": percent,
            "Reviews": st.column_config.NumberColumn(width="small"),
        },
    )

st.subheader("The traps you fall into most")
items = trap_items(p)
if not items:
    st.caption("No trap so far.")
for t in items:
    with st.container(border=True):
        st.markdown(f"**{render_md(t.title)}** · {t.count}× · {t.topic_title}: {render_md(t.generator_title)}")
        st.markdown(render_md(t.feedback))
        st.page_link(
            "ui/pages/practice.py",
            label=f"Practise this: {t.generator_title}",
            icon=":material/target:",
            query_params=t.query_params,
        )

st.subheader("Your attempts and grades")
if p.attempts:
    st.dataframe(attempts_table(p), hide_index=True)
else:
    st.caption("No attempt at an assessment yet.")
