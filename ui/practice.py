"""The Practice page's logic, kept apart from Streamlit so it can be tested plainly."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from grader.parse import FormatError, parse_answer
from grader.scoring import Grade, grade
from quizbank.generators import REGISTRY, TOPICS, generate, generators
from quizbank.schema import AnyQuestion


@dataclass(frozen=True)
class Pick:
    generator: str
    seed: int
    difficulty: int


def topic_choices() -> dict[str, str]:
    """Topic id → title, for topics that have generators."""
    return {t.id: t.title for t in TOPICS.values() if generators(t.id)}


def new_pick(topic: str, difficulty: int, previous: Pick | None = None) -> Pick:
    """A fresh variant: a random generator of the topic and a random seed (never the same as before)."""
    gens = generators(topic)
    while True:
        p = Pick(gens[secrets.randbelow(len(gens))].id, secrets.randbelow(10**9), difficulty)
        if p != previous:
            return p


def pick_from_link(params: dict[str, str]) -> Pick | None:
    """A question pinned by a shared link (``?gen=ID&seed=S&d=D``); None if absent or invalid."""
    gen, seed, d = params.get("gen"), params.get("seed"), params.get("d", "1")
    if not gen or seed is None or gen not in REGISTRY or not seed.isdigit() or d not in ("1", "2", "3"):
        return None
    return Pick(gen, int(seed), int(d))


def question_for(p: Pick) -> AnyQuestion:
    return generate(p.generator, p.seed, p.difficulty)


@dataclass(frozen=True)
class Outcome:
    format_error: str | None = None
    grade: Grade | None = None


def answer(q: AnyQuestion, raw: str) -> Outcome:
    try:
        parsed = parse_answer(q, raw)
    except FormatError as e:
        return Outcome(format_error=str(e))
    return Outcome(grade=grade(q, parsed.value))


_MATH = re.compile(r"(\$\$?)(.+?)\1", re.S)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def render_md(text: str) -> str:
    """Markdown for st.markdown: inside $…$ a thousands comma becomes ``{,}`` so KaTeX does not space it."""
    return _MATH.sub(lambda m: m.group(1) + _THOUSANDS.sub("{,}", m.group(2)) + m.group(1), text)


def input_hint(q: AnyQuestion) -> str:
    if q.kind == "numeric":
        return "A number: 73856, 73,856, 7.3856e4, 73.9k or 1/9 all work." + (f" Unit: {q.unit}." if q.unit else "")
    if q.kind == "shape":
        return "A shape without the batch axis, e.g. 112×112×64 or (None, 112, 112, 64)."
    return ""
