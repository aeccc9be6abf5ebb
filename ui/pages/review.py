"""Review: the spaced-repetition queue; each review a fresh variant, rated from correctness and time."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from grader.services import ServiceError, list_review_cards, next_review_question, review_history
from quizbank.generators import TOPICS
from ui import widgets
from ui.mathtext import render_md
from ui.practice_view import Pick, Round, Score, answers_md, check, question_for, record
from ui.review_view import local_time, mastery_chart, mastery_frame, queue, queue_table
from ui.state import require_user, services

user = require_user("student", "instructor")
sf = services()
state = st.session_state
now = dt.datetime.now(dt.UTC)
st.title("Review")

q = queue(list_review_cards(sf, user.id), now, timezone=st.context.timezone)
rnd: Round | None = state.get("review.round")


def begin(concept: str) -> None:
    try:
        view = next_review_question(sf, user.id, concept)
    except ServiceError as e:
        state["review.problem"] = f"{str(e)[:1].upper()}{str(e)[1:]}."
        return
    inst = view.instance
    r = Round(Pick(inst.generator, inst.seed, inst.difficulty), limit=1)
    r.instance_id = inst.id
    state["review.round"] = r
    state["review.concept"] = concept
    state.pop("review.saved", None)


if rnd is None:
    if q.due_today:
        st.metric("Concepts due today", q.due_today)
    if problem := state.pop("review.problem", None):
        st.error(problem, icon=":material/error:")
    if q.due_now:
        title = TOPICS[q.due_now[0]].title
        st.markdown(f"**{len(q.due_now)}** due now. Next up: **{title}**.")
        if st.button(f"Review {title}", type="primary", key="review.start", icon=":material/play_arrow:"):
            begin(q.due_now[0])
            st.rerun()
    else:
        nxt = q.next_due
        if nxt is not None:
            st.success(
                f"Nothing is due now. Next: **{nxt.title}**, {local_time(nxt.due, st.context.timezone)}.",
                icon=":material/check_circle:",
            )
        else:
            st.info("No reviews yet: practise a topic, or start learning one here.", icon=":material/school:")
        if q.next_new is not None and st.button(
            f"Learn a new concept: {TOPICS[q.next_new].title}", key="review.new", icon=":material/add:"
        ):
            begin(q.next_new)
            st.rerun()
else:
    concept = state.get("review.concept", "")
    st.subheader(f"Reviewing: {TOPICS[concept].title if concept in TOPICS else concept}")
    qu = question_for(rnd.pick)
    st.markdown(render_md(qu.stem))
    answer_key = f"review.{rnd.id}"

    def on_check() -> None:
        before = rnd.tries
        raw = widgets.raw_answer(qu, answer_key)
        check(rnd, qu, raw, state.setdefault("review.score", Score()))
        if rnd.tries > before:
            state["review.saved"] = record(sf, user.id, rnd, raw)
        state["review.moved"] = True

    def on_leave() -> None:
        state.pop("review.round", None)

    if rnd.done:
        st.markdown(answers_md(rnd))
    else:
        with st.form(f"review.form.{rnd.id}", border=False):
            widgets.answer_widgets(qu, answer_key)
            st.form_submit_button("Check", type="primary", icon=":material/done:", on_click=on_check)
    if rnd.feedback is not None:
        widgets.show_feedback(rnd.feedback, key="review-feedback", saved=state.get("review.saved"))
        if state.pop("review.moved", False):
            widgets.focus("review-feedback", rnd.checks)
    if rnd.done and q.due_now:  # the queue was read after this answer was recorded
        nxt_title = TOPICS[q.due_now[0]].title
        st.button(
            f"Next review: {nxt_title}",
            type="primary",
            key="review.next",
            icon=":material/skip_next:",
            on_click=begin,
            args=(q.due_now[0],),
        )
        st.button("Stop reviewing", key="review.stop", on_click=on_leave)
    elif rnd.done:
        st.button("Done for now", type="primary", key="review.next", icon=":material/check:", on_click=on_leave)
    else:
        st.button("Stop reviewing", key="review.stop", on_click=on_leave)

if q.rows:
    st.subheader("Your concepts")
    st.dataframe(
        queue_table(q, now),
        hide_index=True,
        column_config={"Recall now": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)},
    )
    df = mastery_frame(user.id, review_history(sf, user.id), now)
    if not df.empty:
        st.subheader("Mastery over time")
        st.caption("FSRS's probability that you recall each concept: solid up to now, dashed if no review comes.")
        st.altair_chart(mastery_chart(df, now), use_container_width=True)
