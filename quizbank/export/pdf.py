"""``pdf``: the students' exams (``exams.pdf``, one exam per student, each starting on a new page) and the answer
key with worked solutions (``key.pdf``), typeset offline by Typst (the ``typst`` package bundles its fonts). When
students get their own variants, each student's exam is also a file of its own, ``students/<id>.pdf``.

Stems, options and explanations are the bank's Markdown with ``$…$`` LaTeX, converted to Typst markup and Typst math
by :mod:`._text`; a LaTeX command the converter does not know is printed as raw code and counted
(:func:`typst_sources` returns the count so tests can require none).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..exam import Exam, ExamQuestion, StudentExam
from ..schema import MultipleChoiceQuestion, MultiSelectQuestion, NumericQuestion, ShapeQuestion
from ._common import student_files, variants
from ._text import key_text, letter, md_typst, number, trap_text, typst_string

_PREAMBLE = """#set document(title: {title})
#set page(paper: "a4", margin: (x: 2cm, y: 2cm), numbering: "1")
#set text(size: 10.5pt)
#set par(justify: false)
#show heading: set block(below: 0.8em)
#let blank(w) = box(width: w, height: 0.9em, stroke: (bottom: 0.5pt))
"""


def _points(p: float) -> str:
    n = number(p)
    return f"{n} pt" if n == "1" else f"{n} pts"


def _question(eq: ExamQuestion, unknown: Counter[str]) -> str:
    q = eq.question
    parts = [f"#block(breakable: true, below: 1.2em)[*{eq.number}.* ({_points(eq.points)}) {md_typst(q.stem, unknown)}"]
    if isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion):
        hint = "Choose one." if isinstance(q, MultipleChoiceQuestion) else "Choose all that apply."
        parts.append(f"\n\n_{hint}_\n")
        for i, o in enumerate(q.options):
            parts.append(f"\n/ ({letter(i)}) #sym.ballot: {md_typst(o.text, unknown)}")
    elif isinstance(q, NumericQuestion):
        unit = f" {md_typst(q.unit, unknown)}" if q.unit else ""
        parts.append(f"\n\nAnswer: #blank(5cm){unit}")
    else:
        parts.append("\n\nShape: #blank(5cm)")
    parts.append("]\n")
    return "".join(parts)


def _key(eq: ExamQuestion, unknown: Counter[str]) -> str:
    q = eq.question
    lines = [f"#block(breakable: true, below: 1.2em)[*{eq.number}.* ({_points(eq.points)}) *Key:* "]
    lines.append(md_typst(key_text(q), unknown))
    if isinstance(q, NumericQuestion) and q.tolerance.mode != "exact":
        lines.append(f" (tolerance: {q.tolerance.mode} {number(q.tolerance.value)})")
    if isinstance(q, ShapeQuestion) and q.accept:
        lines.append(" (also accepted: " + md_typst(", ".join(q.accept), unknown) + ")")
    lines.append("\n\n" + md_typst(q.explanation, unknown))
    if isinstance(q, NumericQuestion | ShapeQuestion) and q.traps:
        lines.append("\n\n_Wrong answers and where they come from:_\n")
        lines.extend(f"\n- {md_typst(trap_text(q, t), unknown)}: {md_typst(t.feedback, unknown)}" for t in q.traps)
    if isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion):
        lines.append("\n")
        lines.extend(
            f"\n- ({letter(i)}) {'right' if o.correct else 'wrong'}: {md_typst(o.feedback, unknown)}"
            for i, o in enumerate(q.options)
        )
    lines.append("]\n")
    return "".join(lines)


def _header(exam: Exam, se: StudentExam | None, what: str) -> str:
    title = typst_string(exam.title)
    who = f"Student: #{typst_string(se.student)}" if se is not None else "Every student"
    sch = exam.blueprint.schedule
    facts = [f"{len((se or exam.students[0]).questions)} questions", f"{_points(exam.max_score)} in all"]
    if sch.time_limit_min:
        facts.append(f"time limit {sch.time_limit_min} min")
    return f"#pagebreak(weak: true)\n#counter(page).update(1)\n= #{title} #h(1fr) #text(size: 0.8em)[{what}]\n\n{who} #h(1fr) {' · '.join(facts)}\n\n#line(length: 100%)\n\n"


def student_source(exam: Exam, se: StudentExam) -> str:
    """The Typst source of one student's exam alone."""
    unknown: Counter[str] = Counter()
    parts = [_PREAMBLE.format(title=typst_string(exam.title)), _header(exam, se, "Exam")]
    parts.extend(_question(eq, unknown) for eq in se.questions)
    return "".join(parts)


def typst_sources(exam: Exam) -> tuple[str, str, Counter[str]]:
    """The Typst source of the students' exams and of the answer key, and the LaTeX commands that had no
    conversion (shown as raw code)."""
    unknown: Counter[str] = Counter()
    pre = _PREAMBLE.format(title=typst_string(exam.title))
    exams = [pre]
    for se in exam.students:
        exams.append(_header(exam, se, "Exam"))
        exams.extend(_question(eq, unknown) for eq in se.questions)
    keys = [pre]
    for student, se in variants(exam):
        keys.append(_header(exam, se if student else None, "Answer key"))
        keys.extend(_key(eq, unknown) for eq in se.questions)
    return "".join(exams), "".join(keys), unknown


def compile_typst(
    source: str, output: Path | None = None, fmt: str = "pdf", ppi: float | None = None
) -> bytes | list[bytes]:
    """Typeset Typst source offline (bundled fonts only, so the result does not depend on the machine)."""
    import typst

    data = typst.compile(source.encode("utf-8"), format=fmt, ppi=ppi, ignore_system_fonts=True)
    if output is not None and isinstance(data, bytes):
        output.write_bytes(data)
    return data


def export(exam: Exam, out: Path) -> list[Path]:
    exams_src, key_src, _unknown = typst_sources(exam)
    sources, paths = [exams_src, key_src], [out / "exams.pdf", out / "key.pdf"]
    for name, se in student_files(exam, ".pdf"):
        sources.append(student_source(exam, se))
        paths.append(out / name)
        paths[-1].parent.mkdir(parents=True, exist_ok=True)
    # Typst releases the GIL while it typesets: the documents go two side by side
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(compile_typst, sources, paths))
    return paths
