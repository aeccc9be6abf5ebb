"""Code submissions: the submitted source (and its sha256) stored before the autograder runs it, its verdict, and
the access-checked reads of them (a student their own; a grader, instructor or TA, those handed in to their course)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from typing import Any

from sqlalchemy import select, update

from quizbank.regenerate import canonical_json

from .. import db as D
from ..autograde.contract import MAX_SOURCE_BYTES
from ..db import SessionFactory, read_session, write_session
from .common import (
    AccessDenied,
    NotFound,
    OutModel,
    assessment_row,
    can_grade,
    now_utc,
    require_member,
    teaches,
    user_row,
)

MAX_FILE_NAME = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
"""What PostgreSQL refuses in text and jsonb: NUL, and UTF-16 surrogates (alone, they are no character at all)."""


def storable(text: str) -> str:
    """``text`` with every character a database cannot store (NUL, a lone surrogate) replaced by U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


def storable_json(value: Any) -> Any:
    """A JSON value with :func:`storable` strings throughout, keys included (student text reaches check messages,
    layer names and tracebacks)."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable(str(k)): storable_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable_json(v) for v in value]
    return value


def safe_file_name(name: str) -> str:
    """A submitted file's name as it is stored: its last path component, ASCII letters, digits, ``.``, ``_`` and
    ``-`` only (anything else becomes ``_``), no leading dot, at most :data:`MAX_FILE_NAME` characters; never
    empty."""
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = _UNSAFE.sub("_", base).lstrip(".")
    if len(base) > MAX_FILE_NAME:
        stem, dot, ext = base.rpartition(".")
        ext = ext[:10] if dot else ""
        base = (stem if dot else base)[: MAX_FILE_NAME - len(ext) - 1] + ("." + ext if ext else "")
    return base or "submission.py"


class CodeSubmissionOut(OutModel):
    id: int
    task_id: str
    user_id: int
    assessment_id: int | None
    file_name: str
    sha256: str
    verdict: str | None
    score: float | None
    max_score: float | None
    results: dict[str, Any] | None
    created_at: dt.datetime
    graded_at: dt.datetime | None


def record_code_submission(
    sf: SessionFactory,
    actor_id: int,
    task_id: str,
    file_name: str,
    source: str | bytes,
    *,
    assessment_id: int | None = None,
    now: dt.datetime | None = None,
) -> CodeSubmissionOut:
    """Store a submitted source file (its sha256 too) before the autograder runs it; the file name is stored
    sanitised (:func:`safe_file_name`). ``source`` is the file's bytes, or its text; the text is stored
    :func:`storable`, and where that changed it the exact bytes are kept too (:func:`code_submission_bytes`)."""
    data = source if isinstance(source, bytes) else source.encode("utf-8", "surrogatepass")
    text = storable(data.decode("utf-8", "replace"))
    if len(data) > MAX_SOURCE_BYTES:
        raise ValueError(f"the file is {len(data)} bytes; at most {MAX_SOURCE_BYTES} are accepted")
    t = now_utc(now)
    with write_session(sf) as s:
        user_row(s, actor_id)
        if assessment_id is not None:
            require_member(s, actor_id, assessment_row(s, assessment_id).course_id)
        c = D.CodeSubmission(
            task_id=task_id,
            user_id=actor_id,
            assessment_id=assessment_id,
            file_name=safe_file_name(file_name),
            sha256=hashlib.sha256(data).hexdigest(),
            source=text,
            source_bytes=None if text.encode("utf-8") == data else data,
            created_at=t,
        )
        s.add(c)
        s.flush()
        return CodeSubmissionOut.model_validate(c)


def set_code_verdict(
    sf: SessionFactory,
    submission_id: int,
    verdict: str,
    score: float | None,
    max_score: float | None,
    results: dict[str, Any] | None,
    *,
    now: dt.datetime | None = None,
) -> CodeSubmissionOut:
    """Record the autograder's verdict (called by the autograder, not by users)."""
    t = now_utc(now)
    with write_session(sf) as s:
        c = s.get(D.CodeSubmission, submission_id)
        if c is None:
            raise NotFound(f"no code submission {submission_id}")
        c.verdict, c.score, c.max_score = verdict, score, max_score
        c.results = None if results is None else storable_json(canonical_json(results))
        c.graded_at = t
        s.flush()
        return CodeSubmissionOut.model_validate(c)


def record_code_verdict_once(
    sf: SessionFactory,
    submission_id: int,
    verdict: str,
    score: float | None,
    max_score: float | None,
    results: dict[str, Any] | None,
    *,
    now: dt.datetime | None = None,
) -> bool:
    """Record the verdict unless one is already recorded (grading jobs are delivered at least once); whether this
    call recorded it. One conditional ``UPDATE``: of two racing writers exactly one wins."""
    t = now_utc(now)
    stmt = (
        update(D.CodeSubmission)
        .where(D.CodeSubmission.id == submission_id, D.CodeSubmission.verdict.is_(None))
        .values(
            verdict=verdict,
            score=score,
            max_score=max_score,
            results=None if results is None else storable_json(canonical_json(results)),
            graded_at=t,
        )
        .execution_options(synchronize_session=False)
    )
    with write_session(sf) as s:
        return s.execute(stmt).rowcount == 1  # type: ignore[attr-defined]


class GradingInput(OutModel):
    """What a grader needs of a stored submission (no access check: the grader's own read)."""

    id: int
    task_id: str
    file_name: str
    source: str
    verdict: str | None


def code_submission_for_grading(sf: SessionFactory, submission_id: int) -> GradingInput | None:
    with read_session(sf) as s:
        c = s.get(D.CodeSubmission, submission_id)
        return None if c is None else GradingInput.model_validate(c)


def code_submission_kind(sf: SessionFactory, submission_id: int) -> str | None:
    """The kind of assessment (``exam``, ``homework``, ``self_study``) a submission was handed in to, if any."""
    stmt = (
        select(D.Assessment.kind)
        .join(D.CodeSubmission, D.CodeSubmission.assessment_id == D.Assessment.id)
        .where(D.CodeSubmission.id == submission_id)
    )
    with read_session(sf) as s:
        return s.execute(stmt).scalar_one_or_none()


def clear_code_verdict(sf: SessionFactory, actor_id: int, submission_id: int) -> None:
    """An instructor of the course the submission was handed in to clears its verdict so it can be graded again."""
    with write_session(sf) as s:
        c = s.get(D.CodeSubmission, submission_id)
        if c is None:
            raise NotFound(f"no code submission {submission_id}")
        course = assessment_row(s, c.assessment_id).course_id if c.assessment_id is not None else None
        if course is None or not teaches(s, actor_id, course):
            raise AccessDenied("only an instructor of the course can have a submission graded again")
        c.verdict = c.score = c.max_score = c.results = c.graded_at = None
        s.flush()


def _readable(s: Any, actor_id: int, submission_id: int) -> D.CodeSubmission:
    """The submission, if it is the actor's or was handed in to a course the actor grades (instructor or TA)."""
    c = s.get(D.CodeSubmission, submission_id)
    if c is None:
        raise NotFound(f"no code submission {submission_id}")
    if c.user_id != actor_id:
        course = assessment_row(s, c.assessment_id).course_id if c.assessment_id is not None else None
        if course is None or not can_grade(s, actor_id, course):
            raise AccessDenied("this is not your submission")
    return c


def code_submission_source(sf: SessionFactory, actor_id: int, submission_id: int) -> str:
    with read_session(sf) as s:
        return _readable(s, actor_id, submission_id).source


def code_submission_bytes(sf: SessionFactory, actor_id: int, submission_id: int) -> bytes:
    """The exact file that was handed in (its sha256 is the stored ``sha256``)."""
    with read_session(sf) as s:
        c = _readable(s, actor_id, submission_id)
        return c.source_bytes if c.source_bytes is not None else c.source.encode("utf-8")


def get_code_submission(sf: SessionFactory, actor_id: int, submission_id: int) -> CodeSubmissionOut:
    """One submission and its verdict so far (``verdict is None``: not graded yet)."""
    with read_session(sf) as s:
        return CodeSubmissionOut.model_validate(_readable(s, actor_id, submission_id))


def list_code_submissions(
    sf: SessionFactory, actor_id: int, *, task_id: str | None = None, limit: int = 50
) -> list[CodeSubmissionOut]:
    """The actor's own submissions, newest first (of one task, if given)."""
    stmt = select(D.CodeSubmission).where(D.CodeSubmission.user_id == actor_id)
    if task_id is not None:
        stmt = stmt.where(D.CodeSubmission.task_id == task_id)
    stmt = stmt.order_by(D.CodeSubmission.created_at.desc(), D.CodeSubmission.id.desc()).limit(limit)
    with read_session(sf) as s:
        return [CodeSubmissionOut.model_validate(c) for c in s.execute(stmt).scalars()]
