"""The Exam builder's logic (instructors), tested without Streamlit: a blueprint as an editable draft, its pydantic
errors by field, TOML in and out, a sample student's exam with key and worked solutions, publishing, and the
exports of a published assessment.

Everything goes through the one engine (:mod:`quizbank.exam`) and the grader's services, which check that the
actor teaches the course whatever the page shows: the preview is the exam the sample student would get from the
same server secret, publishing is :func:`grader.services.publish_blueprint` (what ``cnnquiz exam build`` calls),
and the exports are :func:`grader.services.assessment_exam` written by :mod:`quizbank.export`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from grader import services as S
from grader.db import SessionFactory
from quizbank.exam import BlueprintError, BlueprintFile, blueprint_toml, parse_blueprint, personal, relabel
from quizbank.export import EXPORTERS, export_many
from quizbank.generators import REGISTRY, TOPICS, generators

from .mathtext import md, render_md
from .practice_view import key_text, topic_choices

KINDS = {"exam": "Exam", "homework": "Homework", "self_study": "Self-study"}
KEY_RELEASES = {
    "auto": "At the close time (self-study: at once)",
    "never": "Not yet (release it later)",
    "at": "At a time",
}
FORMATS = {
    "json": "JSON (the bank's schema)",
    "moodle": "Moodle XML",
    "gift": "Moodle GIFT",
    "qti": "Canvas QTI 1.2",
    "pdf": "PDF (exams and key)",
}
MIME = {".json": "application/json", ".xml": "application/xml", ".txt": "text/plain", ".zip": "application/zip",
        ".pdf": "application/pdf"}  # fmt: skip
assert set(FORMATS) == set(EXPORTERS)


# ------------------------------------------------------------------ the draft the editor's widgets hold


def topic_generators(topic: str, difficulty: int | None = None) -> dict[str, str]:
    """Generator id → title, for a topic (only those with ``difficulty``, when given)."""
    return {g.id: g.title for g in generators(topic) if difficulty is None or difficulty in g.difficulties}


@dataclass
class ItemDraft:
    """One blueprint line as the editor shows it: questions from a topic (its generators in turn) or one generator."""

    source: Literal["topic", "generator"] = "topic"
    topic: str = field(default_factory=lambda: next(iter(topic_choices())))
    generator: str | None = None
    difficulty: int = 1
    count: int = 1
    points: float = 1.0

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"topic": self.topic} if self.source == "topic" else {"generator": self.generator}
        return out | {"difficulty": self.difficulty, "count": self.count, "points": self.points}


@dataclass
class Draft:
    """A blueprint being edited: what :class:`quizbank.exam.BlueprintFile` holds, as plain widget values.

    Times are UTC; ``time_limit_min`` and ``attempts`` of 0 mean none; ``key_release`` is ``auto``, ``never`` or
    ``at`` (then ``key_release_at``).
    """

    title: str = "Midterm"
    kind: str = "exam"
    seed: int | str = 0
    """As typed (pydantic reads a whole number from text, and names ``seed`` if it is not one)."""
    same_for_everyone: bool = False
    shuffle_questions: bool = True
    shuffle_options: bool = True
    items: list[ItemDraft] = field(default_factory=lambda: [ItemDraft()])
    opens: dt.datetime | None = None
    closes: dt.datetime | None = None
    time_limit_min: int = 0
    attempts: int = 1
    key_release: str = "auto"
    key_release_at: dt.datetime | None = None

    def data(self) -> dict[str, Any]:
        """The blueprint as the dict a TOML file parses to (nothing checked here: :func:`check` does)."""
        schedule: dict[str, Any] = {}
        if self.opens is not None:
            schedule["opens"] = self.opens
        if self.closes is not None:
            schedule["closes"] = self.closes
        if self.time_limit_min:
            schedule["time_limit_min"] = self.time_limit_min
        if self.attempts:
            schedule["attempts"] = self.attempts
        schedule["key_release"] = self.key_release_at if self.key_release == "at" else self.key_release
        return {
            "title": self.title.strip(),
            "kind": self.kind,
            "seed": self.seed,
            "same_for_everyone": self.same_for_everyone,
            "shuffle_questions": self.shuffle_questions,
            "shuffle_options": self.shuffle_options,
            "items": [i.data() for i in self.items],
            "schedule": schedule,
        }

    @classmethod
    def of(cls, bp: BlueprintFile) -> Draft:
        sch = bp.schedule
        release = sch.key_release
        return cls(
            title=bp.title,
            kind=bp.kind,
            seed=bp.seed,
            same_for_everyone=bp.same_for_everyone,
            shuffle_questions=bp.shuffle_questions,
            shuffle_options=bp.shuffle_options,
            items=[
                ItemDraft("topic", i.topic, None, i.difficulty, i.count, i.points)
                if i.topic is not None
                else ItemDraft("generator", REGISTRY[i.generator].topic, i.generator, i.difficulty, i.count, i.points)  # type: ignore[index]
                for i in bp.items
            ],
            opens=sch.opens,
            closes=sch.closes,
            time_limit_min=sch.time_limit_min or 0,
            attempts=sch.attempts or 0,
            key_release=release if isinstance(release, str) else "at",
            key_release_at=release if isinstance(release, dt.datetime) else None,
        )


def utc(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    """A date and time picked in the page, as an aware UTC datetime (``None`` if either is missing)."""
    if day is None or time is None:
        return None
    return dt.datetime.combine(day, time.replace(tzinfo=None), tzinfo=dt.UTC)


# ------------------------------------------------------------------ checking, TOML in and out


@dataclass(frozen=True)
class FieldError:
    path: str
    """The field as pydantic names it: ``items[1].count``, ``schedule``, ``title``."""
    message: str

    @property
    def label(self) -> str:
        """Where the editor shows that field: ``Item 2 · count``, ``Schedule``, ``Title``."""
        m = re.fullmatch(r"items\[(\d+)\](?:\.(\w+))?(.*)", self.path)
        if m:
            return f"Item {int(m.group(1)) + 1}" + (f" · {m.group(2)}" if m.group(2) else "")
        return self.path.replace("_", " ").replace(".", " · ").capitalize()

    def text(self) -> str:
        return f"**{self.label}** (`{self.path}`): {self.message.removeprefix('Value error, ')}"


@dataclass(frozen=True)
class Checked:
    blueprint: BlueprintFile | None
    errors: list[FieldError]


def check(draft: Draft) -> Checked:
    """The draft validated by the blueprint's pydantic model: the blueprint, or the errors by field."""
    try:
        return Checked(parse_blueprint(draft.data()), [])
    except BlueprintError as e:
        return Checked(None, [FieldError(p, m) for p, m in e.fields])


def load_toml(text: str, source: str = "blueprint") -> tuple[Draft | None, list[FieldError]]:
    """A draft from a blueprint file's text, or the errors (by field; a TOML syntax error as ``(file)``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        return None, [FieldError("(file)", f"{source} is not valid TOML: {e}")]
    try:
        return Draft.of(parse_blueprint(data, source=source)), []
    except BlueprintError as e:
        return None, [FieldError(p, m) for p, m in e.fields]


def toml_text(bp: BlueprintFile) -> str:
    return blueprint_toml(bp)


def plural(n: float, word: str) -> str:
    return f"{n:g} {word}" + ("" if n == 1 else "s")


def file_stem(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower() or "exam"


def summary(bp: BlueprintFile) -> str:
    n = sum(i.count for i in bp.items)
    points = sum(i.count * i.points for i in bp.items)
    who = "one variant per student" if not bp.same_for_everyone else "the same questions for everyone"
    order = [w for w, on in (("question order", bp.shuffle_questions), ("options", bp.shuffle_options)) if on]
    shuffled = f", shuffled {' and '.join(order)}" if order else ""
    return f"{plural(n, 'question')}, {plural(points, 'point')}: {who}{shuffled}."


# ------------------------------------------------------------------ preview


@dataclass(frozen=True)
class PreviewQuestion:
    number: int
    points: float
    topic: str
    stem: str
    """Markdown, formulas typeset by KaTeX (:func:`ui.mathtext.render_md`); so are the fields below."""
    options: list[str] | None
    key: str
    explanation: str


@dataclass(frozen=True)
class Preview:
    student: str
    questions: list[PreviewQuestion]

    @property
    def points(self) -> float:
        return sum(q.points for q in self.questions)


def sample_student(students: list[str], n: int) -> str:
    """The ``n``-th sample student: the course's students first, then ``sample-1``, ``sample-2`` …"""
    return students[n] if n < len(students) else f"sample-{n - len(students) + 1}"


def preview(sf: SessionFactory, actor_id: int, course_id: int, bp: BlueprintFile, student: str) -> Preview:
    """The exam ``student`` would get if ``bp`` were published now, with its key and worked solutions."""
    se = S.preview_student_exam(sf, actor_id, course_id, bp, student)
    out = []
    for eq in se.questions:
        q = relabel(eq.question)  # as the student is shown it: (a), (b), (c)… in the shuffled order
        options = getattr(q, "options", None)
        out.append(
            PreviewQuestion(
                number=eq.number,
                points=eq.points,
                topic=TOPICS[q.topic].title,
                stem=render_md(q.stem),
                options=None if options is None else [f"({o.id}) {render_md(o.text)}" for o in options],
                key=key_text(q),
                explanation=render_md(q.explanation),
            )
        )
    return Preview(student, out)


# ------------------------------------------------------------------ publishing and exports


def taught_courses(sf: SessionFactory, user_id: int) -> list[S.MyCourseOut]:
    return [c for c in S.list_my_courses(sf, user_id) if c.role == "instructor"]


@dataclass(frozen=True)
class Published:
    assessment: S.AssessmentOut
    variants: int
    """How many students' own variants were stored at publishing (0 for one shared list)."""

    def message(self) -> str:
        a = self.assessment
        text = (
            f"Published **{md(a.title)}** (assessment {a.id}): {plural(a.questions, 'question')}, "
            f"{plural(a.max_score, 'point')}"
        )
        if self.variants:
            who = "1 student has" if self.variants == 1 else f"{self.variants} students have"
            return text + f"; {who} a variant of their own, anyone enrolled later gets theirs on first open."
        return text + "."


def publish(sf: SessionFactory, actor_id: int, course_id: int, bp: BlueprintFile) -> Published:
    a = S.publish_blueprint(sf, actor_id, course_id, bp)
    return Published(a, len(S.course_students(sf, actor_id, course_id)) if personal(bp) else 0)


def published(sf: SessionFactory, actor_id: int, course_id: int) -> list[S.AssessmentOut]:
    """The course's assessments, newest first, as its instructors see them."""
    rows = [a for a in S.list_assessments(sf, actor_id, course_id) if isinstance(a, S.AssessmentOut)]
    return sorted(rows, key=lambda a: a.id, reverse=True)


@dataclass(frozen=True)
class Download:
    fmt: str
    label: str
    file_name: str
    data: bytes
    mime: str
    files: list[str]
    """What the download holds (one file, or the files inside its zip)."""


def downloads(sf: SessionFactory, actor_id: int, assessment_id: int) -> list[Download]:
    """The published assessment in every export format: one file as it is, several (the PDFs, one file per
    student) zipped."""
    exam = S.assessment_exam(sf, actor_id, assessment_id)
    stem = file_stem(exam.title)
    out = []
    with tempfile.TemporaryDirectory(prefix="cnnquiz-export-") as tmp:
        written = export_many(exam, {fmt: Path(tmp) / fmt for fmt in FORMATS})
        for fmt, label in FORMATS.items():
            d, paths = Path(tmp) / fmt, written[fmt]
            names = [str(p.relative_to(d)) for p in paths]
            if len(paths) == 1:
                p = paths[0]
                out.append(Download(fmt, label, f"{stem}-{p.name}", p.read_bytes(), MIME[p.suffix], names))
                continue
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for p, name in zip(paths, names, strict=True):
                    z.write(p, name)
            out.append(Download(fmt, label, f"{stem}-{fmt}.zip", buf.getvalue(), MIME[".zip"], names))
    return out


def add_item(draft: Draft) -> Draft:
    last = draft.items[-1] if draft.items else ItemDraft()
    return replace(draft, items=[*draft.items, replace(last, count=1)])


def remove_item(draft: Draft, index: int) -> Draft:
    return replace(draft, items=[i for j, i in enumerate(draft.items) if j != index])
