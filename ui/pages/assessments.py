"""Assessments: your courses' open, upcoming and closed assessments; taking one with every answer saved as you enter
it; your score, feedback and the worked explanations once released."""

from __future__ import annotations

import streamlit as st

from grader import services as S
from grader.db import utcnow
from ui import assessments_view as A
from ui.mathtext import md, render_md
from ui.state import require_user, services

user = require_user("student")
sf = services()
state = st.session_state


def _open(aid: int | None) -> None:
    state["assess.open"] = aid
    state.pop("assess.results", None)
    if aid is None:
        st.query_params.pop("assessment", None)
    else:
        st.query_params["assessment"] = str(aid)


def _selected() -> int | None:
    """The assessment being looked at: this session's choice, else the one in the link (so a reload comes back)."""
    aid = state.get("assess.open")
    raw = st.query_params.get("assessment")
    if aid is None and raw and raw.isdigit():
        aid = state["assess.open"] = int(raw)
    return aid


def _note(level: str, message: str) -> None:
    """A message for the next run of the page (after an action moved it elsewhere)."""
    state.setdefault("assess.flash", []).append((level, message))


def _flash() -> None:
    for level, message in state.pop("assess.flash", []):
        getattr(st, level)(message)


def _on_answer(attempt_id: int, instance_id: int, answer_format: str, key: str, tries: int, stored: str | None) -> None:
    saved = A.save_answer(sf, user.id, attempt_id, instance_id, answer_format, state.get(key), tries, stored)
    if saved is None:  # the answer already saved, entered again
        return
    state[f"assess.msg.{attempt_id}.{instance_id}"] = saved
    if saved.level == "error":  # e.g. the deadline passed: the page may leave the question, so say it again there
        _note("error", saved.message)


def _goto(attempt_id: int, index: int) -> None:
    state[f"assess.cur.{attempt_id}"] = index
    state[f"assess.q.{attempt_id}"] = index


# ------------------------------------------------------------------ the list


def _card(row: A.Row) -> None:
    a = row.assessment
    with st.container(border=True):
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.markdown(f"**{md(a.title)}**  \n{A.describe(a)}")
        if row.status == "upcoming":
            left.caption(f"Opens {A.when(a.opens_at)}")
        elif row.status == "open":
            used = f"attempts used: {len(row.attempts)} of {a.attempt_limit}" if a.attempt_limit else ""
            closes = f"Closes {A.when(a.closes_at)}" if a.closes_at else "No closing time"
            left.caption(" · ".join(x for x in (closes, used) if x))
        else:
            left.caption(f"Closed {A.when(a.closes_at)}")
        if row.best is not None:
            left.caption(f"Best score: {row.best.score:g} / {row.best.max_score:g}")
        label = {"open": "Resume" if row.current else "Open", "upcoming": "Details", "closed": "Review"}[row.status]
        if right.button(label, key=f"assess.go.{a.id}", width="stretch"):
            _open(a.id)
            st.rerun()


def _overview() -> None:
    st.title("Assessments")
    _flash()
    blocks = A.overview(sf, user.id)
    if not blocks:
        st.info("You are not enrolled in any course yet.", icon=":material/school:")
        return
    for b in blocks:
        st.header(f"{md(b.course.code)} · {md(b.course.title)}", divider="gray")
        for status, label in (("open", "Open now"), ("upcoming", "Upcoming"), ("closed", "Closed")):
            rows = b.rows[status]  # type: ignore[index]
            st.subheader(label)
            if not rows:
                st.caption("None.")
            for row in rows:
                _card(row)


# ------------------------------------------------------------------ taking an attempt


def _handed_in_late(att: S.AttemptOut) -> None:
    _note("warning", A.time_up(att))
    state["assess.results"] = att.id
    st.rerun(scope="app")


@st.fragment(run_every=A.CLOCK_EVERY_S)
def _clock(att: S.AttemptOut) -> None:
    """Reruns on its own every few seconds while the attempt is open: at the deadline it hands the attempt in and
    the page shows the results, without waiting for the student to click anything."""
    if A.hand_in_if_late(sf, user.id, att, utcnow()):
        _handed_in_late(att)


def _take(a: S.StudentAssessmentOut, att: S.AttemptOut) -> None:
    now = utcnow()
    res = S.attempt_results(sf, user.id, att.id, now=now)
    items = res.items
    answered, total = A.progress(res)
    st.title(a.title)
    st.caption(f"Attempt {att.number} · {answered} of {total} answered · every answer is saved as soon as you enter it")
    if att.deadline_at is not None:
        st.iframe(A.countdown_html(att.deadline_at, now), height=44)
        left = (att.deadline_at - now).total_seconds()
        st.caption(
            f"Deadline {A.when(att.deadline_at)}, kept by the server: {A.duration(left)} left when this page loaded."
        )
        _clock(att)
    _flash()
    if not items:
        st.info("This assessment has no questions.")
    else:
        nav_key = f"assess.q.{att.id}"
        current = state.get(f"assess.cur.{att.id}", 0)
        if state.get(nav_key) is None:
            state[nav_key] = current
        pick = st.pills(
            "Questions (● answered, ○ not yet)",
            list(range(total)),
            format_func=lambda i: f"{A.marker(items[i])} {i + 1}",
            key=nav_key,
        )
        idx = current if pick is None else int(pick)
        state[f"assess.cur.{att.id}"] = idx
        item = items[idx]
        view = item.question
        fmt = view.answer_format
        iid = view.instance.id
        with st.container(border=True):
            st.markdown(f"**Question {idx + 1} of {total}** · {view.instance.points:g} point(s)")
            st.markdown(render_md(view.stem))
            wkey = f"assess.ans.{att.id}.{iid}"
            if wkey not in state:
                state[wkey] = A.stored_value(fmt, item.answer.raw_text if item.answer else None)
            args = (att.id, iid, fmt, wkey, item.tries, item.answer.raw_text if item.answer else None)
            if fmt == "multiple_choice" and view.options:
                labels = {o.id: render_md(o.text) for o in view.options}
                st.radio(
                    "Your answer",
                    list(labels),
                    format_func=lambda i: f"({i}) {labels[i]}",
                    key=wkey,
                    on_change=_on_answer,
                    args=args,
                )
            elif fmt == "multi_select" and view.options:
                labels = {o.id: render_md(o.text) for o in view.options}
                st.multiselect(
                    "Your answer (select all that apply)",
                    list(labels),
                    format_func=lambda i: f"({i}) {labels[i]}",
                    key=wkey,
                    on_change=_on_answer,
                    args=args,
                )
            else:
                st.text_input(
                    "Your answer",
                    key=wkey,
                    on_change=_on_answer,
                    args=args,
                    help=A.input_hint(fmt, view.unit) or None,
                    placeholder="Type your answer and press Enter to save it",
                )
            saved: A.Saved | None = state.get(f"assess.msg.{att.id}.{iid}")
            if saved is not None:
                getattr(st, saved.level)(saved.message)
                if saved.feedback:
                    st.info(render_md(saved.feedback))
            if item.answer is not None:
                picked = A.chosen_text(view, item.answer)
                said = render_md(picked) if picked else md(item.answer.raw_text)
                st.caption(f"Saved answer: {said} (try {item.tries})")
            else:
                st.caption("Not answered yet.")
        prev, nxt = st.columns(2)
        prev.button(
            "← Previous",
            disabled=idx == 0,
            width="stretch",
            key=f"assess.prev.{att.id}",
            on_click=_goto,
            args=(att.id, idx - 1),
        )
        nxt.button(
            "Next →",
            disabled=idx >= total - 1,
            width="stretch",
            key=f"assess.next.{att.id}",
            on_click=_goto,
            args=(att.id, idx + 1),
        )
    st.divider()
    confirm = f"assess.confirm.{att.id}"
    if not state.get(confirm):
        if st.button("Finish attempt…", type="primary", key=f"assess.finish.{att.id}"):
            state[confirm] = True
            st.rerun()
        return
    unanswered = total - answered
    st.warning(
        f"Finish attempt {att.number}? You answered {answered} of {total} questions"
        + (f"; the {unanswered} unanswered score 0" if unanswered else "")
        + ". You cannot change your answers afterwards.",
        icon=":material/flag:",
    )
    yes, no = st.columns(2)
    if yes.button("Yes, finish", type="primary", width="stretch", key=f"assess.yes.{att.id}"):
        try:
            S.finish_attempt(sf, user.id, att.id)
        except S.ServiceError as e:
            st.error(A.refusal(e))
            return
        state.pop(confirm, None)
        state["assess.results"] = att.id
        _note("success", f"Attempt {att.number} is finished and handed in.")
        st.rerun()
    if no.button("Keep working", width="stretch", key=f"assess.no.{att.id}"):
        state.pop(confirm, None)
        st.rerun()


# ------------------------------------------------------------------ results


def _results(a: S.StudentAssessmentOut, att: S.AttemptOut) -> None:
    res = S.attempt_results(sf, user.id, att.id)
    st.subheader(f"Attempt {att.number}")
    if res.grade is not None and res.grade.visible and res.grade.score is not None:
        st.metric("Score", f"{res.grade.score:g} / {res.grade.max_score:g}")
    elif res.grade is not None:
        release = f"from {A.when(a.key_release_at)}" if a.key_release_at else "once your instructor releases the key"
        st.info(
            f"Your answers are handed in. Your score, the feedback and the worked explanations are shown {release}.",
            icon=":material/lock_clock:",
        )
    if not res.graded_visible:
        answered, total = A.progress(res)
        st.caption(f"You answered {answered} of {total} questions.")
        return
    for i, item in enumerate(res.items):
        r = item.answer
        icon = (
            ":material/check_circle:"
            if r is not None and r.correct
            else (":material/cancel:" if r is not None else ":material/radio_button_unchecked:")
        )
        points = f"{r.score:g} / {r.max_score:g}" if r is not None and r.score is not None else "0"
        view = item.question
        with st.expander(f"Question {i + 1} · {points}", expanded=r is None or not r.correct, icon=icon):
            st.markdown(render_md(view.stem))
            if r is None:
                st.caption("Not answered.")
            else:
                picked = A.chosen_text(view, r)
                st.markdown(f"Your answer: {render_md(picked) if picked else md(r.raw_text)}")
                if r.correct:
                    st.success("Correct.")
                elif item.trap_title:
                    st.error(
                        f"**The trap you fell into: {md(item.trap_title)}.** {render_md(item.feedback or '')}",
                        icon=":material/warning:",
                    )
                else:
                    st.error(render_md(item.feedback or "Not correct."))
            if res.key_released:
                st.markdown(f"**Answer:** {render_md(A.key_text(view))}")
                if view.explanation:
                    st.markdown("**Worked explanation**")
                    st.markdown(render_md(view.explanation))


# ------------------------------------------------------------------ one assessment


def _assessment(aid: int) -> None:
    if st.button("← All assessments", key="assess.back"):
        _open(None)
        st.rerun()
    try:
        a = S.get_assessment(sf, user.id, aid)
        attempts = S.list_attempts(sf, user.id, aid)
    except S.ServiceError as e:
        st.error(A.refusal(e))
        return
    now = utcnow()
    for x in attempts:  # the time ran out while away: hand in what was saved
        if A.hand_in_if_late(sf, user.id, x, now):
            _handed_in_late(x)
    current = next((x for x in attempts if A.live(x, now)), None)
    if current is not None:
        _take(a, current)
        return
    st.title(a.title)
    st.caption(A.describe(a))
    _flash()
    status = A.status(a, now)
    used = len(attempts)
    left = None if a.attempt_limit is None else a.attempt_limit - used
    if status == "upcoming":
        st.info(f"This assessment opens {A.when(a.opens_at)}.", icon=":material/schedule:")
    elif status == "closed":
        st.warning(f"This assessment closed {A.when(a.closes_at)}: no new attempts.", icon=":material/lock:")
    elif left is not None and left <= 0:
        st.warning(f"You have used all {a.attempt_limit} of your attempts.", icon=":material/block:")
    else:
        lines = [f"Closes {A.when(a.closes_at)}." if a.closes_at else "No closing time."]
        if a.time_limit_s:
            lines.append(
                f"You have {A.duration(a.time_limit_s)} from the moment you press Start"
                + (" (or until it closes, if sooner)" if a.closes_at else "")
                + ". The clock keeps running if you leave or reload the page."
            )
        if left is not None:
            lines.append(f"Attempts left: {left} of {a.attempt_limit}.")
        st.markdown("  \n".join(lines))
        if st.button(f"Start attempt {used + 1}", type="primary", key=f"assess.start.{a.id}"):
            try:
                S.start_attempt(sf, user.id, a.id)
            except S.ServiceError as e:
                st.error(A.refusal(e))
            else:
                st.rerun()
    finished = [x for x in attempts if x.finished_at is not None]
    if not finished:
        return
    shown = state.get("assess.results")
    chosen = next((x for x in finished if x.id == shown), finished[-1])
    if len(finished) > 1:
        number = st.segmented_control(
            "Your attempts", [x.number for x in finished], default=chosen.number, key=f"assess.which.{a.id}"
        )
        chosen = next((x for x in finished if x.number == number), chosen)
    _results(a, chosen)


aid = _selected()
if aid is None:
    _overview()
else:
    _assessment(aid)
