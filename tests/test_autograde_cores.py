"""How many cores one grading slot asks for: the bench's process-tree meter (``tools.proctree``) measures CPU seconds
and runnable threads of a tree whatever else the machine runs, and a sandbox without ``prepare_ahead`` (what
queue workers use) keeps no second child warming beside the submission it runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from grader.autograde.grade import Autograder
from grader.autograde.tasks import get
from tools.proctree import Sampler, descendants, tree_cpu

# a child that burns 0.6 s of its own CPU (not of the wall clock: the machine may be busy), in one thread
BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.6: pass\n"


def test_the_tree_meter_counts_a_finished_childs_cpu_and_its_runnable_threads() -> None:
    host = subprocess.Popen(
        [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {BURN!r}])"]
    )
    sampler = Sampler(host.pid, interval=0.02).start()
    before = tree_cpu(host.pid)["total"]
    time.sleep(0.3)
    assert len(descendants(host.pid)) == 2  # the host and its burning child
    host.wait(timeout=120)
    demand = sampler.stop()
    # the child ended and its parent reaped it: its CPU is counted in the parent, once (read before it exited)
    assert demand["samples"] > 0 and demand["mean_runnable"] > 0
    assert before < 1.5  # one interpreter starting, at most


def test_a_live_trees_cpu_is_the_sum_of_its_processes() -> None:
    child = subprocess.Popen([sys.executable, "-c", BURN + "time.sleep(30)\n"])
    try:
        deadline = time.monotonic() + 120
        while tree_cpu(child.pid)["total"] < 0.6 and time.monotonic() < deadline:
            time.sleep(0.1)
        cpu = tree_cpu(child.pid)
        assert 0.6 <= cpu["total"] < 3.0 and set(cpu) == {"worker", "total"}
    finally:
        child.kill()
        child.wait()


def _zygote_children(ag: Autograder) -> list[int]:
    (zygote,) = ag.sandbox.zygote_pids()
    return [p for p, parent in descendants(zygote).items() if parent == zygote]


def test_without_prepare_ahead_no_child_warms_beside_the_submission() -> None:
    task = get("vgg-stack")
    ag = Autograder(jobs=1, prepare_ahead=False)
    try:
        for _ in range(2):
            r = ag.grade_source(task, task.reference_source(), "ref.py")
            assert r.verdict == "ok" and r.score == task.max_score  # graded the same as with a child prepared ahead
        deadline = time.monotonic() + 30
        while _zygote_children(ag) and time.monotonic() < deadline:  # the last child's teardown
            time.sleep(0.1)
        assert _zygote_children(ag) == []  # nothing prepared for a submission that has not come
    finally:
        ag.close()
    assert Path("/proc", str(os.getpid())).exists()
