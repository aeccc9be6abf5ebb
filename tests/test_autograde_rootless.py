"""The sandbox without root, as an instructor's laptop or a CI container runs it: the grader runs as ``nobody``.

A user namespace still gives it the namespaces, the private root, rlimits and seccomp; cgroups and the per-slot uid
need root, and every result says so.  Without a memory cgroup the address-space limit becomes the memory cap.  The
attacks below still end in the right verdict, and a file the grader's own uid can read stays out of reach.

The grader runs under the system's ``python3.X`` (the venv's interpreter may live where ``nobody`` cannot reach),
with the venv's packages on ``PYTHONPATH``.  The checkout itself may be unreachable for ``nobody`` too (a clone under
``mktemp -d`` or a mode-700 home): the grader starts in a private mount namespace where the project packages it
imports and the venv's site-packages are bind-mounted into a world-readable directory under /tmp, nothing copied.
Those mounts exist only in that namespace and vanish with the grader; its own sandbox binds them into its root like
any other import path.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.autograde import seccomp as S

ROOT = Path(__file__).resolve().parents[1]
ATTACKS = ROOT / "tests" / "autograde_attacks"
NOBODY = 65534
PYTHON = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"
SECRET = "rootless-grader-secret-7f3a"
PACKAGES = ("grader", "quizbank", "models")  # what the grader imports from the checkout

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not S.supported() or not os.access(PYTHON, os.X_OK),
    reason=f"needs root (to become nobody), the x86_64 seccomp filter and {PYTHON}",
)

SCRIPT = """
import json, sys, warnings
from pathlib import Path
from grader.autograde.sandbox import Limits, RunSpec, Sandbox
from grader.autograde.tasks import get

work, jobs = Path(sys.argv[1]), json.loads(sys.argv[2])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    sb = Sandbox(slots=1, limits=Limits(cpu_seconds=5))
out = {"warnings": [str(w.message) for w in caught], "layers": sb.layers, "runs": {}}
try:
    for name, source in jobs.items():
        r = sb.run(source, RunSpec(function="build_model"), work / name)
        model = work / name / "model.json"
        out["runs"][name] = {
            "verdict": r.verdict, "message": r.message, "stdout": r.stdout_head, "layers": r.layers,
            "model": model.read_text() if model.exists() else "",
        }
finally:
    sb.close()
print("RESULT " + json.dumps(out))
"""

# Runs as root: a private mount namespace with the binds, then nobody, then the grader.
LAUNCH = """
import json, os, sys
from grader.autograde import isolation as I

how, argv = json.loads(sys.argv[1]), sys.argv[2:]
I.unshare(I.CLONE_NEWNS)
I.mount(None, "/", None, I.MS_REC | I.MS_PRIVATE)  # first: no bind below may propagate back to the host
for src, dst in how["binds"]:
    I.mount(src, dst, None, I.MS_BIND | I.MS_REC)
I.drop_privileges(how["uid"])
os.execve(argv[0], argv, how["env"])
"""


def _stage(stage: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """Mount points under ``stage`` for the project packages and the venv's site-packages: the (source, target)
    binds, and the ``PYTHONPATH`` that finds them (site-packages first, then the project, as the venv orders them)."""
    binds: list[tuple[str, str]] = []
    path: list[str] = []
    sites = dict.fromkeys(Path(p).resolve() for p in site.getsitepackages() if Path(p).is_dir())
    for i, src in enumerate(sites):
        binds.append((str(src), str(stage / f"site-packages{i}")))
        path.append(binds[-1][1])
    for name in PACKAGES:
        binds.append((str(ROOT / name), str(stage / "src" / name)))
    path.append(str(stage / "src"))
    for _, dst in binds:
        os.makedirs(dst)
    for d in (stage, stage / "src"):
        os.chmod(d, 0o755)  # whatever the umask: nobody walks down to the mount points
    return binds, path


def _unstage(base: Path) -> None:
    """The mount points go with ``rmdir`` only: here they are empty (the binds lived in the grader's namespace), and
    were one ever left mounted, this fails instead of deleting the checkout or the venv through it."""
    stage = base / "stage"
    for d in (*stage.glob("site-packages*"), *stage.glob("src/*"), stage / "src", stage):
        with contextlib.suppress(OSError):
            d.rmdir()
    shutil.rmtree(base / "work", ignore_errors=True)
    with contextlib.suppress(OSError):
        base.rmdir()


@pytest.fixture(scope="module")
def rootless() -> dict:
    from grader.autograde.tasks import get

    base = Path(tempfile.mkdtemp(prefix="cnnquiz-rootless-", dir="/tmp"))  # not $TMPDIR: nobody must reach it
    work, stage = base / "work", base / "stage"
    try:
        os.chmod(base, 0o755)
        work.mkdir()
        os.chmod(work, 0o777)
        binds, pythonpath = _stage(stage)
        secret_file = work / "grader_notes.txt"  # readable by the grader's own uid on the host
        secret_file.write_text(SECRET)
        os.chmod(secret_file, 0o644)
        read = (
            (ATTACKS / "read_secrets.py")
            .read_text()
            .replace("PATHS: list[str] = []", f"PATHS = {[str(secret_file)]!r}")
        )
        jobs = {
            "reference": get("lenet5").reference_source(),
            "read_secrets": read,
            "memory_bomb": (ATTACKS / "memory_bomb.py").read_text(),
            "fork_bomb": (ATTACKS / "fork_bomb.py").read_text(),
            "tcp_connect": (ATTACKS / "tcp_connect.py").read_text(),
            "kill_all": (ATTACKS / "kill_all.py").read_text(),
        }
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(work),
            "PYTHONPATH": os.pathsep.join(pythonpath),
            "CNNQUIZ_TEST_SECRET": SECRET,
        }
        launch = [sys.executable, "-c", LAUNCH, json.dumps({"binds": binds, "uid": NOBODY, "env": env})]
        p = subprocess.run(
            [*launch, PYTHON, "-c", SCRIPT, str(work), json.dumps(jobs)],
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
            cwd=work,
            capture_output=True,
            text=True,
            timeout=900,
        )
        line = next((x for x in p.stdout.splitlines() if x.startswith("RESULT ")), None)
        assert line is not None, f"exit {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-4000:]}"
        return json.loads(line.removeprefix("RESULT "))
    finally:
        _unstage(base)


def test_without_root_the_user_namespace_layers_hold_and_the_missing_ones_are_named(rootless: dict) -> None:
    layers = rootless["layers"]
    for name in ("session", "namespaces", "filesystem", "rlimits", "seccomp", "wall_clock"):
        assert layers[name] == "ok", (name, layers[name])
    assert layers["cgroup"].startswith("not root") and layers["uid"].startswith("not root")
    assert any("WITHOUT: cgroup" in w and "uid" in w for w in rootless["warnings"])
    ref = rootless["runs"]["reference"]
    assert ref["verdict"] == "exported", ref["message"]
    assert ref["layers"] == layers  # every result carries what was active for it


@pytest.mark.parametrize(
    ("name", "verdict"),
    [("memory_bomb", "memory_limit"), ("fork_bomb", "runtime_error"), ("tcp_connect", "runtime_error"),
     ("kill_all", "runtime_error")],
)  # fmt: skip
def test_without_root_the_attacks_still_get_their_verdicts(rootless: dict, name: str, verdict: str) -> None:
    run = rootless["runs"][name]
    assert run["verdict"] == verdict, run["message"]


def test_without_root_the_graders_own_files_and_environment_stay_hidden(rootless: dict) -> None:
    run = rootless["runs"]["read_secrets"]
    assert run["verdict"] == "exported", run["message"]
    assert SECRET not in json.dumps(run)
    assert "FileNotFoundError" in run["stdout"]  # the file is not in the sandbox's root at all
    from sklearn.datasets import load_digits

    labels = str(load_digits().target[:50].tolist())
    assert labels not in run["stdout"] and "".join(c for c in labels if c.isalnum()) not in run["model"]
