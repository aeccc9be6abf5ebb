"""Practice: pick a topic and difficulty, answer generated questions, get instant, trap-aware feedback."""

from __future__ import annotations

import streamlit as st

from ui.practice import Pick, answer, input_hint, new_pick, pick_from_link, question_for, render_md, topic_choices

st.title("Practice")
st.caption("Every answer key here is proven against a live Keras model.")

topics = topic_choices()
state = st.session_state
shared = pick_from_link(dict(st.query_params))
if shared is not None and state.get("practice.link") != shared:
    # a shared link pins one question: ?gen=conv_params.count&seed=11&d=2
    state["practice.link"] = shared
    state["practice.current"] = shared
    state["practice.topic"] = shared.generator.split(".", 1)[0]
    state["practice.difficulty"] = shared.difficulty
    state["practice.for"] = (state["practice.topic"], shared.difficulty)
    state["practice.result"] = None
col1, col2 = st.columns([3, 1])
topic = col1.selectbox("Topic", list(topics), format_func=topics.__getitem__, key="practice.topic")
difficulty = col2.radio("Difficulty", [1, 2, 3], horizontal=True, key="practice.difficulty")

current: Pick | None = state.get("practice.current")
if current is None or state.get("practice.for") != (topic, difficulty):
    current = new_pick(topic, difficulty)
    state["practice.current"] = current
    state["practice.for"] = (topic, difficulty)
    state["practice.result"] = None

q = question_for(current)
st.markdown(render_md(q.stem))

with st.form("practice.form", clear_on_submit=False):
    if q.kind == "multiple_choice":
        labels = {o.id: render_md(o.text) for o in q.options}  # type: ignore[union-attr]
        choice = st.radio(
            "Your answer",
            list(labels),
            format_func=lambda i: f"({i}) {labels[i]}",
            index=None,
            key=f"practice.choice.{q.uid}",
        )
        raw = choice or ""
    elif q.kind == "multi_select":
        labels = {o.id: render_md(o.text) for o in q.options}  # type: ignore[union-attr]
        st.write("Select all that apply.")
        picked = [i for i in labels if st.checkbox(f"({i}) {labels[i]}", key=f"practice.multi.{q.uid}.{i}")]
        raw = ",".join(picked)
    else:
        raw = st.text_input("Your answer", key=f"practice.text.{q.uid}", help=input_hint(q))
    submitted = st.form_submit_button("Check")

if submitted:
    state["practice.result"] = (q.uid, answer(q, raw))
    if state["practice.result"][1].format_error is None:
        state["practice.attempts"] = state.get("practice.attempts", 0) + 1

result = state.get("practice.result")
if result and result[0] == q.uid:
    outcome = result[1]
    if outcome.format_error:
        st.warning(f"Format: {outcome.format_error}. This did not count as an attempt.", icon=":material/keyboard:")
    elif outcome.grade.correct:
        fb = outcome.grade.feedback
        st.success(
            "Correct!" + ("" if fb.strip(". ").lower() == "correct" else f" {fb}"), icon=":material/check_circle:"
        )
        st.markdown("**Worked explanation**")
        st.markdown(render_md(outcome.grade.explanation))
    else:
        g = outcome.grade
        if g.trap:
            st.error(f"**Trap: {g.trap_title}.** {g.feedback}", icon=":material/warning:")
        else:
            st.error(g.feedback, icon=":material/cancel:")
        if g.score > 0:
            st.info(f"Partial credit: {g.score:.0%}")
        with st.expander("Worked explanation"):
            st.markdown(render_md(g.explanation))

if st.button("New variant", key="practice.next"):
    state["practice.current"] = new_pick(topic, difficulty, current)
    state["practice.result"] = None
    st.rerun()

st.caption(f"Question {q.uid} · answered {state.get('practice.attempts', 0)} this session")
