"""Code submissions: the submitted source (and its sha256) stored before the autograder runs it, its verdict, and
the access-checked reads of them (a student their own; a grader of a course those of its students and those handed
in to it).

Who grades a course is decided by :func:`grades` alone (its instructors and TAs: :data:`GRADER_ROLES`); every read, rerun
and upload on someone else's submissions goes through it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from quizbank.regenerate import canonical_json

from .. import db as D
from ..autograde.contract import MAX_SOURCE_BYTES
from ..db import SessionFactory, read_session, write_session
from .common import (
    GRADERS,
    AccessDenied,
    NotFound,
    OutModel,
    assessment_row,
    course_role,
    now_utc,
    require_member,
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


GRADER_ROLES = GRADERS
"""The course roles whose members see, rerun and upload the code submissions of the course's students: its
instructors and TAs (:data:`~.common.GRADERS`)."""


def grades(s: Session, user_id: int, course_id: int) -> bool:
    """Whether the user grades the course's code submissions (the one check behind every grader action here)."""
    return course_role(s, user_id, course_id) in GRADER_ROLES


def require_grader(s: Session, user_id: int, course_id: int) -> None:
    if s.get(D.Course, course_id) is None:
        raise NotFound(f"no course {course_id}")
    if not grades(s, user_id, course_id):
        raise AccessDenied("only the course's graders (its instructors) may do this")


def _students(s: Session, course_id: int) -> list[D.User]:
    query = (
        select(D.User)
        .join(D.Enrolment, D.Enrolment.user_id == D.User.id)
        .where(D.Enrolment.course_id == course_id, D.Enrolment.role == "student")
        .order_by(D.User.username)
    )
    return list(s.execute(query).scalars())


def _require_student_of(s: Session, user_id: int, course_id: int) -> D.User:
    u = user_row(s, user_id)
    if course_role(s, user_id, course_id) != "student":
        raise AccessDenied(f"{u.username} is not a student of this course")
    return u


def _graded_by(s: Session, actor_id: int, c: D.CodeSubmission) -> bool:
    """Whether the actor grades a course this submission belongs to: the course of the assessment it was handed in
    to, or any course its author is a student of (the Code page's submissions belong to no assessment)."""
    if c.assessment_id is not None and grades(s, actor_id, assessment_row(s, c.assessment_id).course_id):
        return True
    courses = select(D.Enrolment.course_id).where(D.Enrolment.user_id == c.user_id, D.Enrolment.role == "student")
    return any(grades(s, actor_id, course) for course in s.execute(courses).scalars())


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
    with write_session(sf) as s:
        user_row(s, actor_id)
        if assessment_id is not None:
            require_member(s, actor_id, assessment_row(s, assessment_id).course_id)
        return _store(s, actor_id, task_id, file_name, source, assessment_id, now_utc(now))


def _store(
    s: Session,
    owner_id: int,
    task_id: str,
    file_name: str,
    source: str | bytes,
    assessment_id: int | None,
    t: dt.datetime,
) -> CodeSubmissionOut:
    data = source if isinstance(source, bytes) else source.encode("utf-8", "surrogatepass")
    text = storable(data.decode("utf-8", "replace"))
    if len(data) > MAX_SOURCE_BYTES:
        raise ValueError(f"the file is {len(data)} bytes; at most {MAX_SOURCE_BYTES} are accepted")
    c = D.CodeSubmission(
        task_id=task_id,
        user_id=owner_id,
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


def record_code_submission_for(
    sf: SessionFactory,
    actor_id: int,
    course_id: int,
    student_id: int,
    task_id: str,
    file_name: str,
    source: str | bytes,
    *,
    now: dt.datetime | None = None,
) -> CodeSubmissionOut:
    """A grader of the course stores a file for one of its students (an LMS export handed in elsewhere): stored as
    :func:`record_code_submission` stores the student's own, under the student's name."""
    with write_session(sf) as s:
        require_grader(s, actor_id, course_id)
        _require_student_of(s, student_id, course_id)
        return _store(s, student_id, task_id, file_name, source, None, now_utc(now))


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
    """A grader of the submission's course (:func:`grades`) clears its verdict so it can be graded again."""
    with write_session(sf) as s:
        c = s.get(D.CodeSubmission, submission_id)
        if c is None:
            raise NotFound(f"no code submission {submission_id}")
        if not _graded_by(s, actor_id, c):
            raise AccessDenied("only a grader of the course can have a submission graded again")
        c.verdict = c.score = c.max_score = c.results = c.graded_at = None
        s.flush()


def _readable(s: Any, actor_id: int, submission_id: int) -> D.CodeSubmission:
    """The submission, if it is the actor's or belongs to a course the actor grades (:func:`_graded_by`)."""
    c = s.get(D.CodeSubmission, submission_id)
    if c is None:
        raise NotFound(f"no code submission {submission_id}")
    if c.user_id != actor_id and not _graded_by(s, actor_id, c):
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


class ExportedModel(OutModel):
    """The model config the sandbox exported for a graded submission (``config`` is None when none was kept: the
    run ended before a model was exported and rebuilt, or it was graded before configs were kept)."""

    id: int
    task_id: str
    file_name: str
    created_at: dt.datetime
    verdict: str | None
    config: str | None


def code_submission_model(sf: SessionFactory, actor_id: int, submission_id: int) -> ExportedModel:
    """A submission's exported model config, for the reader allowed to see the submission (its author, or an
    instructor of the course it was handed in to): :class:`AccessDenied` for anyone else."""
    with read_session(sf) as s:
        c = _readable(s, actor_id, submission_id)
        config = (c.results or {}).get("exported_config")
        return ExportedModel(
            id=c.id,
            task_id=c.task_id,
            file_name=c.file_name,
            created_at=c.created_at,
            verdict=c.verdict,
            config=config if isinstance(config, str) else None,
        )


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


# ------------------------------------------------------------------ a course's submissions, for its graders


class GradedCourseOut(OutModel):
    id: int
    code: str
    title: str


def list_graded_courses(sf: SessionFactory, actor_id: int) -> list[GradedCourseOut]:
    """The courses whose code submissions the actor grades (:func:`grades`), by code."""
    query = (
        select(D.Course)
        .join(D.Enrolment, D.Enrolment.course_id == D.Course.id)
        .where(D.Enrolment.user_id == actor_id)
        .order_by(D.Course.code)
    )
    with read_session(sf) as s:
        user_row(s, actor_id)
        return [GradedCourseOut.model_validate(c) for c in s.execute(query).scalars() if grades(s, actor_id, c.id)]


class StudentOut(OutModel):
    id: int
    username: str
    display_name: str


class StudentCodeRow(OutModel):
    """One student of a course and their newest submission of one task (``latest is None``: none yet)."""

    student: StudentOut
    latest: CodeSubmissionOut | None
    submissions: int


def course_code_overview(sf: SessionFactory, actor_id: int, course_id: int, task_id: str) -> list[StudentCodeRow]:
    """Every student of the course with their newest submission of ``task_id`` and how many they made, by
    username (a grader of the course only)."""
    with read_session(sf) as s:
        require_grader(s, actor_id, course_id)
        students = _students(s, course_id)
        ids = [u.id for u in students]
        counts = dict(
            s.execute(
                select(D.CodeSubmission.user_id, func.count())
                .where(D.CodeSubmission.user_id.in_(ids), D.CodeSubmission.task_id == task_id)
                .group_by(D.CodeSubmission.user_id)
            ).all()
        )
        newest = (
            select(D.CodeSubmission.id)
            .where(D.CodeSubmission.user_id == D.User.id, D.CodeSubmission.task_id == task_id)
            .order_by(D.CodeSubmission.created_at.desc(), D.CodeSubmission.id.desc())
            .limit(1)
            .correlate(D.User)
            .scalar_subquery()
        )
        latest_ids = dict(s.execute(select(D.User.id, newest).where(D.User.id.in_(ids))).all())
        wanted = [i for i in latest_ids.values() if i is not None]
        rows = {c.id: c for c in s.execute(select(D.CodeSubmission).where(D.CodeSubmission.id.in_(wanted))).scalars()}
        return [
            StudentCodeRow(
                student=StudentOut.model_validate(u),
                latest=CodeSubmissionOut.model_validate(rows[latest_ids[u.id]]) if latest_ids.get(u.id) else None,
                submissions=int(counts.get(u.id, 0)),
            )
            for u in students
        ]


def student_code_history(
    sf: SessionFactory, actor_id: int, course_id: int, student_id: int, task_id: str
) -> list[CodeSubmissionOut]:
    """One student's submissions of a task, newest first (a grader of a course the student is in)."""
    stmt = (
        select(D.CodeSubmission)
        .where(D.CodeSubmission.user_id == student_id, D.CodeSubmission.task_id == task_id)
        .order_by(D.CodeSubmission.created_at.desc(), D.CodeSubmission.id.desc())
    )
    with read_session(sf) as s:
        require_grader(s, actor_id, course_id)
        _require_student_of(s, student_id, course_id)
        return [CodeSubmissionOut.model_validate(c) for c in s.execute(stmt).scalars()]


def course_students_by_username(sf: SessionFactory, actor_id: int, course_id: int) -> dict[str, int]:
    """``{username: id}`` of the course's students (a grader of the course only): whose files an export holds."""
    with read_session(sf) as s:
        require_grader(s, actor_id, course_id)
        return {u.username: u.id for u in _students(s, course_id)}


def code_verdicts(sf: SessionFactory, actor_id: int, submission_ids: list[int]) -> dict[int, str | None]:
    """The verdict so far of each submission the actor may read (``None``: not graded yet); for progress bars."""
    query = select(
        D.CodeSubmission.id, D.CodeSubmission.user_id, D.CodeSubmission.assessment_id, D.CodeSubmission.verdict
    )
    with read_session(sf) as s:
        allowed: dict[tuple[int, int | None], bool] = {}
        out: dict[int, str | None] = {}
        for sid, uid, aid, verdict in s.execute(query.where(D.CodeSubmission.id.in_(submission_ids))).all():
            if (uid, aid) not in allowed:  # one check per author (and assessment), not per submission
                c = D.CodeSubmission(user_id=uid, assessment_id=aid)
                allowed[uid, aid] = uid == actor_id or _graded_by(s, actor_id, c)
            if allowed[uid, aid]:
                out[sid] = verdict
        return out
