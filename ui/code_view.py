"""The Code page's logic, kept apart from Streamlit so it can be tested plainly: the tasks, reading an upload,
what a verdict says, and the background grader that runs submissions off the page's thread.

Student code never runs in the app: :class:`GradingQueue` hands the source to a :class:`grader.autograde.grade.
Autograder` (the sandbox runs it, a separate checker process rebuilds the exported config and inspects it) on a
worker thread, and records the verdict through :func:`grader.services.set_code_verdict`; the page only polls the
stored submission.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from grader import queue as Q
from grader import services as S
from grader.autograde.contract import MAX_SOURCE_BYTES, Verdict
from grader.autograde.tasks import Task, tasks
from quizbank import traps

log = logging.getLogger(__name__)


def task_choices() -> dict[str, str]:
    """Task id → title."""
    return {t.id: t.title for t in tasks().values()}


def signature(task: Task) -> str:
    """The function the submission must define, as its starter file declares it."""
    m = re.search(r"^def .*?:\s*$", task.starter, re.M)
    return m.group(0).strip() if m else f"def {task.function}(...):"


def contract(task: Task) -> str:
    """What the grader calls and what it expects back, in one sentence."""
    called = {
        "build": f"`{task.function}()` is called with no arguments and must return a Keras model",
        "train": f"`{task.function}(x, y)` is called with the public training split and must return the trained "
        "model (its weights are checked on held-out digits your code never sees)",
        "inflate": f"`{task.function}(w2d, T)` is called with a 2D kernel and a depth and must return the 3D kernel",
    }[task.kind]
    return (
        f"{called}. It runs in a sandbox with {task.cpu_seconds} s of CPU, no network and no files of ours; only the "
        "exported model config (and weights) leave it, and a separate checker rebuilds and tests them."
    )


def kib(n: int) -> str:
    return f"{n / 1024:,.1f} KiB" if n % 1024 else f"{n // 1024:,} KiB"


class Refused(ValueError):
    """A file or text that is not accepted for grading (the message says why, for the student)."""


@dataclass(frozen=True)
class Source:
    text: str
    file_name: str
    """As it will be stored (sanitised)."""


def check_text(text: str) -> str:
    """Source typed in the editor, if it can be graded (else :class:`Refused`)."""
    size = len(text.encode("utf-8"))
    if size > MAX_SOURCE_BYTES:
        raise Refused(f"The code is {kib(size)}; at most {kib(MAX_SOURCE_BYTES)} is accepted. Nothing was submitted.")
    if not text.strip():
        raise Refused("The editor is empty. Nothing was submitted.")
    return text


def read_upload(name: str, data: bytes) -> Source:
    """An uploaded file's text and stored name, if it can be graded (else :class:`Refused`)."""
    shown = S.safe_file_name(name)
    if len(data) > MAX_SOURCE_BYTES:
        raise Refused(
            f"{shown} is {kib(len(data))}; at most {kib(MAX_SOURCE_BYTES)} is accepted. Nothing was submitted."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Refused(
            f"{shown} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}). Save it as UTF-8 "
            "and upload it again. Nothing was submitted."
        ) from None
    if "\x00" in text:
        raise Refused(f"{shown} contains NUL bytes: it is not a Python source file. Nothing was submitted.")
    return Source(check_text(text), shown)


# ------------------------------------------------------------------ verdicts

VERDICT_TEXT: dict[str, tuple[str, str]] = {
    "ok": ("Checked", "{Your} model was rebuilt from its exported config and every check ran."),
    "time_limit": (
        "Grading timeout",
        "{Your} code ran past its time limit and was stopped. Look for an endless loop, or training that takes too "
        "long.",
    ),
    "memory_limit": ("Out of memory", "{Your} code used more memory than the sandbox allows and was stopped."),
    "output_limit": ("Too much output", "{Your} code printed or wrote more than the sandbox allows and was stopped."),
    "runtime_error": ("Error", "{Your} code raised an error before it returned a result; the traceback is below."),
    "no_model": ("No model", "{Your} function did not return what the task asks for, so nothing could be checked."),
    "rejected": ("Rejected", "The exported model was refused before any check ran; the reason is below."),
    "internal_error": (
        "Grader failure",
        "The grader failed on this submission several times; this is not a verdict on {your} code. An instructor "
        "can see it and have it graded again.",
    ),
}
"""Each verdict's title and what it means, written to the student (``{Your}``/``{your}``: see :func:`verdict_text`)."""


def verdict_text(verdict: str | None, *, staff: bool = False) -> tuple[str, str]:
    """A verdict's title and meaning, addressed to the student who submitted, or (``staff``) to the course's staff."""
    whose = {"Your": "The student's", "your": "the student's"} if staff else {"Your": "Your", "your": "your"}
    if verdict is None:
        return "Grading…", "The submission is waiting for, or running in, the sandbox." if staff else (
            "Your submission is waiting for, or running in, the sandbox."
        )
    title, text = VERDICT_TEXT.get(verdict, (verdict, ""))
    return title, text.format(**whose)


def trap_title(trap: str | None) -> str | None:
    if not trap:
        return None
    try:
        return traps.get(trap).title
    except KeyError:
        return trap


def rf_text(rf: list[int] | None, whole_input: bool = False) -> str:
    if not rf:
        return "the whole input" if whole_input else "—"
    return " × ".join(str(r) for r in rf) + (" (the whole input)" if whole_input else "")


def shape_text(shape: list[Any] | None) -> str:
    return "—" if not shape else " × ".join("?" if d is None else str(d) for d in shape)


def layer_rows(results: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The rebuilt model's per-layer table, as rows for a data frame."""
    model = (results or {}).get("model") or {}
    return [
        {
            "layer": r["name"],
            "type": r["type"],
            "output shape": shape_text(r["output_shape"]),
            "params": r["params"],
            "MACs": r["macs"],
            "receptive field": rf_text(r["receptive_field"], r["whole_input"]),
        }
        for r in model.get("layers", [])
    ]


# ------------------------------------------------------------------ the background grader

GradingQueue = Q.GradingQueue
"""The in-process grader (SQLite); on PostgreSQL submissions go to the workers' queue (:mod:`grader.queue`)."""


def verdict_kind(verdict: Verdict | str | None, score: float | None, max_score: float | None) -> str:
    """The alert a verdict gets: ``success`` (full marks), ``warning`` (checked, marks lost), ``error`` (not
    checked)."""
    if verdict != "ok":
        return "error"
    return "success" if score is not None and max_score and score >= max_score else "warning"


# ------------------------------------------------------------------ the code editor

EDITOR_THEME = "textmate"
"""Ace's own light theme, bundled with the component. The component's ``streamlit_light``/``streamlit_dark`` themes
(what its ``theme`` argument always picks) ``@import`` a stylesheet from fonts.googleapis.com, so the theme is set
through the editor's props instead: the page then loads nothing from outside the server."""

EDITOR_CSS = """
.ace-tm .ace_gutter{background:#f3f3f2;color:#5f5f5f}
.ace-tm .ace_gutter-active-line{background:#e2e2e0}
.ace-tm .ace_marker-layer .ace_active-line{background:rgba(0,0,0,.05)}
.ace-tm .ace_marker-layer .ace_selection{background:#b5d5ff}
.ace-tm .ace_marker-layer .ace_bracket{margin:-1px 0 0 -1px;border:1px solid #c0c0c0}
.ace-tm .ace_cursor{color:#000}
.ace-tm .ace_keyword,.ace-tm .ace_storage{color:#0000c8}
.ace-tm .ace_constant.ace_language,.ace-tm .ace_constant.ace_numeric{color:#a0050a}
.ace-tm .ace_string{color:#036a07}
.ace-tm .ace_comment{color:#3b6e55;font-style:italic}
.ace-tm .ace_support.ace_function,.ace-tm .ace_entity.ace_name.ace_function{color:#1f3f8f}
.ace-tm .ace_invalid{background:rgba(255,0,0,.1);color:#c00}
.cnnquiz-submit{background:#b91c1c!important;color:#fff!important;opacity:1!important;border-radius:.5rem;
padding:.35rem .75rem!important;box-shadow:0 1px 3px rgba(0,0,0,.3)}
.cnnquiz-submit:hover,.cnnquiz-submit:focus-visible{background:#991b1b!important}
.cnnquiz-submit:focus-visible{outline:2px solid #1d4ed8;outline-offset:2px}
.cnnquiz-submit span,.cnnquiz-submit svg{color:#fff!important;stroke:#fff!important}
"""
"""Ace's textmate colours, on the page's own terms: the component's build defines the textmate theme's stylesheet
under a name the theme does not ask for, so the theme alone leaves the code uncoloured (every colour passes 4.5:1
on white). The submit button is solid (white on red-700, 6.5:1), not the component's grey text over the code. (Room for it
below the code, by a margin or border on the editor, desynchronises Ace's gutter from its text: not done.)"""

SUBMIT_LABEL = "Submit for grading"


def editor_args(text: str) -> dict[str, Any]:
    """The keyword arguments of ``code_editor.code_editor`` for the Code page: Python, ``text`` preloaded, a
    "Submit for grading" button (Ctrl+Enter does the same), and Esc then Tab to leave the editor by keyboard."""
    return {
        "code": text,
        "lang": "python",
        "height": [20, 36],  # lines: grows with the code, then scrolls
        "shortcuts": "vscode",
        "response_mode": "blur",  # the text also comes back when the editor loses focus (kept for the plain box)
        "buttons": [
            {
                "name": SUBMIT_LABEL,
                "feather": "Play",
                "primary": True,
                "hasText": True,
                "showWithIcon": True,
                "alwaysOn": True,
                "commands": ["submit"],
                "class": "cnnquiz-submit",
                "style": {"bottom": "1.1rem", "right": "0.9rem"},  # clear of the horizontal scrollbar
            }
        ],
        "options": {
            "showPrintMargin": False,
            "showLineNumbers": True,  # a traceback names lines
            "fontFamily": "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace",  # the system's, as the page's
            "fontSize": 13,
            "tabSize": 4,
            "useSoftTabs": True,
            # Tab indents; Esc hands the focus to the editor's frame, from where Tab moves on (Enter comes back)
            "enableKeyboardAccessibility": True,
            "textInputAriaLabel": "Your code",
        },
        # the component binds Esc to its own "exitSession" (back from its key-bindings editor, which this page does
        # not offer), which would swallow the Esc that leaves the editor
        "keybindings": {"commands": [{"name": "exitSession", "bindkey": None}]},
        # completion on Ctrl+Space only: a list popping up while typing would take the next Enter for itself
        "component_props": {"globalCSS": EDITOR_CSS},
        "props": {"theme": EDITOR_THEME, "enableLiveAutocompletion": False, "enableBasicAutocompletion": True},
    }


@dataclass(frozen=True)
class EditorEvent:
    id: str
    kind: str
    """``submit`` (the button or Ctrl+Enter) or ``blur`` (the editor lost the focus)."""
    text: str

    @property
    def submitted(self) -> bool:
        return self.kind == "submit"


def editor_event(value: Any, seen: str | None) -> EditorEvent | None:
    """What the editor reported since the last event handled (``seen``, its id), if anything: the component keeps
    returning its last event on every rerun, so an event counts once."""
    if not isinstance(value, dict) or value.get("type") not in {"submit", "blur"}:
        return None
    eid = str(value.get("id") or "")
    if not eid or eid == seen:
        return None
    return EditorEvent(eid, str(value["type"]), str(value.get("text") or ""))
