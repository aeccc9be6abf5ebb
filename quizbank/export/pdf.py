"""``pdf``: the students' exams (``exams.pdf``, one exam per student, each starting on a new page) and the answer
key with worked solutions (``key.pdf``), typeset offline by Typst (the ``typst`` package bundles its fonts). When
students get their own variants, each student's exam is also a file of its own, ``students/<id>.pdf``.

When everyone sits the same questions in the same order the key is that one exam's questions in order, each with
its worked solution. When students have their own variants (or their own order) the key is each student's answers in
brief, then the worked solutions: each distinct solution is written once, numbered S1, S2, … in order of first
use, and every student's list gives, per question, the key and the number of its solution. Typst's time grows with
the text it lays out, and 300 personal exams of 30 questions hold only a third as many distinct solutions.

Stems, options and explanations are the bank's Markdown with ``$…$`` LaTeX, converted to Typst markup and Typst math
by :mod:`._text`; a LaTeX command the converter does not know is printed as raw code and counted
(:func:`typst_sources` returns the count so tests can require none).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..exam import Exam, ExamQuestion, StudentExam
from ..schema import AnyQuestion, MultipleChoiceQuestion, MultiSelectQuestion, NumericQuestion, ShapeQuestion
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
    """One question as the student sees it; its paragraphs are the document's own (a block around each question
    would look the same, its spacing being the paragraphs', and cost Typst up to a fifth more layout time)."""
    q = eq.question
    parts = [f"*{eq.number}.* ({_points(eq.points)}) {md_typst(q.stem, unknown)}"]
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
    parts.append("\n\n")
    return "".join(parts)


def _solution(q: AnyQuestion, unknown: Counter[str]) -> str:
    """The worked solution of ``q``: its key, then the explanation and where each wrong answer comes from."""
    lines = ["*Key:* ", md_typst(key_text(q), unknown)]
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
    lines.append("\n\n")
    return "".join(lines)


def _brief_key(q: AnyQuestion, unknown: Counter[str]) -> str:
    """The key in a few characters: the number and unit, the shape, or the letters of the right options."""
    if isinstance(q, NumericQuestion):
        return md_typst(number(q.key) + (f" {q.unit}" if q.unit else ""), unknown)
    if isinstance(q, ShapeQuestion):
        return md_typst(q.key, unknown)
    return ", ".join(f"({letter(i)})" for i, o in enumerate(q.options) if o.correct)


def _header(exam: Exam, se: StudentExam | None, what: str) -> str:
    title = typst_string(exam.title)
    who = f"Student: #{typst_string(se.student)}" if se is not None else "Every student"
    return (
        f"#pagebreak(weak: true)\n#counter(page).update(1)\n= #{title} #h(1fr) #text(size: 0.8em)[{what}]\n\n"
        f"{who} #h(1fr) {_facts(exam, se)}\n\n#line(length: 100%)\n\n"
    )


def _facts(exam: Exam, se: StudentExam | None) -> str:
    sch = exam.blueprint.schedule
    facts = [f"{len((se or exam.students[0]).questions)} questions", f"{_points(exam.max_score)} in all"]
    if sch.time_limit_min:
        facts.append(f"time limit {sch.time_limit_min} min")
    return " · ".join(facts)


def exam_source(exam: Exam, unknown: Counter[str]) -> str:
    """The Typst source of the students' exams, one per student, each from a new page numbered 1."""
    parts = [_PREAMBLE.format(title=typst_string(exam.title))]
    for se in exam.students:
        parts.append(_header(exam, se, "Exam"))
        parts.extend(_question(eq, unknown) for eq in se.questions)
    return "".join(parts)


def key_source(exam: Exam, unknown: Counter[str]) -> str:
    """The Typst source of the answer key: one question set in order with its worked solutions, or (students with
    sets of their own) every student's key in brief and then each distinct worked solution once."""
    parts = [_PREAMBLE.format(title=typst_string(exam.title))]
    sets = variants(exam)
    if len(sets) == 1:
        student, se = sets[0]
        parts.append(_header(exam, se if student else None, "Answer key"))
        parts.extend(f"*{eq.number}.* ({_points(eq.points)}) {_solution(eq.question, unknown)}" for eq in se.questions)
        return "".join(parts)
    solutions: dict[str, int] = {}  # worked solution → its number, in order of first use
    title = typst_string(exam.title)
    parts.append(
        f"= #{title} #h(1fr) #text(size: 0.8em)[Answer key]\n\n"
        f"{len(sets)} students · {_facts(exam, None)}. Each student's list gives, per question, the key and the "
        "number of its worked solution (S1, S2, …, after the lists).\n\n#line(length: 100%)\n\n"
    )
    for student, se in sets:
        entries = []
        for eq in se.questions:
            ref = solutions.setdefault(_solution(eq.question, unknown), len(solutions) + 1)
            entries.append(f"*{eq.number}.* {_brief_key(eq.question, unknown)} #h(1fr) S{ref}")
        rows = -(-len(entries) // 3)  # three columns, filled top to bottom and even (Typst's columns do not balance)
        cells = ", ".join("[" + " \\\n".join(entries[i : i + rows]) + "]" for i in range(0, len(entries), rows))
        parts.append(
            f"#block(breakable: false)[*Student: #{typst_string(student or '')}*\n"
            f"#grid(columns: (1fr, 1fr, 1fr), column-gutter: 2em, {cells})]\n\n"
        )
    parts.append("#pagebreak()\n= Worked solutions\n\n")
    parts.extend(f"*S{n}.* {text}" for text, n in solutions.items())
    return "".join(parts)


def _split_students(exams_pdf: Path, out: Path, names: list[str]) -> list[Path]:
    """Each student's exam as a file of its own, cut from ``exams.pdf`` at its outline: every exam starts with one
    top-level heading (its header), which Typst writes as a bookmark, so the pages are copied, never typeset
    twice."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(exams_pdf)
    starts = [reader.get_destination_page_number(d) for d in reader.outline if not isinstance(d, list)]
    if len(starts) != len(names):
        raise RuntimeError(f"exams.pdf has {len(starts)} exams in its outline for {len(names)} students")
    paths = []
    for name, first, end in zip(names, starts, [*starts[1:], len(reader.pages)], strict=True):
        writer = PdfWriter()
        for i in range(first, end):
            writer.add_page(reader.pages[i])
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            writer.write(f)
        paths.append(path)
    return paths


def typst_sources(exam: Exam) -> tuple[str, str, Counter[str]]:
    """The Typst source of the students' exams and of the answer key, and the LaTeX commands that had no
    conversion (shown as raw code)."""
    unknown: Counter[str] = Counter()
    return exam_source(exam, unknown), key_source(exam, unknown), unknown


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
    unknown: Counter[str] = Counter()
    paths = [out / "exams.pdf", out / "key.pdf"]
    # Typst releases the GIL while it typesets: the exams (the quicker source to write) compile while the key's
    # source is written, then both side by side
    with ThreadPoolExecutor(2) as pool:
        exams = pool.submit(compile_typst, exam_source(exam, unknown), paths[0])
        key = pool.submit(compile_typst, key_source(exam, unknown), paths[1])
        exams.result()
        key.result()
    files = student_files(exam, ".pdf")
    if files:
        paths.extend(_split_students(paths[0], out, [name for name, _se in files]))
    return paths
