"""``json``: the exam as data, every question in the bank's own schema with its key (``exam.json``).

It reads back with :meth:`quizbank.exam.Exam.model_validate_json`, and each student's questions with
:data:`quizbank.schema.QuestionListAdapter`. When students get their own variants, each student's exam is also a
file of its own, ``students/<id>.json`` (a :class:`quizbank.exam.StudentExam`).
"""

from __future__ import annotations

from pathlib import Path

from ..exam import Exam
from ._common import student_files


def export(exam: Exam, out: Path) -> list[Path]:
    path = out / "exam.json"
    files = student_files(exam, ".json")
    if not files:
        path.write_text(exam.model_dump_json(indent=1), encoding="utf-8")
        return [path]
    # each student's exam is serialised once, for its own file and (indented one level deeper) inside exam.json,
    # which is byte for byte what ``exam.model_dump_json(indent=1)`` writes
    pieces = [se.model_dump_json(indent=1) for _name, se in files]
    paths = [path]
    for (name, _se), text in zip(files, pieces, strict=True):
        one = out / name
        one.parent.mkdir(parents=True, exist_ok=True)
        one.write_text(text, encoding="utf-8")
        paths.append(one)
    head, tail = exam.model_copy(update={"students": []}).model_dump_json(indent=1), ' "students": []\n}'
    assert head.endswith(tail), "students is the last field of an Exam"
    body = ",\n".join("  " + text.replace("\n", "\n  ") for text in pieces)
    path.write_text(f'{head[: -len(tail)]} "students": [\n{body}\n ]\n}}', encoding="utf-8")
    return paths
