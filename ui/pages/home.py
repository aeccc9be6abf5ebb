"""Home: what each topic teaches and the order to learn them in, with a gentle way in."""

from __future__ import annotations

import streamlit as st

from ui.home_view import START_TOPIC, topic_cards
from ui.mathtext import render_md
from ui.practice_view import topic_choices
from ui.state import current_user

PRACTICE = "ui/pages/practice.py"

user = current_user()
st.title("Learn CNN architectures by working them out")
st.markdown(
    "Every question here is generated, and every answer key is checked against a live Keras model. "
    "A wrong answer that matches a common mistake is named, with what to think about instead."
)
if user is None:
    st.info(
        "You are not signed in: practice is open to everyone, but **nothing you answer is saved**. "
        "Sign in (or register with your course's join code) to keep a record, review on a schedule and see "
        "your progress.",
        icon=":material/info:",
    )
    st.page_link("ui/pages/account.py", label="Sign in or register", icon=":material/login:")
else:
    st.success(f"Welcome back, {user.display_name or user.username}.", icon=":material/waving_hand:")
    st.page_link("ui/pages/review.py", label="Reviews due today", icon=":material/event_repeat:")

st.page_link(
    PRACTICE,
    label=f"Start gently: {topic_choices()[START_TOPIC]}, difficulty 1",
    icon=":material/play_circle:",
    query_params={"topic": START_TOPIC, "d": "1"},
)

st.header("Topics, in a suggested order")
st.caption("Each topic leans on the ones before it; start at the top, and come back to any of them.")
for stage, cards in topic_cards():
    st.subheader(stage)
    for c in cards:
        with st.container(border=True):
            st.markdown(f"**{c.number}. {c.title}**")
            st.markdown(render_md(c.summary))
            st.page_link(
                PRACTICE,
                label=f"Practise {c.title}",
                icon=":material/edit_note:",
                query_params={"topic": c.id},
            )
