"""Exports of a built :class:`~quizbank.exam.Exam`, one module per format, registered by name in :data:`EXPORTERS`.

Each exporter writes into a directory and returns the paths it wrote: ``json`` (the questions with their keys, read
back by :data:`quizbank.schema.QuestionListAdapter`), ``moodle`` (Moodle XML), ``gift`` (Moodle GIFT), ``qti``
(a QTI 1.2 zip for Canvas) and ``pdf`` (one exam per student and an answer key, rendered with Typst).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


#: formats that can start now and finish later: the call writes what needs Python (the PDF's Typst sources) and
#: returns the call that waits for the files, while the work outside Python (Typst typesetting) goes on in threads
STARTERS: dict[str, Callable[[Exam, Path], Callable[[], list[Path]]]] = {"pdf": pdf.typeset}


def export_many(exam: Exam, dirs: Mapping[str, str | Path]) -> dict[str, list[Path]]:
    """Write ``exam`` in every format of ``dirs``, each into its directory, at once: the PDF typesets in threads
    while this one writes the text formats (on two cores, all five take little longer than the PDF alone)."""
    bad = [f for f in dirs if f not in EXPORTERS]
    if bad:
        raise ValueError(f"unknown export format {bad[0]!r}; known: {', '.join(EXPORTERS)}")
    outs = {f: Path(d) for f, d in dirs.items()}
    for d in outs.values():
        d.mkdir(parents=True, exist_ok=True)
    started = {f: STARTERS[f](exam, outs[f]) for f in outs if f in STARTERS}
    written = {f: EXPORTERS[f](exam, outs[f]) for f in outs if f not in STARTERS}
    written |= {f: wait() for f, wait in started.items()}
    return {f: written[f] for f in dirs}


__all__ = ["EXPORTERS", "STARTERS", "Exporter", "export", "export_many"]
