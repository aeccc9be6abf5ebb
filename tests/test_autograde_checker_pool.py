"""The checker pool under hostile exports: a check fails only its own submission.

Exports are crafted here and handed to the pool directly (the sandbox cannot stop a student from writing any bytes
to model.json).  The hostile one asks for a 16 GB kernel; the pool under test runs with bounds loose enough to let
it through and a 1 GiB memory cap, so it really kills its checker process, beside honest references that must
still get full marks."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.autograde.cgroups import detect
from grader.autograde.checker import CheckerPool
from grader.autograde.exports import Bounds
from grader.autograde.tasks import get

HONEST = ("lenet5", "vgg-stack", "resnet-bottleneck", "se-block", "i3d-inflate")
LOOSE = Bounds(params=1 << 40, output=1 << 40, outputs=1 << 40)
ROUNDS = 20


def _reference(task_id: str) -> Any:
    task = get(task_id)
    spec = importlib.util.spec_from_file_location(f"ref_{task.id.replace('-', '_')}", task.reference_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _export(task_id: str, out: Path) -> str:
    """What the sandbox would copy out for the task's reference."""
    from grader.autograde.harness import inflate_cases

    out.mkdir(parents=True)
    ref = _reference(task_id)
    if get(task_id).kind == "inflate":
        np.savez(out / "arrays.npz", **{f"case{i}": ref.inflate(w, t) for i, (w, t) in enumerate(inflate_cases(0))})
    else:
        (out / "model.json").write_text(ref.build_model().to_json())
    return str(out)


def _hostile(out: Path) -> str:
    """Allowed layers only: 262,144 inputs into Dense(16384), a 16 GB kernel."""
    from models._keras import keras

    out.mkdir(parents=True)
    x = keras.Input((8,))
    config = json.loads(keras.Model(x, keras.layers.Dense(8)(x)).to_json())
    for layer in config["config"]["layers"]:
        if layer["class_name"] == "InputLayer":
            layer["config"]["batch_shape"] = [None, 1 << 18]
        else:
            layer["config"]["units"] = 16384
            layer.pop("build_config", None)
    (out / "model.json").write_text(json.dumps(config))
    return str(out)


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("exports")
    out = {t: _export(t, root / t) for t in (*HONEST, "wavenet-stack")}
    out["hostile"] = _hostile(root / "hostile")
    return out


def _cgroup() -> dict[str, Any] | None:
    spec = detect() if os.geteuid() == 0 else {"error": "not root"}
    return None if "error" in spec else spec


def _full(task_id: str, r: Any) -> bool:
    return r.verdict == "ok" and sum(c.points for c in r.checks) == get(task_id).max_score


def test_honest_checks_get_full_marks_while_hostile_exports_kill_checkers_beside_them(
    exports: dict[str, str],
) -> None:
    cg = _cgroup()
    pool = CheckerPool(3, cg, memory_bytes=1 << 30, bounds=LOOSE)
    jobs = []
    for i in range(ROUNDS):  # each round: two honest references and one hostile export, all in flight together
        jobs += [HONEST[(2 * i) % len(HONEST)], "hostile", HONEST[(2 * i + 1) % len(HONEST)]]
    try:
        with ThreadPoolExecutor(3) as ex:
            results = list(ex.map(lambda t: (t, pool.check("lenet5" if t == "hostile" else t, exports[t])), jobs))
        with pool._lock:
            why = [(w.cap_error, w.info) for w in pool._live]
        assert set(pool.caps) == ({"cgroup"} if cg else {"address space"}), why
    finally:
        pool.close()
    if cg:  # every process' cgroup is gone with the pool
        assert [d for b in cg["bases"].values() for d in Path(b).glob(f"{pool.prefix}*")] == []
    honest = [(t, r) for t, r in results if t != "hostile"]
    hostile = [r for t, r in results if t == "hostile"]
    assert len(honest) == 2 * ROUNDS and len(hostile) == ROUNDS
    bad = [(t, r.verdict, r.message) for t, r in honest if not _full(t, r)]
    assert not bad, bad
    assert all(r.verdict == "rejected" and not any(c.passed for c in r.checks) for r in hostile)
    if cg:  # the memory cgroup killed each hostile check's own process, and only that one
        assert all("memory cap of 1024 MiB" in r.message for r in hostile), hostile[0].message
        assert pool.restarts == ROUNDS
    else:  # the address-space limit: the allocation fails inside the checker, which lives on
        assert all("could not rebuild" in r.message or "memory cap" in r.message for r in hostile)


def test_a_checker_killed_from_outside_has_its_check_run_again(exports: dict[str, str]) -> None:
    """The host (an OOM killer, an operator) kills the process checking an honest export: it is not the export's
    fault, so the check runs again on a fresh process and scores full marks."""
    pool = CheckerPool(1, _cgroup())
    try:
        assert _full("lenet5", pool.check("lenet5", exports["lenet5"]))  # warm
        (worker,) = pool._live
        victim = worker.proc.pid

        def kill_once_handed_the_check() -> None:
            while worker.checks < 2:
                time.sleep(0.005)
            os.kill(victim, signal.SIGKILL)

        killer = threading.Thread(target=kill_once_handed_the_check)
        killer.start()
        r = pool.check("wavenet-stack", exports["wavenet-stack"])
        killer.join()
        assert _full("wavenet-stack", r), r.message
        assert pool.restarts == 1 and victim not in pool.pids()
    finally:
        pool.close()


def test_an_export_whose_checker_keeps_dying_is_rejected_after_the_retries(exports: dict[str, str]) -> None:
    """With no evidence against the export, its check is retried twice; a third death rejects it."""
    pool = CheckerPool(1, _cgroup(), retries=2)
    stop = threading.Event()

    def kill_whoever_checks() -> None:
        while not stop.is_set():
            with pool._lock:
                live = list(pool._live)
            for w in live:
                if w.checks and w.proc.is_alive():  # it was handed a check
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(w.proc.pid, signal.SIGKILL)
            time.sleep(0.01)

    try:
        t = threading.Thread(target=kill_whoever_checks)
        t.start()
        try:
            r = pool.check("wavenet-stack", exports["wavenet-stack"])
        finally:
            stop.set()
            t.join()
        assert r.verdict == "rejected" and "killed the checker process 3 times" in r.message, r.message
        assert "exit code -9" in r.message
    finally:
        pool.close()


def test_a_time_out_kills_only_the_process_that_timed_out(exports: dict[str, str], tmp_path: Path) -> None:
    """900 parallel layers are slow to rebuild (several seconds, twice: bounded, then built): the check passes the
    time cap and only its process is killed; the honest checks running beside it, on another process, finish."""
    from models._keras import keras

    x = keras.Input((16,))
    y = keras.layers.Concatenate()([keras.layers.Dense(4)(x) for _ in range(900)])
    (tmp_path / "model.json").write_text(keras.Model(x, y).to_json())
    pool = CheckerPool(2, _cgroup(), timeout=4)
    try:
        with ThreadPoolExecutor(2) as ex:  # both processes warm
            list(ex.map(lambda t: pool.check(t, exports[t]), ["lenet5", "lenet5"]))
        before = set(pool.pids())
        with ThreadPoolExecutor(2) as ex:
            slow = ex.submit(pool.check, "lenet5", str(tmp_path))
            time.sleep(0.5)
            honest = [pool.check(t, exports[t]) for t in ("vgg-stack", "se-block", "lenet5")]
            slow_r = slow.result()
        assert slow_r.verdict == "rejected" and "longer than 4 s" in slow_r.message
        assert all(r.verdict == "ok" for r in honest)
        assert pool.restarts == 1
        assert len(before - set(pool.pids())) == 1  # one process replaced, the other the same
    finally:
        pool.close()


def test_without_a_memory_cgroup_the_checker_is_capped_by_its_address_space(exports: dict[str, str]) -> None:
    pool = CheckerPool(1, None, memory_bytes=1 << 30, bounds=LOOSE)
    try:
        r = pool.check("lenet5", exports["hostile"])
        assert r.verdict == "rejected" and not any(c.passed for c in r.checks), r.message
        assert pool.caps == ["address space"]
        (pid,) = pool.pids()
        limit = next(x for x in Path(f"/proc/{pid}/limits").read_text().splitlines() if "address space" in x)
        soft = int(limit.split()[-3])
        assert soft < (16 << 30)  # what the warm process had mapped, plus 1 GiB: far below the 16 GB kernel
        assert _full("se-block", pool.check("se-block", exports["se-block"]))
    finally:
        pool.close()


def test_the_grader_refuses_jobs_whose_memory_caps_do_not_fit_the_host() -> None:
    from grader.autograde.grade import check_memory_fits

    gib = 1 << 30
    check_memory_fits(4, 3 * gib // 2, 3 * gib, have=18 * gib)
    with pytest.raises(RuntimeError, match=r"5 parallel jobs need up to 22.5 GiB .* has 18.0 GiB: use --jobs 4"):
        check_memory_fits(5, 3 * gib // 2, 3 * gib, have=18 * gib)
    with pytest.raises(RuntimeError, match="not even one fits"):
        check_memory_fits(1, 3 * gib // 2, 3 * gib, have=4 * gib)
