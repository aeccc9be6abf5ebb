"""Results as Gradescope's ``results.json`` or PrairieLearn's grading result, and the thin DB hook."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from .contract import VERDICTS
from .display import clean, from_submission
from .grade import GradeResult


class GradescopeTest(BaseModel):
    name: str
    score: float
    max_score: float
    status: Literal["passed", "failed"]
    output: str
    visibility: Literal["visible", "hidden", "after_due_date", "after_published"] = "visible"


class GradescopeResults(BaseModel):
    score: float
    max_score: float
    output: str
    visibility: Literal["visible", "hidden", "after_due_date", "after_published"] = "visible"
    stdout_visibility: Literal["visible", "hidden"] = "hidden"
    tests: list[GradescopeTest]
    extra_data: dict[str, Any] = {}


class PrairieLearnTest(BaseModel):
    name: str
    points: float
    max_points: float
    message: str
    output: str = ""


class PrairieLearnResults(BaseModel):
    gradable: bool = True
    score: float  # a fraction in [0, 1]
    points: float
    max_points: float
    message: str
    output: str = ""
    tests: list[PrairieLearnTest]


def _headline(r: GradeResult) -> str:
    head = f"verdict: {r.verdict}; score {r.score:g}/{r.max_score:g}"
    if r.message:  # the submission's own words fenced as such; the grader's may still name its layers: cleaned
        head += "\n" + _why(r)
    degraded = [k for k, v in r.layers.items() if v != "ok"]
    if degraded:
        head += "\nWARNING: graded WITHOUT these sandbox layers: " + ", ".join(degraded)
    return head


def _why(r: GradeResult) -> str:
    return from_submission(r.message, "message") if r.message_from_submission else clean(r.message)


def _trap_note(trap: str | None) -> str:
    return f" [trap: {trap}]" if trap else ""


def gradescope(r: GradeResult) -> GradescopeResults:
    tests = [
        GradescopeTest(
            name=c.name,
            score=c.points,
            max_score=c.max_points,
            status="passed" if c.passed else "failed",
            output=clean(c.message) + _trap_note(c.trap),
        )
        for c in r.checks
    ]
    if not tests:  # the run ended before any check could run: one failed test says why
        tests = [GradescopeTest(name=r.verdict, score=0, max_score=r.max_score, status="failed", output=_why(r))]
    return GradescopeResults(
        score=r.score,
        max_score=r.max_score,
        output=_headline(r),
        tests=tests,
        extra_data={"verdict": r.verdict, "task": r.task, "layers": r.layers, "traps": traps_of(r)},
    )


def prairielearn(r: GradeResult) -> PrairieLearnResults:
    tests = [
        PrairieLearnTest(
            name=c.name, points=c.points, max_points=c.max_points, message=clean(c.message) + _trap_note(c.trap)
        )
        for c in r.checks
    ]
    if not tests:
        tests = [PrairieLearnTest(name=r.verdict, points=0, max_points=r.max_score, message=_why(r))]
    return PrairieLearnResults(
        score=r.score / r.max_score if r.max_score else 0.0,
        points=r.score,
        max_points=r.max_score,
        message=_headline(r),
        tests=tests,
    )


def traps_of(r: GradeResult) -> list[str]:
    return [c.trap for c in r.checks if c.trap and not c.passed]


def render(results: Sequence[GradeResult], fmt: str) -> Any:
    """One submission → that format's object; a batch → ``{"submissions": [{"file", "result"}]}``."""
    conv = {"gradescope": gradescope, "prairielearn": prairielearn, "native": lambda r: r}[fmt]
    items = [conv(r).model_dump(mode="json") for r in results]
    if len(items) == 1:
        return items[0]
    return {"submissions": [{"file": r.file, "result": i} for r, i in zip(results, items, strict=True)]}


def verdict_counts(results: Sequence[GradeResult]) -> dict[str, int]:
    c = Counter(r.verdict for r in results)
    return {v: c.get(v, 0) for v in VERDICTS}


def owner_candidates(file: str | Path) -> list[str]:
    """Whose submission a file is, by the usual layouts of an LMS export: ``alice/lenet5.py`` (a folder per
    student) or ``alice.py`` (a file per student).  The folder name is tried first."""
    f = Path(file)
    return list(dict.fromkeys([f.parent.name, f.stem]))


def resolve_owners(url: str, files: Sequence[str | Path]) -> tuple[dict[str, int], list[str]]:
    """``{file: user id}`` for the files whose folder or stem names an existing user, and the files that name none."""
    from grader import services
    from grader.db import make_engine, session_factory

    engine = make_engine(url)
    try:
        known = services.user_ids_by_username(session_factory(engine), {c for f in files for c in owner_candidates(f)})
    finally:
        engine.dispose()
    return match_owners(files, known)


def owner_of(file: str | Path, known: Mapping[str, int]) -> int | None:
    """The id of the user ``file`` belongs to by :func:`owner_candidates` among ``known`` (``{username: id}``)."""
    return next((known[c] for c in owner_candidates(file) if c in known), None)


def match_owners(files: Sequence[str | Path], known: Mapping[str, int]) -> tuple[dict[str, int], list[str]]:
    """``{file: user id}`` for the files :func:`owner_of` places among ``known``, and the files it places nowhere."""
    owners: dict[str, int] = {}
    unmatched = []
    for f in files:
        uid = owner_of(f, known)
        if uid is None:
            unmatched.append(str(f))
        else:
            owners[str(f)] = uid
    return owners, unmatched


class StoreFailure(BaseModel):
    file: str
    error: str


def store(
    url: str,
    owner: int | Mapping[str, int],
    task_id: str,
    results: Sequence[GradeResult],
    assessment_id: int | None = None,
) -> tuple[list[int], list[StoreFailure]]:
    """Record each submission (its exact bytes) and its verdict through the grader service, each on its own: one
    that cannot be stored is reported and never stops the others. Returns the stored ids and the failures.
    ``owner`` is one user id for all of them, or ``{file: user id}``."""
    from grader import services
    from grader.db import make_engine, session_factory

    engine = make_engine(url)
    try:
        sf = session_factory(engine)
        ids: list[int] = []
        failures: list[StoreFailure] = []
        for r in results:
            try:
                uid = owner if isinstance(owner, int) else owner[r.file]
                source = Path(r.file).read_bytes() if Path(r.file).is_file() else b""
                sub = services.record_code_submission(
                    sf, uid, task_id, Path(r.file).name, source, assessment_id=assessment_id
                )
                services.set_code_verdict(sf, sub.id, r.verdict, r.score, r.max_score, r.model_dump(mode="json"))
            except Exception as e:  # one file's failure is reported with its name; the batch goes on
                failures.append(StoreFailure(file=r.file, error=f"{type(e).__name__}: {e}"))
            else:
                ids.append(sub.id)
        return ids, failures
    finally:
        engine.dispose()
