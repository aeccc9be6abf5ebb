"""Exam assembly as data: a blueprint (what to ask) → the question plan of one exam (which variants, seeded).

A blueprint is a list of :class:`BlueprintItem`: ``count`` questions of a topic (its generators taken in turn) or of
one generator, at a difficulty, worth some points. :func:`instantiate` turns a blueprint and a base seed into
``(generator, seed, difficulty, points)`` per position; each position's seed is derived from the base seed and the
position alone (:func:`derive_seed`), so the same base seed always gives the same exam. No SQL here: the grader
stores the plan, exports render it.

Given a ``secret`` (the grader keeps one server-side), a position's seed is an HMAC of the base seed and the
position under that secret: whoever knows the base seed and this code but not the secret cannot tell which
variant a position holds, so cannot regenerate its key. Without one the derivation is the public SHA-256 (paper
exams and exports, where the seed is the instructor's own).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from .schema import AnyQuestion, MultipleChoiceQuestion, MultiSelectQuestion, Question


class BlueprintItem(BaseModel):
    """One line of a blueprint: ``count`` questions of a topic (its generators in turn) or of one generator."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: str | None = None
    generator: str | None = None
    count: int = Field(default=1, ge=1, le=500)
    difficulty: Literal[1, 2, 3] = 1
    points: float = Field(default=1.0, ge=0, le=1000)

    @model_validator(mode="after")
    def _one_source(self) -> BlueprintItem:
        from .generators import REGISTRY, TOPICS

        if (self.topic is None) == (self.generator is None):
            raise ValueError("a blueprint item names exactly one of 'topic' or 'generator'")
        if self.topic is not None and self.topic not in TOPICS:
            raise ValueError(f"unknown topic {self.topic!r}")
        if self.generator is not None:
            spec = REGISTRY.get(self.generator)
            if spec is None:
                raise ValueError(f"unknown generator {self.generator!r}")
            if self.difficulty not in spec.difficulties:
                raise ValueError(f"{self.generator} has no difficulty {self.difficulty}")
        return self


Blueprint = TypeAdapter(list[BlueprintItem])
"""Validates a whole blueprint (e.g. one stored as JSON)."""


def derive_seed(base: int, position: int, secret: bytes | None = None) -> int:
    """The seed of the question at ``position`` (0-based) of an exam drawn from base seed ``base``.

    Without ``secret``: 32 bits of a public SHA-256. With one: 63 bits of HMAC-SHA256 keyed by ``secret``, so the
    seed cannot be computed (nor searched for in a small range) without the secret.
    """
    message = f"cnnquiz/{base}/{position}".encode()
    if secret is None:
        return int.from_bytes(hashlib.sha256(message).digest()[:4], "big")
    if len(secret) < 16:
        raise ValueError("a seed secret has at least 16 bytes")
    return int.from_bytes(hmac.digest(secret, message, "sha256")[:8], "big") >> 1


def instantiate(
    blueprint: Sequence[BlueprintItem], seed: int, *, secret: bytes | None = None
) -> list[tuple[str, int, int, float]]:
    """``(generator, seed, difficulty, points)`` per question of a blueprint, deterministically from ``seed`` (and
    ``secret``, see :func:`derive_seed`)."""
    return [
        (gen, derive_seed(seed, slot, secret), item.difficulty, item.points)
        for slot, (gen, item) in enumerate(_slots(blueprint))
    ]


def _slots(blueprint: Sequence[BlueprintItem]) -> list[tuple[str, BlueprintItem]]:
    """The generator of each position of a blueprint's plan and the item it comes from (no seed needed: a topic's
    generators are taken in turn)."""
    from .generators import generators

    out: list[tuple[str, BlueprintItem]] = []
    for item in blueprint:
        if item.generator is not None:
            gens = [item.generator]
        else:
            gens = [g.id for g in generators(item.topic) if item.difficulty in g.difficulties]
            if not gens:
                raise ValueError(f"topic {item.topic!r} has no generator at difficulty {item.difficulty}")
        out += [(gens[j % len(gens)], item) for j in range(item.count)]
    return out


def slot_generators(blueprint: Sequence[BlueprintItem]) -> list[str]:
    """The generator of each position (*slot*) of a blueprint's plan, whatever the seed: every variant drawn from
    the blueprint asks the same generator at the same slot."""
    return [gen for gen, _ in _slots(blueprint)]


# ------------------------------------------------------------------ blueprint files and exams


class Schedule(BaseModel):
    """When an exam opens and closes, how long a sitting lasts, how many attempts, and when the key is released."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    opens: dt.datetime | None = None
    closes: dt.datetime | None = None
    time_limit_min: int | None = Field(default=None, ge=1, le=24 * 60)
    attempts: int | None = Field(default=None, ge=1, le=100)
    key_release: dt.datetime | Literal["auto", "never"] = "auto"

    @model_validator(mode="after")
    def _order(self) -> Schedule:
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class BlueprintFile(BaseModel):
    """A blueprint as an instructor writes it (TOML): a title, the items, how variants are drawn, and the schedule.

    ``same_for_everyone``: every student gets the questions drawn from ``seed``; otherwise each student gets a
    variant of their own, fixed by ``(seed, student)`` (:func:`student_seed`). ``shuffle_questions`` and
    ``shuffle_options`` reorder per student, also fixed by ``(seed, student)``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    kind: Literal["self_study", "homework", "exam"] = "exam"
    seed: int = Field(default=0, ge=0, lt=2**63)
    same_for_everyone: bool = True
    shuffle_questions: bool = False
    shuffle_options: bool = False
    items: list[BlueprintItem] = Field(min_length=1)
    schedule: Schedule = Schedule()


class BlueprintError(ValueError):
    """A blueprint file that does not validate; the message names each bad field by its path (``items[2].count``),
    and :attr:`fields` lists ``(path, message)`` per bad field (empty when the file is not TOML at all)."""

    def __init__(self, message: str, fields: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.fields: list[tuple[str, str]] = list(fields)


def _field_path(loc: Sequence[int | str]) -> str:
    """A pydantic error location as a field path (``items[2].count``); past a leaf field, what pydantic adds (the
    member of a union that failed, such as ``datetime``) is left out: the error is the field's."""
    out = ""
    model: type[BaseModel] | None = BlueprintFile
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        if model is None:
            break
        out += f".{part}" if out else str(part)
        model = {"items": BlueprintItem, "schedule": Schedule}.get(part) if model is BlueprintFile else None
    return out or "(file)"


def _field_errors(e: ValidationError) -> list[tuple[str, str]]:
    """``(path, message)`` per bad field; a union's failed members are one field's messages joined by "or"."""
    by_path: dict[str, list[str]] = {}
    for err in e.errors():
        by_path.setdefault(_field_path(err["loc"]), []).append(str(err["msg"]))
    out = []
    for path, msgs in by_path.items():
        first, *rest = dict.fromkeys(msgs)
        out.append((path, first + "".join(f" or {m[:1].lower()}{m[1:]}" for m in rest)))
    return out


def parse_blueprint(data: dict[str, Any], *, source: str = "blueprint") -> BlueprintFile:
    """A :class:`BlueprintFile` from parsed TOML (:class:`BlueprintError` naming every bad field)."""
    try:
        return BlueprintFile.model_validate(data)
    except ValidationError as e:
        fields = _field_errors(e)
        raise BlueprintError(f"{source}: " + "; ".join(f"{f}: {m}" for f, m in fields), fields) from None


def load_blueprint(path: str | Path) -> BlueprintFile:
    """Read a blueprint file (TOML)."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise BlueprintError(f"{p}: not valid TOML: {e}") from None
    return parse_blueprint(data, source=str(p))


def student_seed(base: int, student: str) -> int:
    """The base seed of ``student``'s own variant of an exam drawn from ``base`` (public SHA-256, 31 bits)."""
    digest = hashlib.sha256(f"cnnquiz/{base}/student/{student}".encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1


class ExamQuestion(BaseModel):
    """One question of one student's exam, options in the order that student sees them."""

    model_config = ConfigDict(frozen=True)

    number: int
    points: float
    question: Question


class StudentExam(BaseModel):
    model_config = ConfigDict(frozen=True)

    student: str
    seed: int
    questions: list[ExamQuestion]


class Exam(BaseModel):
    """A built exam: its blueprint and one list of questions per student."""

    model_config = ConfigDict(frozen=True)

    title: str
    blueprint: BlueprintFile
    students: list[StudentExam]

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.students[0].questions) if self.students else 0.0


def _student_rng(base: int, student: str) -> random.Random:
    return random.Random(f"cnnquiz/{base}/order/{student}")


def _question_order(rng: random.Random, n: int, shuffle: bool) -> list[int]:
    order = list(range(n))
    if shuffle:
        rng.shuffle(order)
    return order


def question_slots(bp: BlueprintFile, student: str) -> list[int]:
    """The slot (0-based position in the blueprint's plan) of each of ``student``'s questions, in the order
    :func:`build_student_exam` gives them: ``question_slots(bp, s)[k]`` is the slot of their question ``k + 1``."""
    n = sum(item.count for item in bp.items)
    return _question_order(_student_rng(bp.seed, student), n, bp.shuffle_questions)


def build_student_exam(bp: BlueprintFile, student: str, *, secret: bytes | None = None) -> StudentExam:
    """``student``'s exam: the same for any call with the same blueprint, student (and ``secret``), bit for bit.

    ``secret`` keys the per-position seeds (:func:`derive_seed`): the grader passes its server secret, so a student
    who knows the base seed and their own id still cannot regenerate their variant; exports of a blueprint file
    leave it out (the public derivation).
    """
    from .generators import generate

    seed = bp.seed if bp.same_for_everyone else student_seed(bp.seed, student)
    plan = instantiate(bp.items, seed, secret=secret)
    rng = _student_rng(bp.seed, student)
    order = _question_order(rng, len(plan), bp.shuffle_questions)
    out: list[ExamQuestion] = []
    for number, i in enumerate(order, start=1):
        gen, sd, diff, points = plan[i]
        q: AnyQuestion = generate(gen, sd, diff)
        if bp.shuffle_options and isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion):
            options = list(q.options)
            rng.shuffle(options)
            q = q.model_copy(update={"options": options})
        out.append(ExamQuestion(number=number, points=points, question=q))
    return StudentExam(student=student, seed=seed, questions=out)


def build_exam(bp: BlueprintFile, students: Sequence[str], *, secret: bytes | None = None) -> Exam:
    """The exam of every student in ``students`` (ids must be distinct and non-empty)."""
    if len(set(students)) != len(students):
        raise ValueError("student ids are not distinct")
    if any(not s.strip() for s in students):
        raise ValueError("a student id is empty")
    return Exam(title=bp.title, blueprint=bp, students=[build_student_exam(bp, s, secret=secret) for s in students])


def personal(bp: BlueprintFile) -> bool:
    """Whether students of ``bp`` get questions (or an order of them) of their own, not one shared list."""
    return not bp.same_for_everyone or bp.shuffle_questions or bp.shuffle_options


# ------------------------------------------------------------------ option labels as shown

_Choice = MultipleChoiceQuestion | MultiSelectQuestion


def shown_labels(order: Sequence[str]) -> dict[str, str]:
    """Option id → the label it is shown under when the options come in ``order``: the first option shown is
    labelled with the first of the ids in their own order, and so on, so a shuffled question still reads (a), (b),
    (c), (d) and its labels say nothing of how the options were generated."""
    return dict(zip(order, sorted(order), strict=True))


def relabel_answer(value: Any, labels: dict[str, str]) -> Any:
    """A choice answer (one option id, or a list of them) with each id mapped through ``labels`` (a list comes back
    sorted, as a multi-select answer is kept); an id ``labels`` does not name is kept as it is."""
    if isinstance(value, str):
        return labels.get(value, value)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return sorted(labels.get(v, v) for v in value)
    return value


def relabel(q: AnyQuestion) -> AnyQuestion:
    """``q`` as a student is shown it: its options keep their order and texts but are relabelled by
    :func:`shown_labels` (so a shuffled question reads (a), (b), (c), (d)), its key relabelled with them. A
    question without options, or whose labels already read in order, comes back as it is."""
    if not isinstance(q, _Choice):
        return q
    labels = shown_labels([o.id for o in q.options])
    if all(k == v for k, v in labels.items()):
        return q
    options = [o.model_copy(update={"id": labels[o.id]}) for o in q.options]
    return q.model_copy(update={"options": options, "key": relabel_answer(q.key, labels)})


# ------------------------------------------------------------------ blueprint files written back


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, dt.datetime):
        return v.isoformat().replace("+00:00", "Z")
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a TOML basic string
    raise TypeError(f"no TOML for {type(v).__name__}")


def blueprint_toml(bp: BlueprintFile) -> str:
    """``bp`` as a blueprint file (TOML) that :func:`load_blueprint` reads back to an equal blueprint.

    Fields left at their defaults are left out (an item's ``topic`` or ``generator``, whichever it has, is kept).
    """
    data = bp.model_dump(exclude_defaults=True, exclude={"items", "schedule"})
    lines = [f"{k} = {_toml_value(data.pop(k))}" for k in ("title", "kind", "seed") if k in data]
    lines += [f"{k} = {_toml_value(v)}" for k, v in data.items()]
    schedule = bp.schedule.model_dump(exclude_defaults=True)
    if schedule:
        lines += ["", "[schedule]", *(f"{k} = {_toml_value(v)}" for k, v in schedule.items())]
    for item in bp.items:
        fields = item.model_dump(exclude_none=True)
        lines += ["", "[[items]]", *(f"{k} = {_toml_value(v)}" for k, v in fields.items())]
    return "\n".join(lines) + "\n"
