"""The analytics feed: every graded response to an assessment (or to every assessment of a course) as
:class:`grader.analytics.ResponseRecord`, with the question's drawn parameters or its design factors."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizbank.exam import question_slots, slot_generators
from quizbank.generators import REGISTRY

from .. import db as D
from ..analytics import ResponseRecord, question_factors
from ..db import SessionFactory, read_session
from .assessments import _blueprint_counts, _personal, blueprint_file, regenerate
from .common import AccessDenied, NotFound, OutModel, assessment_row
from .grading import _may_grade, require_assessment_grader

SLOT = "slot:"
"""What the ``item`` of a per-student question starts with: ``slot:3`` is the blueprint's third question."""


class ItemOut(OutModel):
    """One item of an assessment as the statistics count it: a shared question, or one slot of the blueprint
    (every student's own question drawn there)."""

    item: str
    """The records' ``item``: a shared question's instance id as text, or ``slot:<k>``."""
    position: int
    """Its place: the shared question's position, the slot's number in the blueprint (1-based)."""
    generator: str
    topic: str


def slot_item(slot: int) -> str:
    """The ``item`` of the blueprint's ``slot``-th question (1-based)."""
    return f"{SLOT}{slot}"


def item_keys(session: Session, assessment_id: int) -> dict[int, str]:
    """The ``item`` of each question instance of an assessment (a data function: no access check).

    A shared question is its own item (its id as text). In an assessment with a variant (or an order) per student,
    an item is a *slot* of the blueprint, :func:`slot_item`: the student's question drawn at that place of the
    plan, wherever a shuffle put it, so each slot gathers one answer per student, as Moodle's statistics of a
    random-question slot do. A personal question added later (self-study) is its own item.
    """
    a = assessment_row(session, assessment_id)
    rows = session.execute(
        select(D.QuestionInstance.id, D.QuestionInstance.owner_id, D.QuestionInstance.position, D.User.username)
        .outerjoin(D.User, D.User.id == D.QuestionInstance.owner_id)
        .where(D.QuestionInstance.assessment_id == a.id)
    ).all()
    out = {qid: str(qid) for qid, *_ in rows}
    if not _personal(a):
        return out
    n, _ = _blueprint_counts(a.blueprint)
    bp = blueprint_file(a) if a.shuffle_questions else None
    slots: dict[str, list[int]] = {}
    for qid, owner, position, username in rows:
        if owner is None or not 1 <= position <= n:
            continue
        if bp is None:
            out[qid] = slot_item(position)
            continue
        if username not in slots:
            slots[username] = question_slots(bp, username)
        out[qid] = slot_item(slots[username][position - 1] + 1)
    return out


def _records(session: Session, assessment_id: int, final_only: bool) -> list[tuple[int, ResponseRecord]]:
    """Each graded response as ``(question instance id, record)``, in the order answered."""
    stmt = (
        select(
            D.Attempt.user_id,
            D.QuestionInstance.id,
            D.QuestionInstance.generator,
            D.QuestionInstance.topic,
            D.QuestionInstance.params,
            D.Response.score,
            D.Response.max_score,
            D.Response.trap,
            D.Response.attempt_number,
            D.Response.created_at,
            D.Response.attempt_id,
            D.Response.try_number,
        )
        .join(D.Attempt, D.Attempt.id == D.Response.attempt_id)
        .join(D.QuestionInstance, D.QuestionInstance.id == D.Response.question_instance_id)
        .where(D.Attempt.assessment_id == assessment_id)
        .order_by(D.Response.created_at, D.Response.id)
    )
    rows = session.execute(stmt).all()
    if final_only:
        last: dict[tuple[int, int], int] = {}
        for r in rows:
            key = (r[10], r[1])
            last[key] = max(last.get(key, 0), r[11])
        rows = [r for r in rows if last[(r[10], r[1])] == r[11]]
    items = item_keys(session, assessment_id) if rows else {}
    return [
        (
            r[1],
            ResponseRecord(
                student=r[0],
                item=items.get(r[1], str(r[1])),
                generator=r[2],
                topic=r[3],
                params=r[4],
                score=float(r[5]),
                max_score=float(r[6]),
                trap=r[7],
                attempt=r[8],
                answered_at=r[9],
            ),
        )
        for r in rows
    ]


def response_records(session: Session, assessment_id: int, *, final_only: bool = False) -> list[ResponseRecord]:
    """Every graded response to an assessment as :class:`grader.analytics.ResponseRecord` (a data function:
    no access check, the caller owns the session; see :func:`assessment_records` for the checked service).

    ``item`` is what the statistics count as one question (:func:`item_keys`): a shared question's instance id
    as text, or the blueprint slot (``slot:<k>``) of a student's own question; ``attempt`` the attempt number.
    ``final_only`` keeps only the last try per (attempt, question), the one the grade counts.
    """
    return [r for _, r in _records(session, assessment_id, final_only)]


def assessment_items(sf: SessionFactory, actor_id: int, assessment_id: int) -> list[ItemOut]:
    """The items of an assessment in order, as :func:`response_records` names them (for a grader of the course):
    its shared questions, or the slots of its blueprint when each student has their own."""
    with read_session(sf) as s:
        a = require_assessment_grader(s, actor_id, assessment_id)
        if _personal(a):
            gens = slot_generators(blueprint_file(a).items)
            return [
                ItemOut(item=slot_item(k), position=k, generator=g, topic=REGISTRY[g].topic if g in REGISTRY else "")
                for k, g in enumerate(gens, start=1)
            ]
        rows = s.execute(
            select(D.QuestionInstance)
            .where(D.QuestionInstance.assessment_id == a.id, D.QuestionInstance.owner_id.is_(None))
            .order_by(D.QuestionInstance.position)
        ).scalars()
        return [ItemOut(item=str(i.id), position=i.position, generator=i.generator, topic=i.topic) for i in rows]


def assessment_records(
    sf: SessionFactory, actor_id: int, assessment_id: int, *, final_only: bool = False
) -> list[ResponseRecord]:
    """:func:`response_records` for a grader of the course (instructor or TA)."""
    with read_session(sf) as s:
        require_assessment_grader(s, actor_id, assessment_id)
        return response_records(s, assessment_id, final_only=final_only)


def factor_records(session: Session, assessment_id: int, *, final_only: bool = False) -> list[ResponseRecord]:
    """:func:`response_records` whose ``params`` are the question's design factors (stride, dilation, padding mode;
    :func:`grader.analytics.question_factors` of each instance's regenerated question), for
    :func:`grader.analytics.parameter_difficulty` (a data function: no access check)."""
    records = _records(session, assessment_id, final_only)
    factors: dict[int, dict[str, object]] = {}
    answered = {qid for qid, _ in records}
    for inst in session.execute(
        select(D.QuestionInstance).where(D.QuestionInstance.assessment_id == assessment_id)
    ).scalars():
        if inst.id in answered:
            q = regenerate(inst)
            factors[inst.id] = question_factors(q.params, q.witness)
    return [replace(r, params=factors.get(qid, {})) for qid, r in records]


def assessment_factor_records(
    sf: SessionFactory, actor_id: int, assessment_id: int, *, final_only: bool = False
) -> list[ResponseRecord]:
    """:func:`factor_records` for a grader of the course."""
    with read_session(sf) as s:
        require_assessment_grader(s, actor_id, assessment_id)
        return factor_records(s, assessment_id, final_only=final_only)


def course_records(sf: SessionFactory, actor_id: int, course_id: int) -> list[ResponseRecord]:
    """Every graded response to every assessment of a course (not the members' own self-study records), for a
    grader of the course: the evidence of mastery per student and topic."""
    with read_session(sf) as s:
        if s.get(D.Course, course_id) is None:
            raise NotFound(f"no course {course_id}")
        if not _may_grade(s, actor_id, course_id):
            raise AccessDenied("only a grader of this course may do this")
        ids = s.execute(
            select(D.Assessment.id)
            .where(D.Assessment.course_id == course_id, D.Assessment.owner_id.is_(None))
            .order_by(D.Assessment.id)
        ).scalars()
        return [r for aid in ids for r in response_records(s, aid)]
