"""The checker's processes never re-run the host's ``__main__`` (in Streamlit that is a page script)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HOST = """
import multiprocessing, os
from concurrent.futures import ProcessPoolExecutor
if __name__ == "__mp_main__":
    raise SystemExit("the host's main module ran again in a child")
from grader.autograde.spawning import mainless_forkserver_context, mainless_spawn_context
with ProcessPoolExecutor(1, mp_context=mainless_spawn_context()) as ex:
    print("mainless", ex.submit(os.getpid).result() != os.getpid())
with ProcessPoolExecutor(1, mp_context=mainless_forkserver_context()) as ex:
    print("mainless forkserver", ex.submit(os.getpid).result() != os.getpid())
try:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as ex:
        ex.submit(os.getpid).result()
    print("plain ok")
except Exception as e:
    print("plain", type(e).__name__)
"""


def test_checker_processes_do_not_import_the_hosts_main(tmp_path: Path) -> None:
    script = tmp_path / "host.py"
    script.write_text(HOST)
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent
    )
    # the same host script breaks a plain spawn pool (so the test would notice), not the checker's
    lines = out.stdout.split("\n")[:3]
    assert lines == ["mainless True", "mainless forkserver True", "plain BrokenProcessPool"], out.stdout + out.stderr
