"""The instructor's Code submissions page, kept apart from Streamlit so it can be tested plainly: each student's
newest verdict of a task, one submission opened (its source as text, never run; its checks with their concepts and
traps; the student's history), reruns, the queue's depth, and grading an uploaded LMS export with the owner rules
of ``cnnquiz autograde`` (:func:`grader.autograde.report.owner_of`).

Everything here goes through the services, which refuse anyone who does not grade the course
(:func:`grader.services.grades`); grading goes through :mod:`grader.queue` (the workers' queue on PostgreSQL, this
process on SQLite).
"""

from __future__ import annotations

import atexit
import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grader import queue as Q
from grader import services as S
from grader.autograde.lms import MAX_TOTAL_BYTES, MAX_UPLOAD_BYTES, ExportFile, read_export
from grader.autograde.report import owner_candidates, owner_of
from grader.db import SessionFactory
from quizbank.generators.base import plural
from ui import code_view as C

UPLOAD_MB = -(-MAX_UPLOAD_BYTES // (1 << 20))
"""The upload box's cap per file, in MiB (Streamlit's unit): the largest archive or source the reader takes."""
UPLOAD_LIMITS = f"{UPLOAD_MB} MB a file and {MAX_TOTAL_BYTES >> 20} MB unpacked in all"

INTERNAL_ERROR = Q.INTERNAL_ERROR

_shared_lock = threading.Lock()
_closing_registered = False


def shared_queue() -> Q.GradingQueue:
    """The process-wide in-process grader (SQLite): one sandbox for every page of this server, closed at exit."""
    global _closing_registered
    q = Q.local_queue()
    with _shared_lock:
        if not _closing_registered:
            atexit.register(q.close)
            _closing_registered = True
    return q


# ------------------------------------------------------------------ the overview


def score_text(sub: S.CodeSubmissionOut | None) -> str:
    if sub is None or sub.score is None:
        return ""
    return f"{sub.score:g} / {sub.max_score or 0:g}"


def status_text(sub: S.CodeSubmissionOut | None) -> str:
    """What a submission's verdict is, in the words the students' Code page uses (``—``: none handed in)."""
    if sub is None:
        return "—"
    title = C.verdict_text(sub.verdict)[0]
    return f"⚠ {title}" if sub.verdict == INTERNAL_ERROR else title


def overview_rows(rows: Sequence[S.StudentCodeRow]) -> list[dict[str, Any]]:
    """One row per student for the overview table (text shown literally by the table: no escaping needed)."""
    return [
        {
            "student": r.student.username,
            "name": r.student.display_name,
            "status": status_text(r.latest),
            "score": score_text(r.latest),
            "file": r.latest.file_name if r.latest else "",
            "submitted (UTC)": r.latest.created_at.strftime("%Y-%m-%d %H:%M") if r.latest else "",
            "submissions": r.submissions,
        }
        for r in rows
    ]


def internal_errors(rows: Sequence[S.StudentCodeRow]) -> list[S.StudentCodeRow]:
    """The students whose newest submission the grader failed on (highlighted, each with a rerun button)."""
    return [r for r in rows if r.latest is not None and r.latest.verdict == INTERNAL_ERROR]


def summary(rows: Sequence[S.StudentCodeRow]) -> dict[str, int]:
    subs = [r.latest for r in rows if r.latest is not None]
    return {
        "students": len(rows),
        "handed in": len(subs),
        "full marks": sum(
            1 for s in subs if s.verdict == "ok" and s.score is not None and s.max_score and s.score >= s.max_score
        ),
        "waiting": sum(1 for s in subs if s.verdict is None),
        "grader failures": sum(1 for s in subs if s.verdict == INTERNAL_ERROR),
    }


def summary_text(counts: dict[str, int]) -> str:
    """The overview's line: "1 student · 1 handed in · 1 with full marks · 0 waiting · 0 grader failures"."""
    return " · ".join(
        [
            plural(counts["students"], "student"),
            f"{counts['handed in']} handed in",
            f"{counts['full marks']} with full marks",
            f"{counts['waiting']} waiting",
            plural(counts["grader failures"], "grader failure"),
        ]
    )


# ------------------------------------------------------------------ one submission


@dataclass(frozen=True)
class CheckRow:
    passed: bool
    name: str
    points: float
    max_points: float
    concept: str
    trap: str | None
    """The trap's title (its id where the bank has no such trap)."""
    message: str


def check_rows(results: Mapping[str, Any] | None) -> list[CheckRow]:
    return [
        CheckRow(
            passed=bool(c.get("passed")),
            name=str(c.get("name", "")),
            points=float(c.get("points", 0)),
            max_points=float(c.get("max_points", 0)),
            concept=str(c.get("concept", "")),
            trap=C.trap_title(c.get("trap")),
            message=str(c.get("message", "")),
        )
        for c in (results or {}).get("checks", [])
    ]


def history_rows(history: Sequence[S.CodeSubmissionOut]) -> list[dict[str, Any]]:
    return [
        {
            "#": h.id,
            "submitted (UTC)": h.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "file": h.file_name,
            "status": status_text(h),
            "score": score_text(h),
        }
        for h in history
    ]


def pick_label(h: S.CodeSubmissionOut) -> str:
    """A history entry's label in a select box (a file name in a label is shown literally)."""
    return f"#{h.id} · {h.created_at:%d %b %H:%M:%S} · {h.file_name} · {status_text(h)}"


# ------------------------------------------------------------------ the queue


def age_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def queue_status(url: str) -> Q.QueueStatus | None:
    """The grading queue's depth and oldest wait on PostgreSQL (``None`` on SQLite: no queue, this process grades);
    raises what reading it raises (the page says it could not)."""
    return Q.queue_status(url) if Q.is_postgres(url) else None


def rerun(sf: SessionFactory, url: str, actor_id: int, submission_id: int) -> str:
    """Grade one submission again; what happened (``queued``/``local``/``already``). :class:`grader.queue.QueueFull`
    and the services' refusals propagate."""
    return Q.rerun_code(sf, url, actor_id, submission_id, local=None if Q.is_postgres(url) else shared_queue())


def regrade_all(sf: SessionFactory, url: str, actor_id: int, course_id: int, task_id: str) -> list[int]:
    """Grade every student's newest submission of the task again; their ids."""
    local = None if Q.is_postgres(url) else shared_queue()
    return Q.regrade_task(sf, url, actor_id, course_id, task_id, local=local)


# ------------------------------------------------------------------ uploading an LMS export


@dataclass(frozen=True)
class PlannedFile:
    path: str
    """As in the upload (submitter-controlled: escape it)."""
    stored_name: str
    student: str | None
    student_id: int | None
    text: str | None
    problem: str | None
    """Why it will not be graded (``None``: it will be)."""


def plan_upload(files: Sequence[ExportFile], students: Mapping[str, int]) -> list[PlannedFile]:
    """Whose each file is (the folder or the stem names a student of the course: ``cnnquiz autograde``'s rule),
    and whether it can be graded (UTF-8 text, no NUL, not too large: the Code page's rules)."""
    by_id = {uid: name for name, uid in students.items()}
    out = []
    for f in files:
        stored = S.safe_file_name(f.path)
        problem, text, uid = f.problem, None, None
        if problem is None:
            uid = owner_of(f.path, students)
            if uid is None:
                tried = ", ".join(repr(c) for c in owner_candidates(f.path) if c)
                problem = f"names no student of this course (tried {tried})"
        if problem is None:
            try:
                text = C.read_upload(f.path, f.data or b"").text
            except C.Refused as e:
                problem = str(e).replace(" Nothing was submitted.", "")
        student = by_id.get(uid) if uid is not None else None
        out.append(PlannedFile(f.path, stored, student, uid if problem is None else None, text, problem))
    return out


def read_uploads(uploads: Sequence[tuple[str, bytes]], students: Mapping[str, int]) -> list[PlannedFile]:
    return plan_upload(read_export(uploads), students)


@dataclass(frozen=True)
class BatchEntry:
    path: str
    student: str | None
    submission_id: int | None
    problem: str | None


def grade_upload(
    sf: SessionFactory, url: str, actor_id: int, course_id: int, task_id: str, planned: Sequence[PlannedFile]
) -> list[BatchEntry]:
    """Store every gradable file for its student and have it graded; one entry per file, in order. A full queue
    refuses the whole upload (:class:`grader.queue.QueueFull`) before anything is stored; a file that cannot be
    stored or queued is reported in its entry and never stops the others."""
    gradable = [p for p in planned if p.problem is None]
    postgres = Q.is_postgres(url)
    if gradable and postgres:
        Q.check_capacity(url, Q.MAX_WAITING - len(gradable) + 1)
    local = None if postgres else shared_queue()
    out = []
    for p in planned:
        if p.problem is not None or p.student_id is None or p.text is None:
            out.append(BatchEntry(p.path, p.student, None, p.problem or "not graded"))
            continue
        try:
            sub = S.record_code_submission_for(sf, actor_id, course_id, p.student_id, task_id, p.stored_name, p.text)
        except S.AccessDenied:
            raise
        except Exception as e:
            out.append(BatchEntry(p.path, p.student, None, f"not stored: {type(e).__name__}: {e}"))
            continue
        try:
            Q.submit_code(sf, url, sub.id, local=local, max_waiting=None)
        except Exception as e:
            out.append(BatchEntry(p.path, p.student, sub.id, f"stored, not queued: {type(e).__name__}: {e}"))
            continue
        out.append(BatchEntry(p.path, p.student, sub.id, None))
    return out


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    verdicts: dict[int, str | None]

    @property
    def fraction(self) -> float:
        return 1.0 if not self.total else self.done / self.total

    @property
    def text(self) -> str:
        return f"{self.done} of {self.total} graded"


def progress(sf: SessionFactory, actor_id: int, entries: Sequence[BatchEntry]) -> Progress:
    ids = [e.submission_id for e in entries if e.submission_id is not None]
    verdicts = S.code_verdicts(sf, actor_id, ids) if ids else {}
    return Progress(sum(v is not None for v in verdicts.values()), len(ids), verdicts)


def batch_rows(entries: Sequence[BatchEntry], verdicts: Mapping[int, str | None]) -> list[dict[str, Any]]:
    """One row per uploaded file: its path (literal text in the table), its student, and its verdict so far or
    why it was not graded."""
    rows = []
    for e in entries:
        if e.problem is not None and e.submission_id is None:
            verdict = f"not graded: {e.problem}"
        elif e.problem is not None:
            verdict = e.problem
        else:
            v = verdicts.get(e.submission_id or -1)
            verdict = "grading…" if v is None else C.verdict_text(v)[0]
        rows.append({"file (as uploaded)": e.path, "student": e.student or "", "verdict": verdict})
    return rows


def utc(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%d %b %Y %H:%M:%S UTC")
