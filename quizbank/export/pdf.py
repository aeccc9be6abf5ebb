"""``pdf``: the students' exams (``exams.pdf``, one exam per student, each starting on a new page) and the answer
key with worked solutions (``key.pdf``), typeset offline by Typst (the ``typst`` package bundles its fonts). When
students get their own variants, each student's exam is also a file of its own, ``students/<id>.pdf``.

When everyone sits the same questions in the same order the key is that one exam's questions in order, each with
its worked solution. When students have their own variants (or their own order) the key is each student's answers
in brief, then the worked solutions: each distinct solution is written once, numbered S1, S2, … topic by topic (each
topic from a new page), and every student's list gives, per question, the key and the number of its solution.
Typst's time grows with the text it lays out, and 300 personal exams of 30 questions hold only a third as many
distinct solutions; it lays out the runs of pages between page breaks (each student's exam, each topic's solutions)
side by side.

Stems, options and explanations are the bank's Markdown with ``$…$`` LaTeX, converted to Typst markup and Typst math
by :mod:`._text`; a LaTeX command the converter does not know is printed as raw code and counted
(:func:`typst_sources` returns the count so tests can require none).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..exam import Exam, ExamQuestion, StudentExam
from ..generators import TOPICS
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
    sets of their own) every student's key in brief and then each distinct worked solution once, grouped by topic,
    each topic from a new page (a grader reads one topic's solutions together, and Typst lays out the runs of pages
    between page breaks side by side)."""
    parts = [_PREAMBLE.format(title=typst_string(exam.title))]
    sets = variants(exam)
    if len(sets) == 1:
        student, se = sets[0]
        parts.append(_header(exam, se if student else None, "Answer key"))
        parts.extend(f"*{eq.number}.* ({_points(eq.points)}) {_solution(eq.question, unknown)}" for eq in se.questions)
        return "".join(parts)
    solutions = _numbered_solutions([eq.question for _student, se in sets for eq in se.questions], unknown)
    title = typst_string(exam.title)
    parts.append(
        f"= #{title} #h(1fr) #text(size: 0.8em)[Answer key]\n\n"
        f"{len(sets)} students · {_facts(exam, None)}. Each student's list gives, per question, the key and the "
        "number of its worked solution (S1, S2, …, after the lists, by topic).\n\n#line(length: 100%)\n\n"
    )
    for student, se in sets:
        entries = [
            f"*{eq.number}.* {_brief_key(eq.question, unknown)} #h(1fr) S{solutions[_version(eq.question)][0]}"
            for eq in se.questions
        ]
        rows = -(-len(entries) // 3)  # three columns, filled top to bottom and even (Typst's columns do not balance)
        cells = ", ".join("[" + " \\\n".join(entries[i : i + rows]) + "]" for i in range(0, len(entries), rows))
        parts.append(
            f"#block(breakable: false)[*Student: #{typst_string(student or '')}*\n"
            f"#grid(columns: (1fr, 1fr, 1fr), column-gutter: 2em, {cells})]\n\n"
        )
    topic = None
    for n, text, q in sorted({v[0]: v for v in solutions.values()}.values()):
        if q.topic != topic:
            topic = q.topic
            name = TOPICS[topic].title if topic in TOPICS else topic
            parts.append(f"#pagebreak()\n= Worked solutions: {md_typst(name, unknown)}\n\n")
        parts.append(f"*S{n}.* {text}")
    return "".join(parts)


def _version(q: AnyQuestion) -> tuple[str, tuple[str, ...]]:
    """What tells two students' copies of a question apart: the question, and the order of its options."""
    return q.uid, tuple(o.text for o in q.options) if isinstance(
        q, MultipleChoiceQuestion | MultiSelectQuestion
    ) else ()


def _numbered_solutions(
    questions: list[AnyQuestion], unknown: Counter[str]
) -> dict[tuple[str, tuple[str, ...]], tuple[int, str, AnyQuestion]]:
    """Each version of a question (:func:`_version`) → its worked solution's number, text and question. Equal texts
    share a number; numbers run topic by topic (topics in order of first use), in order of first use within one."""
    first: dict[tuple[str, tuple[str, ...]], AnyQuestion] = {}
    for q in questions:
        first.setdefault(_version(q), q)
    rank = {t: i for i, t in enumerate(dict.fromkeys(q.topic for q in first.values()))}
    ordered = sorted(first.items(), key=lambda kv: rank[kv[1].topic])  # stable: first use within a topic
    numbers: dict[str, int] = {}
    out = {}
    for version, q in ordered:
        text = _solution(q, unknown)
        out[version] = (numbers.setdefault(text, len(numbers) + 1), text, q)
    return out


def _split_students(exams_pdf: Path, out: Path, names: list[str]) -> list[Path]:
    """Each student's exam as a file of its own, cut from ``exams.pdf`` at its outline: every exam starts with one
    top-level heading (its header), which Typst writes as a bookmark, so the pages are copied, never typeset
    twice. qpdf (through pikepdf) copies them: 300 exams in a quarter of a second, where pure-Python pypdf took
    two."""
    import pikepdf

    with pikepdf.open(exams_pdf) as pdf:
        pages = list(pdf.pages)
        index = {p.objgen: i for i, p in enumerate(pages)}
        with pdf.open_outline() as outline:
            dests = [item.destination for item in outline.root]
        starts = [index[d[0].objgen] for d in dests if isinstance(d, pikepdf.Array) and len(d) and d[0].objgen in index]
        if len(starts) != len(names) or starts != sorted(starts):
            raise RuntimeError(f"exams.pdf has {len(starts)} exams in its outline for {len(names)} students")
        paths = []
        for name, first, end in zip(names, starts, [*starts[1:], len(pages)], strict=True):
            path = out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with pikepdf.new() as one:
                one.pages.extend(pages[first:end])
                one.save(path)
            paths.append(path)
    return paths


def typst_sources(exam: Exam) -> tuple[str, str, Counter[str]]:
    """The Typst source of the students' exams and of the answer key, and the LaTeX commands that had no
    conversion (shown as raw code)."""
    unknown: Counter[str] = Counter()
    return exam_source(exam, unknown), key_source(exam, unknown), unknown


def compile_typst(
    source: str, output: Path | None = None, fmt: str = "pdf", ppi: float | None = None, *, tagged: bool = True
) -> bytes | list[bytes]:
    """Typeset Typst source offline (bundled fonts only, so the result does not depend on the machine); a PDF is
    tagged for screen readers unless ``tagged`` is false."""
    import typst

    data = typst.compile(source.encode("utf-8"), format=fmt, ppi=ppi, ignore_system_fonts=True, pdf_tags=tagged)
    if output is not None and isinstance(data, bytes):
        output.write_bytes(data)
    return data


def typeset(exam: Exam, out: Path) -> Callable[[], list[Path]]:
    """Write the Typst sources now, typeset them in threads, and return the call that waits for the files.

    Typst releases the GIL while it typesets, so the two documents typeset side by side with whatever this thread
    does next (:func:`quizbank.export.export_many` writes the text formats); each is handed to Typst as soon as its
    source is written, and the students' files are cut from the exams while the key may still be typesetting."""
    exams_pdf, key_pdf = out / "exams.pdf", out / "key.pdf"
    files = [name for name, _se in student_files(exam, ".pdf")]

    def exams(source: str) -> list[Path]:
        # exams.pdf is the file to print, and the students' own files are cut from it page by page, which drops a
        # document's tags (its structure tree); untagged it is a quarter of the size and typesets a tenth quicker.
        # The key, read on screen by the instructor, keeps its tags.
        compile_typst(source, exams_pdf, tagged=False)
        return _split_students(exams_pdf, out, files) if files else []

    pool = ThreadPoolExecutor(2, thread_name_prefix="typst")
    try:
        singles = pool.submit(exams, exam_source(exam, Counter()))
        key = pool.submit(compile_typst, key_source(exam, Counter()), key_pdf)
    finally:
        pool.shutdown(wait=False)

    def wait() -> list[Path]:
        key.result()
        return [exams_pdf, key_pdf, *singles.result()]

    return wait


def export(exam: Exam, out: Path) -> list[Path]:
    return typeset(exam, out)()
