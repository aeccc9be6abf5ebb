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
    path.write_text(exam.model_dump_json(indent=1), encoding="utf-8")
    paths = [path]
    for name, se in student_files(exam, ".json"):
        one = out / name
        one.parent.mkdir(parents=True, exist_ok=True)
        one.write_text(se.model_dump_json(indent=1), encoding="utf-8")
        paths.append(one)
    return paths
