"""Assessments and their questions: creating one from a blueprint, moving its times, personal variants, and
serving questions (keys and explanations only once released).

A question instance is stored as data, ``(generator, version, seed, difficulty, params)``; :func:`regenerate`
rebuilds its question with :func:`quizbank.regenerate.build_question`, which proves it unchanged.

What a student sees of an assessment and its questions carries nothing that regenerates a key: until the key is
released a student gets :class:`StudentAssessmentOut` (no blueprint, no base seed) and :class:`StudentQuestionView`
(an opaque instance id, its position, topic and points; no generator, version, seed, difficulty or params). The
per-position seeds are derived under a server secret (:data:`.common.SEED_SECRET`), so not even the base seed
would give them away. The course's graders (its instructors and TAs, :func:`.common.grader_view`) get
:class:`AssessmentOut` and :class:`QuestionView`, which keep everything; so do students once the key is released.

Per-student variants: an assessment published from a blueprint with ``same_for_everyone = false`` (or with
either shuffle) stores each student's own questions as instances they own, built by
:func:`quizbank.exam.build_student_exam` from ``(blueprint, username, seed)`` under the server secret, so they
regenerate bit for bit on this server and on no other. Every student enrolled at publishing gets theirs then;
one enrolled later gets theirs the first time they open the assessment (:func:`ensure_variant`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizbank.exam import (
    Blueprint,
    BlueprintFile,
    BlueprintItem,
    Exam,
    ExamQuestion,
    Schedule,
    StudentExam,
    build_student_exam,
    instantiate,
    relabel,
    relabel_answer,
    shown_labels,
    student_seed,
)
from quizbank.regenerate import build_question, canonical_json
from quizbank.schema import (
    AnyQuestion,
    MultipleChoiceQuestion,
    MultiSelectQuestion,
    NumericQuestion,
)

from .. import db as D
from ..db import SessionFactory, read_session, write_session
from .common import (
    EXAM_EDITORS,
    SEED_SECRET,
    AccessDenied,
    Kind,
    NotFound,
    NotOpen,
    OutModel,
    assessment_row,
    aware,
    course_role,
    grader_view,
    key_released,
    now_utc,
    require_course_role,
    require_member,
    server_secret,
)


class StudentAssessmentOut(OutModel):
    """An assessment as a student sees it: its times and limits, never what its questions are drawn from."""

    id: int
    course_id: int
    title: str
    kind: Kind
    attempt_limit: int | None
    tries_per_question: int | None
    opens_at: dt.datetime
    closes_at: dt.datetime | None
    time_limit_s: int | None
    key_release_at: dt.datetime | None
    questions: int
    max_score: float


class AssessmentOut(StudentAssessmentOut):
    """An assessment as its graders see it: also the blueprint and the base seed it was drawn from."""

    blueprint: list[BlueprintItem]
    seed: int
    same_for_everyone: bool = True
    shuffle_questions: bool = False
    shuffle_options: bool = False


class StudentQuestionOut(OutModel):
    """A question instance as a student sees it before the key is released: an opaque id and its place."""

    id: int
    assessment_id: int
    owner_id: int | None
    position: int
    topic: str
    kind: str
    points: float


class QuestionInstanceOut(StudentQuestionOut):
    """A question instance with the identity that regenerates it (and so its key)."""

    generator: str
    version: int
    seed: int
    difficulty: int


class OptionView(OutModel):
    id: str
    text: str


class StudentQuestionView(OutModel):
    """A question as a student sees it before the key is released: ``key`` and ``explanation`` are ``None``."""

    instance: StudentQuestionOut
    stem: str
    options: list[OptionView] | None
    unit: str | None
    answer_format: str
    key_released: bool
    key: Any = None
    explanation: str | None = None


class QuestionView(StudentQuestionView):
    """A question with its identity: for the course's graders, and for students once the key is released."""

    instance: QuestionInstanceOut


def regenerate(inst: D.QuestionInstance) -> AnyQuestion:
    """Rebuild an instance's question (and so its key) from ``(generator, seed, difficulty)`` and check it.

    Raises :class:`quizbank.regenerate.KeyMismatch` if the generator's version or the regenerated params differ
    from what was stored when the instance was created.
    """
    return build_question(inst.generator, inst.version, inst.seed, inst.difficulty, inst.params)


def _personal(a: D.Assessment) -> bool:
    """Whether each student of ``a`` has questions (or an order of them) of their own, stored as owned instances."""
    return a.owner_id is None and (not a.same_for_everyone or a.shuffle_questions or a.shuffle_options)


def _blueprint_counts(blueprint: list[Any]) -> tuple[int, float]:
    """How many questions each student's variant has and their points (every variant has the blueprint's)."""
    items = Blueprint.validate_python(blueprint)
    return sum(i.count for i in items), float(sum(i.count * i.points for i in items))


def question_totals(s: Session, a: D.Assessment) -> tuple[int, float]:
    """How many questions a student of the assessment gets and their points (the shared ones, or a variant's)."""
    if _personal(a):
        return _blueprint_counts(a.blueprint)
    n, total = s.execute(
        select(func.count(), func.coalesce(func.sum(D.QuestionInstance.points), 0.0)).where(
            D.QuestionInstance.assessment_id == a.id, D.QuestionInstance.owner_id.is_(None)
        )
    ).one()
    return int(n), float(total)


def _assessment_out(s: Session, a: D.Assessment) -> AssessmentOut:
    out = _assessment_view(a, *question_totals(s, a), grader=True)
    assert isinstance(out, AssessmentOut)
    return out


def _assessment_view(a: D.Assessment, n: int, total: float, *, grader: bool) -> StudentAssessmentOut:
    """The grader's view (:class:`AssessmentOut`) or the student's (:class:`StudentAssessmentOut`)."""
    extra: dict[str, Any] = {}
    if grader:
        extra = {
            "blueprint": Blueprint.validate_python(a.blueprint),
            "seed": a.seed,
            "same_for_everyone": a.same_for_everyone,
            "shuffle_questions": a.shuffle_questions,
            "shuffle_options": a.shuffle_options,
        }
    return (AssessmentOut if grader else StudentAssessmentOut)(
        id=a.id,
        course_id=a.course_id,
        title=a.title,
        kind=a.kind,  # type: ignore[arg-type]
        attempt_limit=a.attempt_limit,
        tries_per_question=a.tries_per_question,
        opens_at=a.opens_at,
        closes_at=a.closes_at,
        time_limit_s=a.time_limit_s,
        key_release_at=a.key_release_at,
        questions=n,
        max_score=total,
        **extra,
    )


def _instance(
    assessment_id: int, position: int, generator: str, seed: int, difficulty: int, points: float, owner: int | None
) -> D.QuestionInstance:
    from quizbank.generators import generate

    q = generate(generator, seed, difficulty)
    return D.QuestionInstance(
        assessment_id=assessment_id,
        owner_id=owner,
        position=position,
        generator=generator,
        version=q.version,
        seed=seed,
        difficulty=difficulty,
        topic=q.topic,
        kind=q.kind,
        params=canonical_json(q.params),
        points=points,
    )


def create_assessment(
    sf: SessionFactory,
    actor_id: int,
    course_id: int,
    title: str,
    kind: Kind,
    blueprint: Sequence[BlueprintItem | dict[str, Any]],
    *,
    seed: int | None = None,
    attempt_limit: int | None = None,
    tries_per_question: int | None = None,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    time_limit_s: int | None = None,
    key_release_at: dt.datetime | Literal["auto"] | None = "auto",
    same_for_everyone: bool = True,
    shuffle_questions: bool = False,
    shuffle_options: bool = False,
    now: dt.datetime | None = None,
) -> AssessmentOut:
    """An assessment with its question instances drawn from the blueprint.

    The plan is seeded: the same ``seed`` on the same database (whose server secret keys the per-position seeds)
    draws the same questions. With ``same_for_everyone=False`` or a shuffle, every student enrolled now gets their
    own instances (:func:`quizbank.exam.build_student_exam`), a student enrolled later on first open.

    ``key_release_at="auto"``: self-study releases keys at once (``opens_at``), homework and exams at
    ``closes_at`` (never, until set, if there is no close time).
    """
    if kind not in ("self_study", "homework", "exam"):
        raise ValueError(f"kind must be self_study, homework or exam, not {kind!r}")
    items = Blueprint.validate_python([b.model_dump() if isinstance(b, BlueprintItem) else b for b in blueprint])
    t = now_utc(now)
    opens = aware(opens_at, "opens_at") or t
    closes = aware(closes_at, "closes_at")
    if closes is not None and closes <= opens:
        raise ValueError("closes_at must be after opens_at")
    if key_release_at == "auto":
        release = opens if kind == "self_study" else closes
    else:
        release = aware(key_release_at, "key_release_at")
    if seed is None:
        seed = secrets.randbelow(2**31)
    with write_session(sf) as s:
        if s.get(D.Course, course_id) is None:
            raise NotFound(f"no course {course_id}")
        require_course_role(s, actor_id, course_id, EXAM_EDITORS)  # never a TA
        plan = instantiate(items, seed, secret=server_secret(s, SEED_SECRET))
        a = D.Assessment(
            course_id=course_id,
            title=title,
            kind=kind,
            blueprint=[i.model_dump(exclude_none=True) for i in items],
            seed=seed,
            attempt_limit=attempt_limit,
            tries_per_question=tries_per_question,
            opens_at=opens,
            closes_at=closes,
            time_limit_s=time_limit_s,
            key_release_at=release,
            same_for_everyone=same_for_everyone,
            shuffle_questions=shuffle_questions,
            shuffle_options=shuffle_options,
        )
        s.add(a)
        s.flush()
        if _personal(a):
            students = s.execute(
                select(D.User)
                .join(D.Enrolment, D.Enrolment.user_id == D.User.id)
                .where(D.Enrolment.course_id == course_id, D.Enrolment.role == "student")
                .order_by(D.User.id)
            ).scalars()
            for student in students:
                s.add_all(_variant_rows(s, a, student))
        else:
            s.add_all(_instance(a.id, pos + 1, g, sd, d, p, None) for pos, (g, sd, d, p) in enumerate(plan))
        s.flush()
        return _assessment_out(s, a)


def publish_blueprint(
    sf: SessionFactory, actor_id: int, course_id: int, bp: BlueprintFile, *, now: dt.datetime | None = None
) -> AssessmentOut:
    """Create the assessment a blueprint file describes: its items, seed, kind, variants, shuffles and schedule
    (instructors of the course; what ``cnnquiz exam build`` and the Exam builder page both call)."""
    sch = bp.schedule
    release: dt.datetime | Literal["auto"] | None = None if sch.key_release == "never" else sch.key_release
    return create_assessment(
        sf,
        actor_id,
        course_id,
        bp.title,
        bp.kind,
        bp.items,
        seed=bp.seed,
        attempt_limit=sch.attempts,
        opens_at=sch.opens,
        closes_at=sch.closes,
        time_limit_s=sch.time_limit_min * 60 if sch.time_limit_min else None,
        key_release_at=release,
        same_for_everyone=bp.same_for_everyone,
        shuffle_questions=bp.shuffle_questions,
        shuffle_options=bp.shuffle_options,
        now=now,
    )


def blueprint_file(a: D.Assessment) -> BlueprintFile:
    """The blueprint file an assessment row was published from (its schedule as the row holds it now)."""
    schedule = Schedule(
        opens=a.opens_at,
        closes=a.closes_at,
        attempts=a.attempt_limit,
        time_limit_min=-(-a.time_limit_s // 60) if a.time_limit_s else None,
        key_release=a.key_release_at or "never",
    )
    return BlueprintFile(
        title=a.title,
        kind=a.kind,  # type: ignore[arg-type]
        seed=a.seed,
        same_for_everyone=a.same_for_everyone,
        shuffle_questions=a.shuffle_questions,
        shuffle_options=a.shuffle_options,
        items=Blueprint.validate_python(a.blueprint),
        schedule=schedule,
    )


def _student_exam(s: Session, a: D.Assessment, username: str) -> StudentExam:
    """``username``'s exam of ``a``, built by the one engine under this server's secret (bit for bit)."""
    return build_student_exam(blueprint_file(a), username, secret=server_secret(s, SEED_SECRET))


def preview_student_exam(
    sf: SessionFactory, actor_id: int, course_id: int, bp: BlueprintFile, student: str
) -> StudentExam:
    """The exam ``student`` would get if ``bp`` were published in the course now (instructors of the course): the
    same engine and server secret as :func:`publish_blueprint`, nothing stored."""
    with write_session(sf) as s:  # the secret is created on first use
        if s.get(D.Course, course_id) is None:
            raise NotFound(f"no course {course_id}")
        require_course_role(s, actor_id, course_id, EXAM_EDITORS)
        secret = server_secret(s, SEED_SECRET)
    return build_student_exam(bp, student, secret=secret)


def course_students(sf: SessionFactory, actor_id: int, course_id: int) -> list[str]:
    """The usernames of a course's students, sorted (instructors of the course)."""
    with read_session(sf) as s:
        if s.get(D.Course, course_id) is None:
            raise NotFound(f"no course {course_id}")
        require_course_role(s, actor_id, course_id, EXAM_EDITORS)
        return list(
            s.execute(
                select(D.User.username)
                .join(D.Enrolment, D.Enrolment.user_id == D.User.id)
                .where(D.Enrolment.course_id == course_id, D.Enrolment.role == "student")
                .order_by(D.User.username)
            ).scalars()
        )


def _variant_rows(s: Session, a: D.Assessment, student: D.User) -> list[D.QuestionInstance]:
    """The instances of ``student``'s own variant of ``a`` (not yet added to the session)."""
    rows = []
    for eq in _student_exam(s, a, student.username).questions:
        q = eq.question
        options = getattr(q, "options", None)
        rows.append(
            D.QuestionInstance(
                assessment_id=a.id,
                owner_id=student.id,
                position=eq.number,
                generator=q.generator,
                version=q.version,
                seed=q.seed,
                difficulty=q.difficulty,
                topic=q.topic,
                kind=q.kind,
                params=canonical_json(q.params),
                points=eq.points,
                option_order=[o.id for o in options] if a.shuffle_options and options is not None else None,
            )
        )
    return rows


def ensure_variant(s: Session, a: D.Assessment, user_id: int) -> bool:
    """Store ``user_id``'s own variant of ``a`` if it has per-student variants, the user is one of the course's
    students and has none yet (in the caller's write transaction); returns whether it stored one.

    Concurrent first opens by the same student agree: the student's enrolment row is locked first (on SQLite the
    write transaction already holds the database's write lock).
    """
    if not _personal(a) or course_role(s, user_id, a.course_id) != "student":
        return False
    s.execute(
        select(D.Enrolment.id)
        .where(D.Enrolment.user_id == user_id, D.Enrolment.course_id == a.course_id)
        .with_for_update()
    )
    n, _ = _blueprint_counts(a.blueprint)
    has = s.execute(
        select(D.QuestionInstance.id)
        .where(
            D.QuestionInstance.assessment_id == a.id,
            D.QuestionInstance.owner_id == user_id,
            D.QuestionInstance.position <= n,
        )
        .limit(1)
    ).first()
    if has is not None:
        return False
    s.add_all(_variant_rows(s, a, s.get_one(D.User, user_id)))
    s.flush()
    return True


def open_variant(sf: SessionFactory, actor_id: int, assessment_id: int) -> bool:
    """:func:`ensure_variant` in a transaction of its own (a member of the course; anyone else is refused)."""
    with read_session(sf) as s:
        a = assessment_row(s, assessment_id)
        require_member(s, actor_id, a.course_id)
        if not _personal(a) or course_role(s, actor_id, a.course_id) != "student":
            return False
        n, _ = _blueprint_counts(a.blueprint)
        has = s.execute(
            select(func.count()).where(
                D.QuestionInstance.assessment_id == a.id, D.QuestionInstance.owner_id == actor_id
            )
        ).scalar_one()
        if has >= n:
            return False
    with write_session(sf) as s:
        return ensure_variant(s, assessment_row(s, assessment_id), actor_id)


def assessment_exam(sf: SessionFactory, actor_id: int, assessment_id: int, students: Sequence[str] = ()) -> Exam:
    """A stored assessment as a :class:`~quizbank.exam.Exam` for the exporters (instructors of the course).

    Shared questions: one list, for each of ``students`` (or one student named ``all``). Per-student variants: each
    student of the course (or each of ``students``) with their stored questions; a student who has not opened it
    yet gets the variant the first open will store (built the same way, not stored here).
    """
    with read_session(sf) as s:
        a = assessment_row(s, assessment_id)
        require_course_role(s, actor_id, a.course_id, EXAM_EDITORS)
        bp = blueprint_file(a)
        if not _personal(a):
            insts = (
                s.execute(
                    select(D.QuestionInstance)
                    .where(D.QuestionInstance.assessment_id == a.id, D.QuestionInstance.owner_id.is_(None))
                    .order_by(D.QuestionInstance.position)
                )
                .scalars()
                .all()
            )
            questions = [
                ExamQuestion(number=i + 1, points=q.points, question=instance_question(q)) for i, q in enumerate(insts)
            ]
            names = list(students) or ["all"]
            return Exam(
                title=a.title,
                blueprint=bp,
                students=[StudentExam(student=n, seed=a.seed, questions=questions) for n in names],
            )
        enrolled = {
            u.username: u.id
            for u in s.execute(
                select(D.User)
                .join(D.Enrolment, D.Enrolment.user_id == D.User.id)
                .where(D.Enrolment.course_id == a.course_id, D.Enrolment.role == "student")
                .order_by(D.User.username)
            ).scalars()
        }
        names = list(students) or list(enrolled)
        stored: dict[int, list[D.QuestionInstance]] = {}
        n, _ = _blueprint_counts(a.blueprint)
        for inst in s.execute(
            select(D.QuestionInstance)
            .where(
                D.QuestionInstance.assessment_id == a.id,
                D.QuestionInstance.owner_id.in_(list(enrolled.values())),
                D.QuestionInstance.position <= n,
            )
            .order_by(D.QuestionInstance.owner_id, D.QuestionInstance.position)
        ).scalars():
            stored.setdefault(inst.owner_id, []).append(inst)  # type: ignore[arg-type]
        out = []
        for name in names:
            insts = stored.get(enrolled.get(name, -1), [])
            seed = a.seed if a.same_for_everyone else student_seed(a.seed, name)
            if insts:
                qs = [ExamQuestion(number=i.position, points=i.points, question=instance_question(i)) for i in insts]
                out.append(StudentExam(student=name, seed=seed, questions=qs))
            else:
                out.append(_student_exam(s, a, name))
        return Exam(title=a.title, blueprint=bp, students=out)


def update_assessment_times(
    sf: SessionFactory,
    actor_id: int,
    assessment_id: int,
    *,
    closes_at: dt.datetime | Literal["keep"] | None = "keep",
    key_release_at: dt.datetime | Literal["keep"] | None = "keep",
) -> AssessmentOut:
    """Move the close time or release the key (instructors of the course; a TA is refused)."""
    with write_session(sf) as s:
        a = assessment_row(s, assessment_id)
        require_course_role(s, actor_id, a.course_id, EXAM_EDITORS)  # never a TA
        if closes_at != "keep":
            a.closes_at = aware(closes_at, "closes_at")
        if key_release_at != "keep":
            a.key_release_at = aware(key_release_at, "key_release_at")
        s.flush()
        return _assessment_out(s, a)


def get_assessment(sf: SessionFactory, actor_id: int, assessment_id: int) -> StudentAssessmentOut:
    """The assessment: an :class:`AssessmentOut` for a grader of its course (instructor or TA), else the student's
    view."""
    with read_session(sf) as s:
        a = assessment_row(s, assessment_id)
        return _assessment_view(a, *question_totals(s, a), grader=grader_view(s, actor_id, a.course_id))


def list_assessments(sf: SessionFactory, actor_id: int, course_id: int) -> list[StudentAssessmentOut]:
    """A course's assessments by opening time (members only; its graders get theirs, students the student's view)."""
    counts = (
        select(
            D.QuestionInstance.assessment_id.label("aid"),
            func.count().label("n"),
            func.coalesce(func.sum(D.QuestionInstance.points), 0.0).label("total"),
        )
        .where(D.QuestionInstance.owner_id.is_(None))
        .group_by(D.QuestionInstance.assessment_id)
        .subquery()
    )
    with read_session(sf) as s:
        if s.get(D.Course, course_id) is None:
            raise NotFound(f"no course {course_id}")
        grader = grader_view(s, actor_id, course_id)
        rows = s.execute(
            select(D.Assessment, counts.c.n, counts.c.total)
            .outerjoin(counts, counts.c.aid == D.Assessment.id)
            .where(D.Assessment.course_id == course_id)
            .order_by(D.Assessment.opens_at, D.Assessment.id)
        ).all()
        return [
            _assessment_view(
                a,
                *(_blueprint_counts(a.blueprint) if _personal(a) else (int(n or 0), float(total or 0.0))),
                grader=grader,
            )
            for a, n, total in rows
        ]


def add_personal_question(
    sf: SessionFactory,
    actor_id: int,
    assessment_id: int,
    generator: str,
    difficulty: int,
    *,
    seed: int | None = None,
    points: float = 1.0,
    now: dt.datetime | None = None,
) -> StudentQuestionOut:
    """A freshly generated variant only ``actor_id`` sees (self-study and spaced-repetition reviews).

    Its identity (a :class:`QuestionInstanceOut`) is returned only if the actor may see the key now.
    """
    t = now_utc(now)
    if seed is None:
        seed = secrets.randbelow(2**31)
    with write_session(sf) as s:
        a = assessment_row(s, assessment_id)
        require_member(s, actor_id, a.course_id)
        if a.kind != "self_study":
            raise AccessDenied("personal questions are only for self-study")
        if t < a.opens_at:
            raise NotOpen("this assessment has not opened yet")
        ensure_variant(s, a, actor_id)
        last = s.execute(
            select(func.coalesce(func.max(D.QuestionInstance.position), 0)).where(
                D.QuestionInstance.assessment_id == a.id
            )
        ).scalar_one()
        inst = _instance(a.id, int(last) + 1, generator, seed, difficulty, points, actor_id)
        s.add(inst)
        s.flush()
        identity = key_released(a, t) or grader_view(s, actor_id, a.course_id)
        return (QuestionInstanceOut if identity else StudentQuestionOut).model_validate(inst)


def ordered(q: AnyQuestion, order: Sequence[str] | None, *, what: str = "question") -> AnyQuestion:
    """``q`` with its options in ``order`` (the option ids, as an instance stores them), under the generator's ids;
    ``None``: as generated."""
    if not order or not isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion):
        return q
    by_id = {o.id: o for o in q.options}
    if sorted(by_id) != sorted(order):
        raise ValueError(f"{what}: its stored option order names other options")
    return q.model_copy(update={"options": [by_id[i] for i in order]})


def in_order(inst: D.QuestionInstance, q: AnyQuestion) -> AnyQuestion:
    """``q`` with its options in the order the instance shows them (a shuffled exam), else as generated; the
    options keep the generator's ids (what answers are stored in), :func:`as_shown` relabels them."""
    return ordered(q, inst.option_order, what=f"question {inst.id}")


def shown(q: AnyQuestion, order: Sequence[str] | None) -> AnyQuestion:
    """``q`` as its student is shown it and answers it: options in ``order``, labelled (a), (b), (c)… in that order
    (:func:`quizbank.exam.relabel`), the key relabelled with them."""
    return relabel(ordered(q, order))


def as_shown(inst: D.QuestionInstance, q: AnyQuestion) -> AnyQuestion:
    """:func:`shown` for an instance: the question under the labels its student reads."""
    return relabel(in_order(inst, q))


def stored_answer(value: Any, order: Sequence[str] | None) -> Any:
    """A choice answer given in the labels shown (see :func:`shown`) in the generator's option ids, as stored:
    a stored answer means the same option whatever order it was shown in, and regrades against the regenerated
    question. Not a choice question (``order`` ``None``): the value as it is."""
    if not order:
        return value
    return relabel_answer(value, {label: oid for oid, label in shown_labels(order).items()})


def shown_answer(value: Any, order: Sequence[str] | None) -> Any:
    """A stored choice answer (generator ids) in the labels its student was shown (the inverse of
    :func:`stored_answer`): what a student reads of their own answer never names a generator's id."""
    if not order:
        return value
    return relabel_answer(value, shown_labels(order))


def instance_question(inst: D.QuestionInstance) -> AnyQuestion:
    """The instance's question as stored: regenerated (and checked), options in the order its student sees them,
    under the generator's ids (the exports letter them by position; :func:`as_shown` relabels them)."""
    return in_order(inst, regenerate(inst))


def question_view(inst: D.QuestionInstance, q: AnyQuestion, released: bool) -> StudentQuestionView:
    """The full :class:`QuestionView` when ``released`` (the asker may see the key), else the student's view.

    Options come in the instance's order labelled (a), (b), (c)… as shown (:func:`as_shown`), the key in those
    labels: the labels say nothing of the order the generator drew the options in."""
    options = None
    q = as_shown(inst, q)
    if isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion):
        options = [OptionView(id=o.id, text=o.text) for o in q.options]
    fmt = q.kind  # numeric, shape, multiple_choice or multi_select
    view, ref = (QuestionView, QuestionInstanceOut) if released else (StudentQuestionView, StudentQuestionOut)
    return view(
        instance=ref.model_validate(inst),
        stem=q.stem,
        options=options,
        unit=q.unit if isinstance(q, NumericQuestion) else None,
        answer_format=fmt,
        key_released=released,
        key=q.key if released else None,
        explanation=q.explanation if released else None,
    )


def _key_visible(s: Session, actor_id: int, a: D.Assessment, inst: D.QuestionInstance, now: dt.datetime) -> bool:
    """Raises unless the actor may see this question at all; returns whether they may see its key (a grader of the
    course always may)."""
    if grader_view(s, actor_id, a.course_id):
        return True
    if inst.owner_id is not None and inst.owner_id != actor_id:
        raise NotFound(f"no question {inst.id}")
    if now < a.opens_at:
        raise NotOpen("this assessment has not opened yet")
    return key_released(a, now)


def get_question(
    sf: SessionFactory, actor_id: int, instance_id: int, *, now: dt.datetime | None = None
) -> StudentQuestionView:
    """The regenerated question (checked against the stored params); its identity, key and explanation only once
    released (a :class:`QuestionView` then, and always for the course's graders)."""
    t = now_utc(now)
    with read_session(sf) as s:
        inst = s.get(D.QuestionInstance, instance_id)
        if inst is None:
            raise NotFound(f"no question {instance_id}")
        a = assessment_row(s, inst.assessment_id)
        released = _key_visible(s, actor_id, a, inst, t)
        return question_view(inst, regenerate(inst), released)


def list_questions(
    sf: SessionFactory, actor_id: int, assessment_id: int, *, now: dt.datetime | None = None
) -> list[StudentQuestionView]:
    """The shared questions of an assessment plus the actor's personal ones, in order (as :func:`get_question`).

    A student opening an assessment with per-student variants gets theirs stored first, if it is open."""
    t = now_utc(now)
    with read_session(sf) as s:
        a = assessment_row(s, assessment_id)
        opening = _personal(a) and t >= a.opens_at
    if opening:
        open_variant(sf, actor_id, assessment_id)
    with read_session(sf) as s:
        a = assessment_row(s, assessment_id)
        insts = (
            s.execute(
                select(D.QuestionInstance)
                .where(
                    D.QuestionInstance.assessment_id == a.id,
                    D.QuestionInstance.owner_id.is_(None) | (D.QuestionInstance.owner_id == actor_id),
                )
                .order_by(D.QuestionInstance.position)
            )
            .scalars()
            .all()
        )
        if not insts:
            require_member(s, actor_id, a.course_id)
            return []
        released = _key_visible(s, actor_id, a, insts[0], t)
        return [question_view(i, regenerate(i), released) for i in insts]
