"""The autograder's contract, declared once: the verdicts a submission can get, the kinds of task, and the largest
source file accepted (the autograder and the grader's services both enforce it)."""

from __future__ import annotations

from typing import Final, Literal, get_args

Verdict = Literal["ok", "time_limit", "memory_limit", "output_limit", "runtime_error", "no_model", "rejected"]
VERDICTS: Final[tuple[Verdict, ...]] = get_args(Verdict)

TaskKind = Literal["build", "train", "inflate"]
"""How the harness calls the task's function: ``build`` with no arguments (it returns a model), ``train`` with the
public training split ``(x, y)`` (a trained model), ``inflate`` with a 2D kernel and a depth (the 3D kernel)."""

MAX_SOURCE_BYTES: Final = 256 << 10
"""The largest submitted source file, in bytes (UTF-8), accepted for grading or storage."""
