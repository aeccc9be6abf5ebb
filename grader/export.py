"""CSV exports for instructors: the gradebook of an assessment and every response to it.

Gradebook: one row per student enrolled in the course: attempts made, the attempt that counts
(the best-scoring attempt that is over: finished, or past its deadline), its total and percentage,
and one column per question (``q<position>``) with the points earned on the last try of that
question in the counted attempt (empty: not answered). In-progress attempts do not count yet.

Responses: one row per stored response, with the question's generator, seed and difficulty
(enough to regenerate it), the raw text and parsed value, the score and the trap it matched.

Cells typed by users (names, raw answers) that a spreadsheet would run as a formula
(``=``, ``+``, ``-``, ``@``, tab, CR) are prefixed with ``'`` (OWASP "CSV injection").
Timestamps are ISO 8601 UTC.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import db as D
from .db import SessionFactory, read_session, utcnow
from .services import assessment_row, require_assessment_teacher
from .services.grading import require_assessment_grader


def _safe(text: str | None) -> str:
    if text is None:
        return ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _ts(t: dt.datetime | None) -> str:
    return "" if t is None else t.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:.6g}"


def gradebook_rows(s: Session, assessment_id: int, *, now: dt.datetime | None = None) -> list[list[str]]:
    """The gradebook as rows of text, header first (a data function: no access check).

    One column per question *position*: with a variant of their own for each student (``owner_id``), each
    student's question at a position is their own instance, and fills that position's column. The maximum is the
    points of the questions the student gets: the shared ones and their own (a student without theirs yet, who
    gets them on first open, gets as many points as the others)."""
    t = now or utcnow()
    a = assessment_row(s, assessment_id)
    position: dict[int, int] = {}
    owned: dict[int | None, float] = defaultdict(float)
    for qid, pos, pts, owner in s.execute(
        select(
            D.QuestionInstance.id, D.QuestionInstance.position, D.QuestionInstance.points, D.QuestionInstance.owner_id
        ).where(D.QuestionInstance.assessment_id == a.id)
    ):
        position[qid] = pos
        owned[owner] += pts
    positions = sorted(set(position.values()))
    shared = owned.pop(None, 0.0)
    usual = max(owned.values(), default=0.0)
    students = s.execute(
        select(D.User.id, D.User.username, D.User.display_name)
        .join(D.Enrolment, D.Enrolment.user_id == D.User.id)
        .where(D.Enrolment.course_id == a.course_id, D.Enrolment.role == "student")
        .order_by(D.User.username)
    ).all()
    attempts = s.execute(select(D.Attempt).where(D.Attempt.assessment_id == a.id)).scalars().all()
    last_try = (
        select(
            D.Response.attempt_id,
            D.Response.question_instance_id,
            func.max(D.Response.try_number).label("tn"),
        )
        .join(D.Attempt, D.Attempt.id == D.Response.attempt_id)
        .where(D.Attempt.assessment_id == a.id)
        .group_by(D.Response.attempt_id, D.Response.question_instance_id)
        .subquery()
    )
    scores: dict[int, dict[int, float]] = defaultdict(dict)
    for att_id, qid, score in s.execute(
        select(D.Response.attempt_id, D.Response.question_instance_id, D.Response.score).join(
            last_try,
            (D.Response.attempt_id == last_try.c.attempt_id)
            & (D.Response.question_instance_id == last_try.c.question_instance_id)
            & (D.Response.try_number == last_try.c.tn),
        )
    ):
        scores[att_id][position[qid]] = score
    by_user: dict[int, list[D.Attempt]] = defaultdict(list)
    for att in attempts:
        by_user[att.user_id].append(att)

    header = ["user_id", "username", "display_name", "attempts", "counted_attempt", "score", "max_score", "percent"]
    header += [f"q{pos}" for pos in positions]
    rows = [header]
    for st in students:
        mine = sorted(by_user.get(st.id, []), key=lambda x: x.number)
        over = [x for x in mine if x.finished_at is not None or (x.deadline_at is not None and t >= x.deadline_at)]
        best = max(over, key=lambda x: (sum(scores[x.id].values()), -x.number), default=None)
        row = [str(st.id), _safe(st.username), _safe(st.display_name), str(len(mine))]
        max_total = shared + owned.get(st.id, usual)
        if best is None:
            row += ["", "", _num(max_total), ""] + [""] * len(positions)
        else:
            total = sum(scores[best.id].values())
            pct = 100.0 * total / max_total if max_total else 0.0
            row += [str(best.number), _num(total), _num(max_total), f"{pct:.1f}"]
            row += [_num(scores[best.id].get(pos)) for pos in positions]
        rows.append(row)
    return rows


RESPONSE_HEADER = [
    "response_id",
    "user_id",
    "username",
    "attempt",
    "try",
    "question",
    "question_instance_id",
    "generator",
    "version",
    "topic",
    "difficulty",
    "seed",
    "raw_text",
    "parsed",
    "correct",
    "score",
    "max_score",
    "trap",
    "time_taken_ms",
    "answered_at",
]


def response_rows(s: Session, assessment_id: int) -> list[list[str]]:
    """Every response to the assessment as rows of text, header first (a data function: no access check)."""
    a = assessment_row(s, assessment_id)
    stmt = (
        select(D.Response, D.Attempt.user_id, D.User.username, D.QuestionInstance)
        .join(D.Attempt, D.Attempt.id == D.Response.attempt_id)
        .join(D.User, D.User.id == D.Attempt.user_id)
        .join(D.QuestionInstance, D.QuestionInstance.id == D.Response.question_instance_id)
        .where(D.Attempt.assessment_id == a.id)
        .order_by(D.Response.created_at, D.Response.id)
    )
    rows = [list(RESPONSE_HEADER)]
    for r, uid, username, q in s.execute(stmt):
        rows.append(
            [
                str(r.id),
                str(uid),
                _safe(username),
                str(r.attempt_number),
                str(r.try_number),
                str(q.position),
                str(q.id),
                q.generator,
                str(q.version),
                q.topic,
                str(q.difficulty),
                str(q.seed),
                _safe(r.raw_text),
                json.dumps(r.parsed, separators=(",", ":")),
                "1" if r.correct else "0",
                _num(r.score),
                _num(r.max_score),
                r.trap or "",
                "" if r.time_taken_ms is None else str(r.time_taken_ms),
                _ts(r.created_at),
            ]
        )
    return rows


def to_csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def write_csv(rows: list[list[str]], out: Path) -> int:
    """Write rows (header first) to ``out`` atomically; returns the number of data rows."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(to_csv(rows), encoding="utf-8", newline="")
    tmp.replace(out)
    return len(rows) - 1


def gradebook_table(
    sf: SessionFactory, actor_id: int, assessment_id: int, *, now: dt.datetime | None = None
) -> list[list[str]]:
    """:func:`gradebook_rows`, for a grader of the course (overridden scores included: they are the stored ones)."""
    with read_session(sf) as s:
        require_assessment_grader(s, actor_id, assessment_id)
        return gradebook_rows(s, assessment_id, now=now)


def export_gradebook(sf: SessionFactory, actor_id: int, assessment_id: int, *, now: dt.datetime | None = None) -> str:
    """The gradebook CSV (what ``cnnquiz grades export`` writes), for a grader of the course."""
    return to_csv(gradebook_table(sf, actor_id, assessment_id, now=now))


def export_responses(sf: SessionFactory, actor_id: int, assessment_id: int) -> str:
    """The per-response CSV, for an instructor of the course."""
    with read_session(sf) as s:
        require_assessment_teacher(s, actor_id, assessment_id)
        return to_csv(response_rows(s, assessment_id))
