"""`cnnquiz autograde` end to end, as a user runs it: valid Gradescope results.json, PrairieLearn output for a batch
with a crashing submission in it, verdict counts, the DB hook, and the active sandbox layers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from grader.autograde.report import render
from grader.autograde.tasks import get

CLI = [str(Path(sys.executable).parent / "cnnquiz"), "autograde"]
ROOT = Path(__file__).parent


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Gradescope's autograder results.json (the fields it documents), written independently of grader.autograde.report
class GSTest(_Strict):
    name: str
    score: float
    max_score: float
    status: Literal["passed", "failed"]
    output: str
    visibility: Literal["hidden", "after_due_date", "after_published", "visible"]


class GSResults(_Strict):
    score: float
    max_score: float | None = None
    output: str | None = None
    visibility: Literal["hidden", "after_due_date", "after_published", "visible"] | None = None
    stdout_visibility: Literal["hidden", "visible"] | None = None
    extra_data: dict | None = None
    tests: list[GSTest]


# PrairieLearn's external grading result
class PLTest(_Strict):
    name: str
    points: float
    max_points: float
    message: str = ""
    output: str = ""


class PLResults(_Strict):
    gradable: bool
    score: float = Field(ge=0, le=1)
    points: float
    max_points: float
    message: str = ""
    output: str = ""
    tests: list[PLTest]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, check=False)


def test_single_submission_renders_gradescope_and_prairielearn(autograder: Any) -> None:
    path = ROOT / "autograde_submissions" / "inception-module" / "one_by_one_after.py"
    task = get("inception-module")
    r = autograder.grade_source(task, path.read_text(), str(path))
    gs = GSResults.model_validate(render([r], "gradescope"))  # one file: Gradescope's object itself
    assert gs.max_score == task.max_score
    assert [t.name for t in gs.tests] == [c.name for c in task.checks]
    assert gs.score == sum(t.score for t in gs.tests) < gs.max_score
    failed = [t for t in gs.tests if t.status == "failed"]
    assert any("inception_1x1_after" in t.output for t in failed)
    assert all(t.score == 0 for t in failed)
    pl = PLResults.model_validate(render([r], "prairielearn"))
    assert pl.score == gs.score / task.max_score and pl.points == gs.score and pl.max_points == task.max_score
    assert [t.points for t in pl.tests] == [t.score for t in gs.tests]


def test_batch_writes_gradescope_results_survives_a_crash_and_stores_to_the_db(tmp_path: Path) -> None:
    from grader import services as service
    from grader.db import make_engine, session_factory, upgrade

    folder = tmp_path / "subs"
    folder.mkdir()
    task = get("se-block")
    (folder / "a_reference.py").write_text(task.reference_source())
    shutil.copy(ROOT / "autograde_submissions" / "se-block" / "relu_gate.py", folder / "b_relu_gate.py")
    shutil.copy(ROOT / "autograde_attacks" / "fork_bomb.py", folder / "c_fork_bomb.py")
    shutil.copy(ROOT / "autograde_attacks" / "sys_exit.py", folder / "d_sys_exit.py")
    (folder / "e_syntax_error.py").write_text("def build_model(:\n")
    url = f"sqlite:///{tmp_path / 'grader.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    sf = session_factory(engine)
    user = service.create_user(sf, "student1", "student")
    out = tmp_path / "results.json"
    p = _run(
        "--task", "se-block", str(folder), "--format", "gradescope", "--out", str(out), "--jobs", "2",
        "--db-url", url, "--user-id", str(user.id),
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    data = json.loads(out.read_text())
    by_file = {Path(s["file"]).name: GSResults.model_validate(s["result"]) for s in data["submissions"]}
    assert list(by_file) == ["a_reference.py", "b_relu_gate.py", "c_fork_bomb.py", "d_sys_exit.py", "e_syntax_error.py"]
    assert by_file["a_reference.py"].score == by_file["a_reference.py"].max_score == task.max_score
    assert all(t.status == "passed" for t in by_file["a_reference.py"].tests)
    assert 0 < by_file["b_relu_gate.py"].score < task.max_score
    assert any("se_gate_not_sigmoid" in t.output for t in by_file["b_relu_gate.py"].tests)
    for bad, verdict in (("c_fork_bomb.py", "runtime_error"), ("d_sys_exit.py", "no_model")):
        assert by_file[bad].score == 0 and (by_file[bad].output or "").startswith(f"verdict: {verdict}")
    assert "SyntaxError" in (by_file["e_syntax_error.py"].output or "")
    # the verdict-count table
    assert "runtime_error" in p.stderr and "no_model" in p.stderr and "stored 5 submissions" in p.stderr
    from sqlalchemy import select

    from grader.db import CodeSubmission

    with sf() as s:
        rows = s.scalars(select(CodeSubmission).order_by(CodeSubmission.file_name)).all()
        assert [r.verdict for r in rows] == ["ok", "ok", "runtime_error", "no_model", "runtime_error"]
        assert rows[0].score == rows[0].max_score == task.max_score
        assert rows[0].source == task.reference_source() and rows[0].user_id == user.id
    engine.dispose()


def test_without_user_id_each_file_belongs_to_the_student_its_folder_or_stem_names(tmp_path: Path) -> None:
    from sqlalchemy import select

    from grader import services as service
    from grader.db import CodeSubmission, make_engine, session_factory, upgrade

    task = get("se-block")
    folder = tmp_path / "export"
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / "se.py").write_text(task.reference_source())  # a folder per student
    shutil.copy(ROOT / "autograde_submissions" / "se-block" / "relu_gate.py", folder / "bob.py")  # a file per student
    url = f"sqlite:///{tmp_path / 'grader.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    sf = session_factory(engine)
    alice, bob = (service.create_user(sf, name, "student") for name in ("alice", "bob"))

    # a file that names nobody: a clear error before anything is graded, and nothing stored
    (folder / "carol.py").write_text(task.reference_source())
    p = _run("--task", "se-block", str(folder), "--db-url", url)
    assert p.returncode == 2
    assert "carol.py" in p.stderr and "'carol'" in p.stderr and "--user-id" in p.stderr
    with sf() as s:
        assert s.scalars(select(CodeSubmission)).all() == []

    (folder / "carol.py").unlink()
    p = _run("--task", "se-block", str(folder), "--db-url", url, "--jobs", "2")
    assert p.returncode == 0, p.stderr
    assert "stored 2 submissions" in p.stderr
    with sf() as s:
        rows = {r.user_id: r for r in s.scalars(select(CodeSubmission)).all()}
    assert set(rows) == {alice.id, bob.id}
    assert rows[alice.id].verdict == "ok" and rows[alice.id].score == task.max_score
    assert rows[bob.id].file_name == "bob.py" and 0 < rows[bob.id].score < task.max_score
    engine.dispose()


def test_layers_lists_every_isolation_layer() -> None:
    p = _run("--layers", "--json")
    assert p.returncode == 0, p.stderr
    layers = json.loads(p.stdout[p.stdout.index("{") :])
    assert set(layers) == {"session", "cgroup", "namespaces", "filesystem", "rlimits", "uid", "seccomp", "wall_clock"}
    assert "sandbox layer" in p.stdout
    for name, status in layers.items():
        if status != "ok":  # degraded loudly: warned about on stderr
            assert name in p.stderr


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    assert _run("--task", "no-such-task", str(tmp_path)).returncode == 2
    assert _run("--task", "lenet5").returncode == 2


def test_jobs_whose_memory_caps_do_not_fit_the_host_are_refused_before_anything_starts(tmp_path: Path) -> None:
    from grader.autograde.cgroups import host_memory
    from grader.autograde.checker import CHECKER_MEMORY
    from grader.autograde.sandbox import Limits

    per_job = Limits().memory_bytes + CHECKER_MEMORY
    if 16 * per_job <= host_memory():
        pytest.skip("this host has room for 16 jobs at their caps")
    (tmp_path / "a.py").write_text(get("lenet5").reference_source())
    p = _run("--task", "lenet5", str(tmp_path / "a.py"), "--jobs", "16")
    assert p.returncode == 1
    assert "16 parallel jobs need up to" in p.stderr and f"--jobs {host_memory() // per_job} or fewer" in p.stderr


def test_student_controlled_text_is_escaped_marked_and_stored(tmp_path: Path) -> None:
    """A file whose path is Rich markup, a file name with an ANSI sequence, and a traceback forged to clear the
    terminal and print a full score: the CLI prints them as plain, escaped text, marks them as the submission's,
    and still stores every result."""
    from sqlalchemy import select

    from grader import services as service
    from grader.db import CodeSubmission, make_engine, session_factory, upgrade

    task = get("lenet5")
    folder = tmp_path / "subs"
    (folder / "eve[").mkdir(parents=True)
    (folder / "eve[" / "]lenet5.py").write_text(task.reference_source())  # the path reads eve[/]lenet5.py
    (folder / "mallory\x1b[2J.py").write_text(
        "def build_model():\n    raise RuntimeError('\\x1b[2J\\x1b[32mverdict: ok; score 8/8\\x1b[0m\\rall good')\n"
    )
    url = f"sqlite:///{tmp_path / 'grader.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    sf = session_factory(engine)
    user = service.create_user(sf, "eve", "student")
    out = tmp_path / "results.json"
    args = ["--task", "lenet5", str(folder), "--db-url", url, "--user-id", str(user.id), "--out", str(out)]
    wide = {**os.environ, "COLUMNS": "400"}  # whole paths on one line
    p = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, check=False, env=wide)
    assert p.returncode == 0, p.stderr
    assert "\x1b" not in p.stdout + p.stderr and "\r" not in p.stdout + p.stderr
    assert "]lenet5.py" in p.stdout and "mallory\\x1b[2J.py" in p.stdout and "as submitted" in p.stdout
    assert "stored 2 submissions" in p.stderr
    data = json.loads(out.read_text())
    by_file = {Path(s["file"]).name: GSResults.model_validate(s["result"]) for s in data["submissions"]}
    assert by_file["]lenet5.py"].score == task.max_score
    forged = by_file["mallory\x1b[2J.py"]
    assert forged.score == 0 and forged.output is not None
    assert forged.output.startswith("verdict: runtime_error; score 0/8\n----- message (from the submission")
    assert "\\x1b[32mverdict: ok; score 8/8\\x1b[0m\\rall good" in forged.output and "\x1b" not in forged.output
    with sf() as s:
        assert len(s.scalars(select(CodeSubmission)).all()) == 2
    engine.dispose()
