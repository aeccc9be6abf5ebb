"""``moodle``: Moodle XML (``exam.moodle.xml``).

Numeric questions are ``numerical`` (the key with its tolerance as a ±, then each trap's value at 0 % with the trap's
feedback naming the misconception); shapes are ``shortanswer`` (the key and every accepted spelling at 100 %, the
traps at 0 %); single choice and multi-select are ``multichoice`` (``single`` true or false; in a multi-select the
right options share +100 % and the wrong ones −100 %). The worked explanation is the general feedback. Math is
``\\( … \\)`` for Moodle's MathJax filter. When students get their own variants, each student's questions are a
question category of their own (``$course$/<title>/<student>``).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from ..exam import Exam, ExamQuestion
from ..schema import MultipleChoiceQuestion, MultiSelectQuestion, NumericQuestion, ShapeQuestion
from ._common import variants
from ._text import absolute_tolerance, accepted_shapes, md_html, number, trap_text

# Moodle accepts only these grade fractions (question/format.php); a multi-select's shares are rounded to them.
_FRACTIONS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5,
              11.11111, 10, 5, 0)  # fmt: skip


def fraction_share(n: int) -> str:
    """100/n as Moodle writes it (5 decimals); n from 1 to 10."""
    share = 100 / n
    best = min(_FRACTIONS, key=lambda f: abs(f - share))
    if abs(best - share) > 1e-4:
        raise ValueError(f"Moodle has no grade fraction for 1/{n}")
    return f"{best:.7g}"


def _cdata(s: str) -> str:
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text(tag: str, html: str, attrs: str = ' format="html"') -> str:
    return f"<{tag}{attrs}><text>{_cdata(html)}</text></{tag}>"


def _answer(fraction: str, text: str, feedback: str, extra: str = "", fmt: str = "moodle_auto_format") -> str:
    return (
        f'<answer fraction="{fraction}" format="{fmt}"><text>{escape(text, quote=False)}</text>{extra}'
        f"{_text('feedback', md_html(feedback))}</answer>"
    )


def question_xml(eq: ExamQuestion, name: str, shuffle: bool) -> str:
    q = eq.question
    head = (
        f"<name><text>{escape(name, quote=False)}</text></name>"
        f"{_text('questiontext', md_html(q.stem))}"
        f"{_text('generalfeedback', md_html(q.explanation))}"
        f"<defaultgrade>{number(eq.points)}</defaultgrade><penalty>0</penalty><hidden>0</hidden>"
        f"<idnumber>{escape(q.uid, quote=False)}</idnumber>"
    )
    if isinstance(q, NumericQuestion):
        answers = [_answer("100", number(q.key), "Correct.", f"<tolerance>{number(absolute_tolerance(q))}</tolerance>")]
        answers += [_answer("0", trap_text(q, t), t.feedback, "<tolerance>0</tolerance>") for t in q.traps]
        units = ""
        if q.unit:
            units = f"<units><unit><multiplier>1</multiplier><unit_name>{escape(q.unit)}</unit_name></unit></units>"
            units += "<unitgradingtype>0</unitgradingtype><showunits>3</showunits><unitsleft>0</unitsleft>"
        return f'<question type="numerical">{head}{"".join(answers)}{units}</question>'
    if isinstance(q, ShapeQuestion):
        answers = [_answer("100", a.replace("*", "\\*"), "Correct.") for a in accepted_shapes(q)]
        answers += [_answer("0", trap_text(q, t), t.feedback) for t in q.traps]
        return f'<question type="shortanswer">{head}<usecase>0</usecase>{"".join(answers)}</question>'
    single = isinstance(q, MultipleChoiceQuestion)
    if single:
        fractions = {o.id: "100" if o.correct else "0" for o in q.options}
    else:
        assert isinstance(q, MultiSelectQuestion)
        right = [o for o in q.options if o.correct]
        wrong = [o for o in q.options if not o.correct]
        fractions = {o.id: fraction_share(len(right)) for o in right}
        fractions |= {o.id: "-" + fraction_share(len(wrong)) for o in wrong}
    # the option text is HTML (it may carry math)
    answers = [
        f'<answer fraction="{fractions[o.id]}" format="html"><text>{_cdata(md_html(o.text))}</text>'
        f"{_text('feedback', md_html(o.feedback))}</answer>"
        for o in q.options
    ]
    return (
        f'<question type="multichoice">{head}<single>{"true" if single else "false"}</single>'
        f"<shuffleanswers>{1 if shuffle else 0}</shuffleanswers><answernumbering>abc</answernumbering>"
        f"{''.join(answers)}</question>"
    )


def category_path(exam: Exam, student: str | None) -> str:
    base = "$course$/top/" + exam.title.replace("/", "-")
    return base if student is None else f"{base}/{student.replace('/', '-')}"


def render(exam: Exam) -> str:
    shuffle = exam.blueprint.shuffle_options
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for student, se in variants(exam):
        parts.append(
            f'<question type="category"><category><text>{escape(category_path(exam, student), quote=False)}'
            "</text></category></question>"
        )
        for eq in se.questions:
            name = f"Q{eq.number}" + (f" {student}" if student else "") + f" ({eq.question.generator})"
            parts.append(question_xml(eq, name, shuffle))
    parts.append("</quiz>")
    return "\n".join(parts) + "\n"


def export(exam: Exam, out: Path) -> list[Path]:
    path = out / "exam.moodle.xml"
    path.write_text(render(exam), encoding="utf-8")
    return [path]
