"""Code: pick an autograded task, write or upload your Keras code, and get the sandbox's verdict — every check with
its concept and the trap it points at, the rebuilt model's layers and receptive field — and your past submissions."""

from __future__ import annotations

import streamlit as st
from code_editor import code_editor

from grader import queue as Q
from grader import services as S
from grader.autograde.contract import MAX_SOURCE_BYTES
from grader.autograde.tasks import get
from grader.db import utcnow
from ui import code_view as C
from ui.assessments_view import duration
from ui.code_submissions_view import shared_queue
from ui.explore.own import own_url
from ui.mathtext import md, render_md
from ui.state import require_user, services

user = require_user("student")
sf = services()
state = st.session_state


def grading_queue() -> C.GradingQueue:
    """The one background grader of this server process, shared with the Code submissions page (its sandbox
    starts with the first submission)."""
    return shared_queue()


def _db_url() -> str:
    return sf.kw["bind"].url.render_as_string(hide_password=False)


# On PostgreSQL the workers grade (``cnnquiz worker``); on SQLite this process does. (A comment, not a string:
# Streamlit's magic would print a bare string literal on the page.)
QUEUED = Q.is_postgres(_db_url())


def _submit(task_id: str, text: str, file_name: str) -> None:
    if QUEUED:
        try:  # back-pressure: refuse before storing anything
            Q.check_capacity(_db_url())
        except Q.QueueFull:
            st.error("Too many submissions are waiting to be graded. Nothing was submitted; try again in a minute.")
            return
    sub = S.record_code_submission(sf, user.id, task_id, file_name, text)
    Q.submit_code(sf, _db_url(), sub.id, local=None if QUEUED else grading_queue())
    state[f"code.watch.{task_id}"] = sub.id


def _show(task_id: str, pick_key: str) -> None:
    if isinstance(state.get(pick_key), int):
        state[f"code.watch.{task_id}"] = state[pick_key]


st.title("Code")
st.caption("Your code runs in a sandbox; a separate checker rebuilds the model it exports and tests it.")
st.html("<style>[data-testid='stTextArea'] textarea{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,"
        "monospace;font-size:.85rem;line-height:1.45;white-space:pre;overflow-x:auto}</style>")  # fmt: skip

choices = C.task_choices()
task_id = st.selectbox("Task", list(choices), format_func=choices.__getitem__, key="code.task")
task = get(task_id)
st.markdown(render_md(task.statement))
st.markdown("**Contract**")
st.code(C.signature(task), language="python")
st.caption(f"{C.contract(task)} Worth {task.max_score:g} points; at most {C.kib(MAX_SOURCE_BYTES)} of source.")
with st.expander("Starter file"):
    st.code(task.starter, language="python")
    st.download_button("Download the starter", task.starter, file_name=f"{task.function}.py", mime="text/x-python")

write, upload = st.tabs(["Write", "Upload a .py file"])
with write:
    text_key = f"code.text.{task_id}"  # the code as last seen, shared by the editor and the plain box
    if text_key not in state:
        state[text_key] = task.starter
    plain = st.toggle(
        "Plain text box",
        key="code.plain",
        help="A plain text area instead of the code editor: for a screen reader, or if the editor does not load.",
    )
    if plain:
        src_key = f"code.src.{task_id}"
        if src_key not in state:
            state[src_key] = state[text_key]
        st.text_area("Your code", key=src_key, height=360)
        state[text_key] = state[src_key]
        if st.button("Submit this code", type="primary", key="code.submit.text"):
            try:
                _submit(task_id, C.check_text(state[src_key]), f"{task.function}.py")
            except C.Refused as e:
                st.error(str(e), icon=":material/block:")
    else:
        st.caption(
            f"**{C.SUBMIT_LABEL}** (or Ctrl+Enter, ⌘+Enter on a Mac) sends the code. Tab indents inside the editor; "
            "press Esc, then Tab, to move on (Enter goes back in)."
        )
        seen_key = f"code.editor.seen.{task_id}"
        value = code_editor(**C.editor_args(state[text_key]), key=f"code.editor.{task_id}")
        event = C.editor_event(value, state.get(seen_key))
        if event is not None:
            state[seen_key] = event.id
            state[text_key] = event.text
            if event.submitted:
                try:
                    _submit(task_id, C.check_text(event.text), f"{task.function}.py")
                except C.Refused as e:
                    st.error(str(e), icon=":material/block:")
with upload:
    f = st.file_uploader("A Python file (.py, UTF-8)", type=["py"], max_upload_size=1, key=f"code.file.{task_id}")
    if f is not None:
        try:
            source = C.read_upload(f.name, f.getvalue())
        except C.Refused as e:
            st.error(str(e), icon=":material/block:")
        else:
            st.caption(f"{md(source.file_name)} · {C.kib(len(f.getvalue()))}")
            if st.button("Submit this file", type="primary", key="code.submit.file"):
                _submit(task_id, source.text, source.file_name)


# ------------------------------------------------------------------ the verdict


def _verdict(sub: S.CodeSubmissionOut) -> None:
    title, explain = C.verdict_text(sub.verdict)
    r = sub.results or {}
    kind = C.verdict_kind(sub.verdict, sub.score, sub.max_score)
    score = f"{sub.score or 0:g} / {sub.max_score or task.max_score:g}"
    getattr(st, kind)(f"**{title}** — {score} points. {explain}")
    if r.get("message"):
        st.code(r["message"], language=None, wrap_lines=True)
    for c in r.get("checks", []):
        mark = ":green[:material/check_circle:]" if c["passed"] else ":red[:material/cancel:]"
        with st.container(border=True):
            st.markdown(
                f"{mark} **{md(c['name'])}** · {c['points']:g} / {c['max_points']:g} · concept: *{md(c['concept'])}*"
            )
            # a check's message can quote the student's model (layer names): shown as literal text
            if c["passed"]:
                st.caption(md(c["message"], limit=2000))
            else:
                trap = C.trap_title(c.get("trap"))
                st.markdown((f"**Trap: {md(trap)}.** " if trap else "") + md(c["message"], limit=2000))
    model = r.get("model")
    if model:
        st.markdown(
            f"**Your model, rebuilt by the checker:** input {C.shape_text(model['input_shape'])} → output "
            f"{C.shape_text(model['output_shape'])} · {model['params']:,} parameters ({model['trainable']:,} "
            f"trainable) · {model['macs']:,} MACs · receptive field "
            f"{C.rf_text(model['receptive_field'], model['whole_input'])}"
        )
        st.dataframe(
            C.layer_rows(r),
            hide_index=True,
            width="stretch",
            column_config={
                "params": st.column_config.NumberColumn(format="localized"),
                "MACs": st.column_config.NumberColumn(format="localized"),
            },
        )
    if r.get("exported_config"):  # rebuilt from that config on the Explore page, never by running the code again
        st.link_button(
            "Explore your model",
            own_url(sub.id),
            icon=":material/build:",
            help="Its diagram, layer table and receptive field, measured on the input (opens a new tab).",
        )
    if r.get("stdout_head"):
        with st.expander("What your code printed"):
            st.code(r["stdout_head"], language=None)
    degraded = [k for k, v in (r.get("layers") or {}).items() if v != "ok"]
    if degraded:
        st.caption("Graded without these sandbox layers on this server: " + ", ".join(degraded) + ".")


@st.fragment(run_every=1.0)
def _pending(submission_id: int) -> None:
    sub = S.get_code_submission(sf, user.id, submission_id)
    if sub.verdict is not None:
        st.rerun()
    phase = "queued" if QUEUED else grading_queue().phase(submission_id)
    waited = (utcnow() - sub.created_at).total_seconds()
    label = {
        "queued": "Waiting for a free sandbox…",
        "starting": "Starting the sandbox (the first submission after a restart takes a little longer)…",
        "running": "Running your code in the sandbox, then checking the model it exported…",
    }.get(phase or "", "")
    with st.status(f"Grading {md(sub.file_name)}", state="running", expanded=True):
        if phase is None:
            st.warning("This server is not grading this submission any more (it restarted?). Please submit again.")
        else:
            st.write(label)
        st.caption(f"{duration(waited)} so far. You can leave this page: the verdict is stored with your submission.")


watch = state.get(f"code.watch.{task_id}")
history = S.list_code_submissions(sf, user.id, task_id=task_id)
if watch not in {h.id for h in history}:  # none chosen yet (or an older one than the list shows): the newest
    watch = history[0].id if history else None
if watch is not None:
    st.subheader("Verdict")
    current = S.get_code_submission(sf, user.id, watch)
    st.caption(f"{md(current.file_name)} · submitted {current.created_at:%d %b %Y %H:%M:%S} UTC")
    if current.verdict is None:
        _pending(current.id)
    else:
        _verdict(current)

if history:
    st.subheader("Your submissions")
    st.dataframe(
        [
            {
                "submitted (UTC)": h.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                "file": h.file_name,
                "verdict": C.verdict_text(h.verdict)[0],
                "score": "" if h.score is None else f"{h.score:g} / {h.max_score or 0:g}",
            }
            for h in history
        ],
        hide_index=True,
        width="stretch",
    )
    pick_key = f"code.pick.{task_id}"
    if state.get(pick_key) != watch:
        state[pick_key] = watch
    st.selectbox(
        "Show the verdict of",
        [h.id for h in history],
        # a label that never changes for a submission (the widget maps the label back to the submission)
        format_func=lambda i: next(
            f"#{h.id} · {h.created_at:%d %b %H:%M:%S} · {h.file_name}" for h in history if h.id == i
        ),
        key=pick_key,
        on_change=_show,
        args=(task_id, pick_key),
    )
