"""Attack submissions against the real sandbox: each ends with the right verdict, the host is unharmed, and the next
submission is graded normally.  Loop/sleep attacks run with a 2 s CPU limit (4 s wall clock)."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from grader.autograde import seccomp as S
from grader.autograde.cgroups import detect
from grader.autograde.sandbox import BASE_UID, LAYERS
from grader.autograde.tasks import get
from tests.conftest import AUTOGRADE_SECRET

ATTACKS = Path(__file__).parent / "autograde_attacks"

# the attacks are real (a real fork bomb, a real memory bomb): run them only where the full sandbox can hold
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not S.supported() or "error" in detect(),
    reason="the attack suite needs root, cgroups and the x86_64 seccomp filter (the full sandbox)",
)
TASK = get("lenet5")


def _grade(ag: Any, name: str, source: str | None = None, cpu: int | None = None) -> Any:
    src = source if source is not None else (ATTACKS / name).read_text()
    return ag.grade_source(TASK, src, name, cpu_seconds=cpu)


def _sandbox_processes() -> list[int]:
    """Host processes running as any sandbox uid."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            uid_line = next(line for line in (d / "status").read_text().splitlines() if line.startswith("Uid:"))
        except (OSError, StopIteration):
            continue
        if BASE_UID <= int(uid_line.split()[1]) < BASE_UID + 64:
            found.append(int(d.name))
    return found


@pytest.fixture
def still_healthy(autograder: Any) -> Any:
    """After the attack: zygotes alive, no sandbox process left, and a good submission still gets full marks."""
    yield autograder
    assert all(Path(f"/proc/{p}").exists() for p in autograder.sandbox.zygote_pids())
    assert _sandbox_processes() == []
    r = autograder.grade_source(TASK, TASK.reference_source(), "reference")
    assert r.verdict == "ok" and r.score == r.max_score, r.message


SIMPLE = [
    ("infinite_loop.py", "time_limit", 2),
    ("sleep.py", "time_limit", 2),
    ("memory_bomb.py", "memory_limit", 20),
    ("fork_bomb.py", "runtime_error", None),
    ("big_file.py", "output_limit", None),
    ("big_file_signal.py", "output_limit", None),
    ("stdout_flood.py", "output_limit", None),
    ("unix_socket.py", "runtime_error", None),
    ("subprocess_run.py", "runtime_error", None),
    ("lambda_layer.py", "rejected", None),
    ("custom_layer.py", "rejected", None),
    ("sys_exit.py", "no_model", None),
    ("forged_huge_export.py", "rejected", None),
    ("forged_nested_export.py", "rejected", None),
    ("fifo_export.py", "no_model", 3),
    # a limit verdict the submission chooses for itself: none of them reached a limit
    ("fake_limit_exit.py", "runtime_error", None),
    ("fake_limit_signal.py", "runtime_error", None),
    ("fake_output_signal.py", "runtime_error", None),
    ("fake_output_error.py", "runtime_error", None),
    ("fake_memory_error.py", "runtime_error", None),
    ("fake_memory_status.py", "runtime_error", None),
]


@pytest.mark.parametrize(("name", "verdict", "cpu"), SIMPLE, ids=[s[0].removesuffix(".py") for s in SIMPLE])
def test_attack_verdict(still_healthy: Any, name: str, verdict: str, cpu: int | None) -> None:
    r = _grade(still_healthy, name, cpu=cpu)
    assert r.verdict == verdict, r.message
    assert r.score == 0


def test_every_layer_is_reported(autograder: Any) -> None:
    assert set(autograder.layers) == set(LAYERS)
    if os.geteuid() == 0 and "error" not in detect():
        assert autograder.layers == dict.fromkeys(LAYERS, "ok")


def test_a_limit_verdict_rests_on_the_kernels_evidence_not_the_submissions_word(still_healthy: Any) -> None:
    assert "SIGXCPU (sent by the submission itself" in _grade(still_healthy, "fake_limit_signal.py").message
    assert "exited with status 152" in _grade(still_healthy, "fake_limit_exit.py").message
    r = _grade(still_healthy, "fake_memory_error.py")
    assert "memory grew by 0 MiB of the 1536 MiB limit: raised by the submission" in r.message
    assert "raised by the submission" in _grade(still_healthy, "fake_output_error.py").message
    r = _grade(still_healthy, "big_file_signal.py")  # the real thing names its evidence
    assert r.verdict == "output_limit" and "/tmp/big.bin reached 8 MiB" in r.message


def test_proc_shows_the_sandboxs_own_figures_not_the_hosts(still_healthy: Any) -> None:
    host_total = next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1]
    r = _grade(still_healthy, "host_figures.py")
    lines = dict(line.split(" ", 1) for line in r.stdout_head.splitlines())
    cap_kb = (3 << 29) >> 10  # the sandbox's memory cap, 1.5 GiB
    assert lines["MEM"] == f"MemTotal: {cap_kb} kB | MemFree: {cap_kb} kB | MemAvailable: {cap_kb} kB"
    assert host_total not in r.stdout_head
    assert lines["LOAD"] == "0.00 0.00 0.00 1/1 1"
    assert lines["VMSTAT"] == lines["DISKS"] == "0"


def test_cpu_used_before_a_wall_clock_kill_is_reported(still_healthy: Any) -> None:
    r = _grade(still_healthy, "burn_then_sleep.py", cpu=6)  # 12 s of wall clock: room for its 1 s even under load
    assert r.verdict == "time_limit" and "wall-clock" in r.message
    assert 0.95 <= r.cpu_seconds <= 1.6, r.cpu_seconds


def test_runtime_error_carries_the_students_traceback(still_healthy: Any) -> None:
    r = _grade(still_healthy, "fork_bomb.py")
    assert "submission.py" in r.message and "os.fork()" in r.message and "PermissionError" in r.message


def test_rejected_names_the_offending_layer(still_healthy: Any) -> None:
    assert "Lambda" in _grade(still_healthy, "lambda_layer.py").message
    assert "Evil" in _grade(still_healthy, "custom_layer.py").message


def test_forged_exports_are_rejected_with_their_reason(still_healthy: Any) -> None:
    r = _grade(still_healthy, "forged_nested_export.py")
    assert "nested too deeply" in r.message
    r = still_healthy.grade_source(get("i3d-inflate"), (ATTACKS / "forged_array_bomb.py").read_text(), "bomb.py")
    assert r.verdict == "rejected" and r.score == 0
    assert "declares 268,435,584 bytes" in r.message and "budget" in r.message


def _memoriser_source() -> str:
    """The attack with the public held-out digits and labels written into it."""
    import numpy as np

    from grader.autograde.data import public_split

    _, _, x, y = public_split()
    counts = np.rint(x.reshape(len(x), 64) * 16).astype(int)
    pixels = "".join(np.base_repr(int(c), 17).lower() for c in counts.ravel())
    labels = "".join(map(str, y.tolist()))
    src = (ATTACKS / "memorised_heldout.py").read_text()
    return src.replace('PIXELS = ""', f"PIXELS = {pixels!r}").replace('LABELS = ""', f"LABELS = {labels!r}")


def test_a_submission_that_memorised_the_public_heldout_digits_fails_on_the_runs_secret_copy(
    still_healthy: Any,
) -> None:
    import importlib.util

    import numpy as np

    from grader.autograde.data import fresh_heldout, public_split

    source = _memoriser_source()
    assert len(source.encode()) < 256 << 10  # the whole held-out split fits in a submission
    # control, outside the sandbox: the memoriser really is perfect on the public held-out split …
    path = still_healthy._scratch / "memoriser.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("memoriser", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.build_and_train(None, None)
    _, _, x, y = public_split()
    assert float(np.mean(model.predict(x, verbose=0).argmax(1) == y)) == 1.0
    xs, ys = fresh_heldout(12345)
    assert float(np.mean(model.predict(xs, verbose=0).argmax(1) == ys)) < 0.5
    # … and graded, it fails the held-out check
    r = still_healthy.grade_source(get("lenet-train"), source, "memoriser.py")
    assert r.verdict == "ok", r.message
    heldout = next(c for c in r.checks if c.name.startswith("held-out"))
    assert not heldout.passed and r.score < r.max_score, heldout.message


def test_tcp_to_a_host_listener_connects_nowhere(still_healthy: Any) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        srv.setblocking(False)
        port = srv.getsockname()[1]
        src = (ATTACKS / "tcp_connect.py").read_text().replace("PORT = 0", f"PORT = {port}")
        r = _grade(still_healthy, "tcp_connect.py", src)
        assert r.verdict == "runtime_error", r.message
        with pytest.raises(BlockingIOError):
            srv.accept()


def test_os_system_runs_nothing(still_healthy: Any) -> None:
    marker = Path("/tmp/pwned_by_os_system")
    marker.unlink(missing_ok=True)
    r = _grade(still_healthy, "os_system.py")
    assert r.verdict == "runtime_error", r.message
    assert not marker.exists()


def test_setsid_daemon_does_not_survive(still_healthy: Any) -> None:
    r = _grade(still_healthy, "setsid_daemon.py")
    assert r.verdict == "runtime_error", r.message
    assert _sandbox_processes() == []


def test_kill_minus_one_spares_host_and_zygote(still_healthy: Any) -> None:
    before = still_healthy.sandbox.zygote_pids()
    r = _grade(still_healthy, "kill_all.py")
    assert r.verdict == "runtime_error", r.message
    assert still_healthy.sandbox.zygote_pids() == before
    assert all(Path(f"/proc/{p}").exists() for p in before)


def test_secrets_hidden_data_and_other_submissions_do_not_leak(still_healthy: Any, tmp_path: Path) -> None:
    from grader.autograde.data import digits_split

    hidden = tmp_path / "heldout.json"
    _, _, _, y_test = digits_split()
    hidden_text = "HIDDEN" + "".join(map(str, y_test[:40].tolist()))
    hidden.write_text(hidden_text)
    other = tmp_path / "alice" / "lenet5.py"
    other.parent.mkdir()
    other_text = "ALICE_SUBMISSION_" + "x" * 20
    other.write_text(other_text)
    repo_file = Path(__file__).parent / "autograde_submissions" / "lenet5" / "no_bias.py"
    import grader.autograde.checks
    import quizbank.generators

    # the project's own source (the checks, the question bank) is not in the sandbox's root either
    project = [grader.autograde.checks.__file__, quizbank.generators.__file__]
    project_text = [Path(f).read_text()[:200] for f in project]
    paths = [str(hidden), str(other), str(repo_file), "/proc/1/environ", "/etc/shadow", *project]
    src = (ATTACKS / "read_secrets.py").read_text().replace("PATHS: list[str] = []", f"PATHS = {paths!r}")
    r = _grade(still_healthy, "read_secrets.py", src)
    dumped = json.dumps(r.model_dump(mode="json"))
    assert os.environ["CNNQUIZ_TEST_SECRET"] == AUTOGRADE_SECRET  # the secret really is in the host's env
    for leak in (AUTOGRADE_SECRET, hidden_text, other_text, "expect-trap", *project_text):
        assert leak not in dumped
    assert r.stdout_head  # it did print what it found: only errors
    assert "FileNotFoundError" in r.stdout_head or "PermissionError" in r.stdout_head


def test_monkeypatched_count_params_is_not_trusted(still_healthy: Any) -> None:
    r = _grade(still_healthy, "monkeypatch_count_params.py")
    assert r.verdict == "ok"
    params = next(c for c in r.checks if c.name == "parameter count")
    assert not params.passed
    from models._keras import keras

    x = keras.Input((32, 32, 1))
    h = keras.layers.Dense(2048)(keras.layers.Flatten()(x))
    real = keras.Model(x, keras.layers.Dense(10)(h)).count_params()
    assert params.message.startswith(f"{real:,} parameters")  # the checker counted the rebuilt model itself
    assert r.score < r.max_score


def test_printed_fake_score_is_ignored(still_healthy: Any) -> None:
    r = _grade(still_healthy, "fake_score.py")
    assert r.verdict == "ok"
    assert '"score": 100' in r.stdout_head  # it printed the fake score …
    assert r.score == sum(c.points for c in r.checks if c.passed) < r.max_score  # … which counted for nothing


def test_checker_workers_are_memory_capped(autograder: Any) -> None:
    spec = detect()
    if "error" in spec:
        pytest.skip(spec["error"])
    autograder.grade_source(TASK, TASK.reference_source(), "reference")  # the checker pool is started lazily
    mem = Path(spec["bases"]["memory" if spec["version"] == 1 else "unified"])
    capped = [d for d in mem.glob("chk-*") if (d / "cgroup.procs").read_text().split()]
    assert capped, "no checker worker runs in a memory cgroup"
    limit_file = "memory.limit_in_bytes" if spec["version"] == 1 else "memory.max"
    assert all(int((d / limit_file).read_text()) <= 4 << 30 for d in capped)


def _submission_cgroups(spec: dict[str, Any], zygote_pid: int) -> dict[str, Path]:
    """The per-submission cgroup dirs of one zygote (named ``s<slot>-<zygote pid>-<seq>``), by name."""
    return {p.name: p for base in spec["bases"].values() for p in Path(base).glob(f"s*-{zygote_pid}-*") if p.is_dir()}


def test_no_cgroup_is_left_behind(autograder: Any) -> None:
    """A finished submission's cgroups go once its process tree is torn down, just after it is answered; what may
    remain is the one child prepared for the next submission, alive in its own cgroup."""
    spec = detect()
    if "error" in spec:
        pytest.skip(spec["error"])
    (zpid,) = autograder.sandbox.zygote_pids()
    _grade(autograder, "infinite_loop.py", cpu=1)
    _grade(autograder, "fork_bomb.py")
    deadline = time.monotonic() + 10
    while len(names := {n.rsplit("-", 1)[1] for n in _submission_cgroups(spec, zpid)}) > 1:
        assert time.monotonic() < deadline, f"cgroups of finished submissions were not removed: {names}"
        time.sleep(0.05)
    for path in _submission_cgroups(spec, zpid).values():
        assert (path / "cgroup.procs").read_text().split(), f"{path} is empty but was not removed"


def test_closing_the_sandbox_removes_every_cgroup(tmp_path: Path) -> None:
    from grader.autograde.sandbox import RunSpec, Sandbox

    spec = detect()
    if "error" in spec:
        pytest.skip(spec["error"])
    with Sandbox(slots=1) as sb:
        (zpid,) = sb.zygote_pids()
        assert sb.run(TASK.reference_source(), RunSpec(function="build_model"), tmp_path).verdict == "exported"
        assert _submission_cgroups(spec, zpid)  # the prepared child's
    assert _submission_cgroups(spec, zpid) == {}
    assert _sandbox_processes() == []


def test_a_zygote_that_dies_is_replaced_and_the_next_submission_graded(tmp_path: Path) -> None:
    import signal

    from grader.autograde.sandbox import RunSpec, Sandbox

    with Sandbox(slots=1) as sb:
        (old,) = sb.zygote_pids()
        os.kill(old, signal.SIGKILL)  # e.g. the host's OOM killer
        r = sb.run(TASK.reference_source(), RunSpec(function="build_model"), tmp_path)
        assert r.verdict == "exported", r.message
        (new,) = sb.zygote_pids()
        assert new != old and Path(f"/proc/{new}").exists()
        spec = detect()
        if "error" not in spec:
            assert _submission_cgroups(spec, old) == {}  # the dead zygote's cgroups were swept
    assert not Path(f"/proc/{new}").exists()  # closing the sandbox stops the replacement too
    assert _sandbox_processes() == []


def test_a_missing_layer_degrades_loudly(tmp_path: Path) -> None:
    """Without seccomp and the private root, the other layers still hold, and every result says what was missing."""
    from grader.autograde.grade import GradeResult
    from grader.autograde.report import gradescope, prairielearn
    from grader.autograde.sandbox import Limits, RunSpec, Sandbox

    with pytest.warns(RuntimeWarning, match="WITHOUT: filesystem .*seccomp"):
        sb = Sandbox(slots=1, limits=Limits(cpu_seconds=5), disable={"seccomp", "filesystem"})
    spec = RunSpec(function="build_model")
    try:
        assert sb.layers["seccomp"] == sb.layers["filesystem"] == "disabled by the caller"
        good = sb.run(TASK.reference_source(), spec, tmp_path / "a")
        assert good.verdict == "exported" and good.layers["seccomp"] != "ok" and good.layers["filesystem"] != "ok"
        # the degraded work dir is emptied between submissions: no stale export is picked up
        assert sb.run((ATTACKS / "sys_exit.py").read_text(), spec, tmp_path / "b").verdict == "no_model"
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
            srv.bind(("127.0.0.1", 0))
            srv.listen(8)
            srv.setblocking(False)
            src = (ATTACKS / "tcp_connect.py").read_text().replace("PORT = 0", f"PORT = {srv.getsockname()[1]}")
            r = sb.run(src, spec, tmp_path / "c")
            assert r.verdict == "runtime_error", r.message
            assert "PermissionError" not in r.message  # the socket opened: the network namespace stopped it
            with pytest.raises(BlockingIOError):
                srv.accept()
        assert _sandbox_processes() == []
    finally:
        sb.close()
    g = GradeResult(file="f.py", task="lenet5", verdict="ok", score=1, max_score=8, layers=r.layers)
    assert "WITHOUT these sandbox layers: filesystem, seccomp" in gradescope(g).output
    assert "seccomp" in prairielearn(g).message
    with pytest.raises(ValueError, match="cannot be disabled"):
        Sandbox(disable={"session"})
