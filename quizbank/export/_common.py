"""What the exporters share: which question sets to write for an exam."""

from __future__ import annotations

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
