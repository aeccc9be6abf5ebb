"""Code submissions: the submitted source (and its sha256) stored before the autograder runs it, and its verdict."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from quizbank.regenerate import canonical_json

from .. import db as D
from ..autograde.contract import MAX_SOURCE_BYTES
from ..db import SessionFactory, read_session, write_session
from .common import AccessDenied, NotFound, OutModel, assessment_row, now_utc, require_member, teaches, user_row


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
    source: str,
    *,
    assessment_id: int | None = None,
    now: dt.datetime | None = None,
) -> CodeSubmissionOut:
    """Store a submitted source file (its sha256 too) before the autograder runs it."""
    data = source.encode("utf-8")
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
            file_name=file_name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            source=source,
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
        c.results = None if results is None else canonical_json(results)
        c.graded_at = t
        s.flush()
        return CodeSubmissionOut.model_validate(c)


def code_submission_source(sf: SessionFactory, actor_id: int, submission_id: int) -> str:
    with read_session(sf) as s:
        c = s.get(D.CodeSubmission, submission_id)
        if c is None:
            raise NotFound(f"no code submission {submission_id}")
        if c.user_id != actor_id:
            course = assessment_row(s, c.assessment_id).course_id if c.assessment_id is not None else None
            if course is None or not teaches(s, actor_id, course):
                raise AccessDenied("this is not your submission")
        return c.source
