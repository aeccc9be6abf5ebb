"""``gift``: Moodle GIFT (``exam.gift.txt``).

The same four kinds as the Moodle XML: numeric ``{#=key:tol#… =%0%trap:0#feedback …}``, shapes as short answers
``{=key =spelling … =%0%trap#feedback}``, single choice ``{=right#… ~wrong#…}``, multi-select with ``~%share%``
weights (+ for right, − for wrong), and the explanation as the general feedback (``####``). Text is HTML (``[html]``)
with math as ``\\( … \\)``; ``~ = # { } :`` and the backslash are escaped with a backslash. Per-student variants are
``$CATEGORY:`` sections.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..exam import Exam, ExamQuestion
from ..schema import MultipleChoiceQuestion, NumericQuestion, ShapeQuestion
from ._common import variants
from ._text import absolute_tolerance, accepted_shapes, md_html, number, trap_text
from .moodle import category_path, fraction_share

_SPECIAL = re.compile(r"([\\~=#{}:])")


def escape(s: str) -> str:
    """GIFT text: the special characters ``~ = # { } :`` and the backslash escaped, on one line."""
    return _SPECIAL.sub(r"\\\1", s).replace("\r", " ").replace("\n", " ")


def _html(md: str) -> str:
    return escape(md_html(md))


def question_gift(eq: ExamQuestion, name: str) -> str:
    q = eq.question
    head = f"::{escape(name)}::[html]{_html(q.stem)}"
    general = f" ####{_html(q.explanation)}"
    if isinstance(q, NumericQuestion):
        answers = [f"={number(q.key)}:{number(absolute_tolerance(q))}#{_html('Correct.')}"]
        answers += [f"=%0%{trap_text(q, t)}:0#{_html(t.feedback)}" for t in q.traps]
        return f"{head}{{#\n" + "\n".join(answers) + f"\n{general}\n}}"
    if isinstance(q, ShapeQuestion):
        answers = [f"={escape(a)}#{_html('Correct.')}" for a in accepted_shapes(q)]
        answers += [f"=%0%{escape(trap_text(q, t))}#{_html(t.feedback)}" for t in q.traps]
        return f"{head}{{\n" + "\n".join(answers) + f"\n{general}\n}}"
    if isinstance(q, MultipleChoiceQuestion):
        answers = [f"{'=' if o.correct else '~'}{_html(o.text)}#{_html(o.feedback)}" for o in q.options]
    else:
        right = sum(o.correct for o in q.options)
        wrong = len(q.options) - right
        answers = [
            f"~%{fraction_share(right) if o.correct else '-' + fraction_share(wrong)}%{_html(o.text)}#{_html(o.feedback)}"
            for o in q.options
        ]
    return f"{head}{{\n" + "\n".join(answers) + f"\n{general}\n}}"


def render(exam: Exam) -> str:
    blocks: list[str] = []
    for student, se in variants(exam):
        blocks.append(f"$CATEGORY: {category_path(exam, student)}")
        for eq in se.questions:
            name = f"Q{eq.number}" + (f" {student}" if student else "") + f" ({eq.question.generator})"
            blocks.append(f"// points: {number(eq.points)}\n" + question_gift(eq, name))
    return "\n\n".join(blocks) + "\n"


def export(exam: Exam, out: Path) -> list[Path]:
    path = out / "exam.gift.txt"
    path.write_text(render(exam), encoding="utf-8")
    return [path]
