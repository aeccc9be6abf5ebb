"""What the exporters share: which question sets to write for an exam, and a file name per student."""

from __future__ import annotations

import re

from ..exam import Exam, StudentExam


def variants(exam: Exam) -> list[tuple[str | None, StudentExam]]:
    """The question sets to write: one shared set when everyone gets the same questions in the same order (named
    ``None``), else one per student."""
    if not exam.students:
        return []
    bp = exam.blueprint
    if bp.same_for_everyone and not bp.shuffle_questions:
        return [(None, exam.students[0])]
    return [(s.student, s) for s in exam.students]


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def student_files(exam: Exam, suffix: str) -> list[tuple[str, StudentExam]]:
    """``students/<id><suffix>`` per student when students get their own variants (else nothing): the id with
    anything but letters, digits, ``.``, ``_`` and ``-`` replaced, and made unique (a clash gets ``-2``, ``-3`` …)."""
    out: list[tuple[str, StudentExam]] = []
    taken: set[str] = set()
    for student, se in variants(exam):
        if student is None:
            return []
        stem = _UNSAFE.sub("_", student).strip("._") or "student"
        name, n = stem, 1
        while name.lower() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.lower())
        out.append((f"students/{name}{suffix}", se))
    return out
