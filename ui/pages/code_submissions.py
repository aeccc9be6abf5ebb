"""Code submissions (the graders of a course): each student's newest verdict of a task, one submission opened (its
source as text, its checks with concepts and traps, the student's history), reruns and regrading, the queue's
depth, and grading an uploaded LMS export."""

from __future__ import annotations

import streamlit as st

from grader import queue as Q
from grader import services as S
from grader.autograde.tasks import get
from ui import code_submissions_view as V
from ui import code_view as C
from ui.mathtext import md
from ui.state import require_user, services

user = require_user("instructor", "ta")
sf = services()
state = st.session_state
URL = sf.kw["bind"].url.render_as_string(hide_password=False)
QUEUED = Q.is_postgres(URL)

st.title("Code submissions")
courses = S.list_graded_courses(sf, user.id)
if not courses:
    st.error("This page is for the graders of a course: you grade none.", icon=":material/block:")
    st.stop()


def _refused(e: Exception) -> None:
    if isinstance(e, Q.QueueFull):
        st.error(f"{e}. Nothing was changed.", icon=":material/hourglass_top:")
    else:
        st.error(str(e), icon=":material/block:")


by_id = {c.id: c for c in courses}
top = st.columns(2)
course_id = top[0].selectbox(
    "Course", list(by_id), format_func=lambda i: f"{by_id[i].code}: {by_id[i].title}", key="subs.course"
)
choices = C.task_choices()
task_id = top[1].selectbox("Task", list(choices), format_func=choices.__getitem__, key="subs.task")
task = get(task_id)

# ------------------------------------------------------------------ the queue
if QUEUED:
    try:
        q = V.queue_status(URL)
    except Exception as e:
        st.warning(f"The grading queue cannot be read ({type(e).__name__}).", icon=":material/cloud_off:")
    else:
        assert q is not None
        m = st.columns(4)
        m[0].metric("Waiting", q.waiting)
        m[1].metric("Oldest waiting", V.age_text(q.oldest_waiting_seconds))
        m[2].metric("Grading now", q.running)
        m[3].metric("Workers", q.workers)
        if q.waiting and not q.workers:
            st.warning("Jobs wait but no worker is alive: start `cnnquiz worker`.", icon=":material/warning:")
else:
    st.caption("This server grades submissions itself, one at a time (SQLite: no separate workers).")

# ------------------------------------------------------------------ the overview
if done := state.pop("subs.flash", None):
    st.success(done, icon=":material/check_circle:")
rows = S.course_code_overview(sf, user.id, course_id, task_id)
counts = V.summary(rows)
st.caption(V.summary_text(counts))
for r in V.internal_errors(rows):
    assert r.latest is not None
    with st.container(border=True):
        st.error(
            f"**Grader failure** on {md(r.student.username)}'s {md(r.latest.file_name)} (#{r.latest.id}): "
            "not a verdict on the code.",
            icon=":material/report:",
        )
        if st.button("Rerun", key=f"subs.rerun.err.{r.latest.id}", icon=":material/replay:"):
            try:
                V.rerun(sf, URL, user.id, r.latest.id)
            except (Q.QueueFull, S.ServiceError) as e:
                _refused(e)
            else:
                state["subs.flash"] = f"#{r.latest.id} is being graded again."
                st.rerun()

st.dataframe(
    V.overview_rows(rows),
    hide_index=True,
    width="stretch",
    column_config={"submissions": st.column_config.NumberColumn(width="small")},
)
with st.popover("Regrade all", icon=":material/replay:", disabled=not counts["handed in"]):
    st.write(f"Grade every student's newest submission of *{md(task.title)}* again ({counts['handed in']}).")
    if st.button("Regrade them", type="primary", key="subs.regrade"):
        try:
            ids = V.regrade_all(sf, URL, user.id, course_id, task_id)
        except (Q.QueueFull, S.ServiceError) as e:
            _refused(e)
        else:
            state["subs.flash"] = f"{len(ids)} submissions are being graded again."
            st.rerun()

# ------------------------------------------------------------------ one student's submissions
handed_in = [r for r in rows if r.latest is not None]
if handed_in:
    st.subheader("Open a submission")
    names = {r.student.id: r.student.username for r in handed_in}
    student_id = st.selectbox("Student", list(names), format_func=names.__getitem__, key="subs.student")
    history = S.student_code_history(sf, user.id, course_id, student_id, task_id)
    pick = st.selectbox(
        "Submission", [h.id for h in history], key=f"subs.pick.{student_id}.{task_id}",
        format_func=lambda i: next(V.pick_label(h) for h in history if h.id == i),
    )  # fmt: skip
    sub = S.get_code_submission(sf, user.id, pick)
    title, explain = C.verdict_text(sub.verdict, staff=True)
    score = f"{sub.score or 0:g} / {sub.max_score or task.max_score:g}"
    kind = "warning" if sub.verdict is None else C.verdict_kind(sub.verdict, sub.score, sub.max_score)
    getattr(st, kind)(f"**{title}** — {score} points. {explain}")
    st.caption(f"{md(sub.file_name)} · submitted {V.utc(sub.created_at)} · sha256 {sub.sha256[:16]}…")
    if st.button("Rerun this submission", key=f"subs.rerun.{sub.id}", icon=":material/replay:"):
        try:
            V.rerun(sf, URL, user.id, sub.id)
        except (Q.QueueFull, S.ServiceError) as e:
            _refused(e)
        else:
            state["subs.flash"] = f"#{sub.id} is being graded again."
            st.rerun()
    r = sub.results or {}
    checks, source, past = st.tabs(["Checks", "Source", f"History ({len(history)})"])
    with checks:
        if r.get("message"):
            st.code(str(r["message"]), language=None, wrap_lines=True)
        for c in V.check_rows(r):
            mark = ":green[:material/check_circle:]" if c.passed else ":red[:material/cancel:]"
            with st.container(border=True):
                st.markdown(
                    f"{mark} **{md(c.name)}** · {c.points:g} / {c.max_points:g} · concept: *{md(c.concept)}*"
                    + (f" · **Trap: {md(c.trap)}**" if c.trap and not c.passed else "")
                )
                st.caption(md(c.message, limit=2000))
        model = r.get("model")
        if model:
            st.caption(
                f"Rebuilt model: {model['params']:,} parameters · {model['macs']:,} MACs · receptive field "
                f"{C.rf_text(model['receptive_field'], model['whole_input'])}"
            )
    with source:
        st.caption("The submitted file as text; it is never run here.")
        st.code(S.code_submission_source(sf, user.id, sub.id), language="python", line_numbers=True)
    with past:
        st.dataframe(V.history_rows(history), hide_index=True, width="stretch")

# ------------------------------------------------------------------ an LMS export
st.subheader("Grade an LMS export")
st.caption(
    "A .zip, or .py files. Each file belongs to the student its folder or its name names (alice/lenet5.py or "
    "alice.py), as with `cnnquiz autograde`; files that name no student of this course are listed, not graded. "
    f"Up to {V.UPLOAD_LIMITS}."
)
batch_key = f"subs.batch.{course_id}.{task_id}"
with st.form("subs.upload", clear_on_submit=True):
    files = st.file_uploader(
        "Export", type=["zip", "py"], accept_multiple_files=True, max_upload_size=V.UPLOAD_MB, key="subs.files"
    )
    go = st.form_submit_button("Grade these files", type="primary")
if go and files:
    students = S.course_students_by_username(sf, user.id, course_id)
    planned = V.read_uploads([(f.name, f.getvalue()) for f in files], students)
    try:
        state[batch_key] = V.grade_upload(sf, URL, user.id, course_id, task_id, planned)
    except (Q.QueueFull, S.ServiceError) as e:
        _refused(e)


def _batch_table(entries: list[V.BatchEntry], p: V.Progress) -> None:
    st.progress(p.fraction, text=p.text)
    st.dataframe(V.batch_rows(entries, p.verdicts), hide_index=True, width="stretch")


@st.fragment(run_every=1.0)
def _grading(entries: list[V.BatchEntry]) -> None:
    p = V.progress(sf, user.id, entries)
    if p.done == p.total:
        st.rerun()  # the whole page: the overview shows the new verdicts, and the polling stops
    _batch_table(entries, p)


if batch := state.get(batch_key):
    now = V.progress(sf, user.id, batch)
    if now.done < now.total:
        _grading(batch)
    else:
        _batch_table(batch, now)
