"""``json``: the exam as data, every question in the bank's own schema with its key (``exam.json``).

It reads back with :meth:`quizbank.exam.Exam.model_validate_json`, and each student's questions with
:data:`quizbank.schema.QuestionListAdapter`.
"""

from __future__ import annotations

from pathlib import Path

from ..exam import Exam


def export(exam: Exam, out: Path) -> list[Path]:
    path = out / "exam.json"
    path.write_text(exam.model_dump_json(indent=1), encoding="utf-8")
    return [path]
