"""Exports of a built :class:`~quizbank.exam.Exam`, one module per format, registered by name in :data:`EXPORTERS`.

Each exporter writes into a directory and returns the paths it wrote: ``json`` (the questions with their keys, read
back by :data:`quizbank.schema.QuestionListAdapter`), ``moodle`` (Moodle XML), ``gift`` (Moodle GIFT), ``qti``
(a QTI 1.2 zip for Canvas) and ``pdf`` (one exam per student and an answer key, rendered with Typst).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..exam import Exam
from . import gift, json_export, moodle, pdf, qti

Exporter = Callable[[Exam, Path], list[Path]]

EXPORTERS: dict[str, Exporter] = {
    "json": json_export.export,
    "moodle": moodle.export,
    "gift": gift.export,
    "qti": qti.export,
    "pdf": pdf.export,
}


def export(exam: Exam, fmt: str, out_dir: str | Path) -> list[Path]:
    """Write ``exam`` in format ``fmt`` into ``out_dir`` (created if missing)."""
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(EXPORTERS)}") from None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return exporter(exam, out)


__all__ = ["EXPORTERS", "Exporter", "export"]
