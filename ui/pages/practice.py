"""Practice: pick a topic and difficulty, answer generated questions, get trap-aware feedback, try again."""

from __future__ import annotations

import streamlit as st

from quizbank.generators import REGISTRY
from ui import widgets
from ui.explore.links import show_me
from ui.mathtext import render_md
from ui.practice_view import (
    LINK_PARAM,
    LinkError,
    Round,
    Score,
    answers_md,
    check,
    default_topic,
    generator_title,
    new_pick,
    pick_from_token,
    question_for,
    record,
    reveal,
    share_token,
    share_url,
    topic_choices,
)
from ui.state import current_user, services

sf = services()
user = current_user()
state = st.session_state
score: Score = state.setdefault("practice.score", Score())
topics = topic_choices()
params = st.query_params
problem = None


def start(pick_topic: str, difficulty: int, generator: str | None = None, previous: Round | None = None) -> Round:
    rnd = Round(new_pick(pick_topic, difficulty, previous.pick if previous else None, generator))
    state["practice.round"] = rnd
    state["practice.for"] = (pick_topic, difficulty)
    state.pop("practice.saved", None)
    return rnd


def unpin() -> None:
    """The address bar stops naming a question once another one is on screen."""
    if LINK_PARAM in st.query_params:
        del st.query_params[LINK_PARAM]
    state.pop("practice.token", None)


if "practice.topic" not in state:
    state["practice.topic"], state["practice.difficulty"] = default_topic()

token = params.get(LINK_PARAM)
if token is not None and state.get("practice.token") != token:
    try:
        pick = pick_from_token(sf, token)
    except LinkError as e:
        problem = f"{e} Here is a fresh question instead."
        unpin()
    else:
        state["practice.token"] = token
        state["practice.topic"], state["practice.difficulty"] = REGISTRY[pick.generator].topic, pick.difficulty
        state["practice.focus"] = None
        state["practice.round"] = Round(pick)
        state["practice.for"] = (state["practice.topic"], pick.difficulty)
        state.pop("practice.saved", None)
elif "topic" in params:  # from Home or Progress: ?topic=T[&d=1][&generator=G]
    t, d, g = params.get("topic"), params.get("d", ""), params.get("generator")
    if t in topics:
        state["practice.topic"] = t
        if d in ("1", "2", "3"):
            state["practice.difficulty"] = int(d)
        state["practice.focus"] = g if g in REGISTRY and REGISTRY[g].topic == t else None
        start(t, state["practice.difficulty"], state["practice.focus"])
    else:
        problem = "That link names a topic this app does not have. Pick one below."
    for k in ("topic", "d", "generator"):
        if k in st.query_params:
            del st.query_params[k]
    unpin()

st.title("Practice")
if user is None:
    st.info("You are not signed in: **nothing you answer here is saved**.", icon=":material/visibility_off:")
if problem:
    st.warning(problem, icon=":material/link_off:")

col1, col2 = st.columns([3, 2])
topic = col1.selectbox("Topic", list(topics), format_func=topics.__getitem__, key="practice.topic")
difficulty = col2.radio("Difficulty", [1, 2, 3], horizontal=True, key="practice.difficulty")

rnd: Round | None = state.get("practice.round")
if rnd is None or state.get("practice.for") != (topic, difficulty):
    if rnd is not None:  # the topic or difficulty changed: the focus on one generator ends
        state["practice.focus"] = None
        unpin()
    rnd = start(topic, difficulty)
focus_gen = state.get("practice.focus")
if focus_gen:
    c1, c2 = st.columns([3, 2], vertical_alignment="center")
    c1.info(f"Drilling one kind of question: **{generator_title(focus_gen)}**.", icon=":material/target:")
    if c2.button("Any question of this topic", key="practice.unfocus"):
        state["practice.focus"] = None
        start(topic, difficulty, previous=rnd)
        unpin()
        st.rerun()

q = question_for(rnd.pick)
st.markdown(render_md(q.stem))
answer_key = f"practice.{rnd.id}"


def on_check() -> None:
    """Runs before the page is drawn again, so the form below is drawn disabled once the question is done."""
    before = rnd.tries
    check(rnd, q, widgets.raw_answer(q, answer_key), score)
    if rnd.tries > before:
        raw = widgets.raw_answer(q, answer_key)
        state["practice.saved"] = record(sf, user.id, rnd, raw) if user is not None else None
    state["practice.moved"] = True


def on_reveal() -> None:
    reveal(rnd, q)
    state["practice.moved"] = True


def on_next() -> None:
    start(topic, difficulty, focus_gen, previous=rnd)
    unpin()


if rnd.done:  # the question is over: what was answered, instead of a form that can no longer be sent
    st.markdown(answers_md(rnd))
else:
    with st.form(f"practice.form.{rnd.id}", border=False):
        widgets.answer_widgets(q, answer_key)
        st.form_submit_button("Check", type="primary", icon=":material/done:", on_click=on_check)

fb = rnd.feedback
if fb is not None:
    widgets.show_feedback(fb, key="practice-feedback", saved=state.get("practice.saved"))
    if state.pop("practice.moved", False):
        widgets.focus("practice-feedback", rnd.checks)
if fb is not None and fb.status == "wrong":
    st.button("Show the answer", key="practice.reveal", icon=":material/visibility:", on_click=on_reveal)
st.button(
    "New variant",
    key="practice.next",
    type="primary" if rnd.done else "secondary",
    icon=":material/autorenew:",
    on_click=on_next,
)

seen = show_me(q)
if seen is not None:  # the Explore view that draws this question, with its numbers filled in
    view, view_params = seen
    st.page_link(view, label="See it happen", icon=":material/animation:", query_params=view_params)

with st.expander("Share this question", icon=":material/share:"):
    st.code(share_url(st.context.url, share_token(sf, rnd.pick)), language=None, wrap_lines=True)
    st.caption("The link opens this same question for anyone, with its feedback but without its answer showing.")
st.caption(score.text() + ("" if user is not None else " Not saved: you are not signed in."))
