"""Spawned and fork-server helper processes that never re-run the host's ``__main__``.

A ``spawn`` child normally re-imports the parent's main module (``__mp_main__``) before it runs its target. In a
host such as Streamlit the main module is a page script, which must never run again in a checker process (it would
render a page, or fail, in bare mode). The checker needs nothing from ``__main__``, so its processes are spawned by
:func:`mainless_spawn_context`: a ``spawn`` context whose children get the parent's ``sys.path`` and working
directory but no main module. Only processes started from that context are affected (a thread-local flag set
while one of them is launched), never other ``multiprocessing`` users in the same host.
"""

from __future__ import annotations

import threading
from multiprocessing import context, popen_forkserver, popen_spawn_posix, spawn
from typing import Any

_launching = threading.local()
_install_lock = threading.Lock()
_original = spawn.get_preparation_data


def _preparation_data(name: str) -> dict[str, Any]:
    data = _original(name)
    if getattr(_launching, "mainless", False):
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


class _MainlessLaunch:
    """Mixed into a ``Popen``: while it launches, the child's preparation data leaves the main module out."""

    def _launch(self, process_obj: Any) -> None:
        _launching.mainless = True
        try:
            super()._launch(process_obj)  # type: ignore[misc]
        finally:
            _launching.mainless = False


class _SpawnPopen(_MainlessLaunch, popen_spawn_posix.Popen):
    pass


class _ForkserverPopen(_MainlessLaunch, popen_forkserver.Popen):
    pass


class _SpawnProcess(context.SpawnProcess):
    _start_method = "spawn"
    _Popen = staticmethod(_SpawnPopen)  # type: ignore[assignment]


class _ForkserverProcess(context.ForkServerProcess):
    _start_method = "forkserver"
    _Popen = staticmethod(_ForkserverPopen)  # type: ignore[assignment]


class MainlessSpawnContext(context.SpawnContext):
    Process = _SpawnProcess  # type: ignore[assignment]


class MainlessForkServerContext(context.ForkServerContext):
    Process = _ForkserverProcess  # type: ignore[assignment]


def _install() -> None:
    with _install_lock:
        if spawn.get_preparation_data is not _preparation_data:
            spawn.get_preparation_data = _preparation_data


def mainless_spawn_context() -> MainlessSpawnContext:
    _install()
    return MainlessSpawnContext()


def mainless_forkserver_context() -> MainlessForkServerContext:
    """A ``forkserver`` context whose children, like :func:`mainless_spawn_context`'s, never import ``__main__``
    (the fork server itself is started without it unless ``__main__`` is preloaded, which the checker never asks)."""
    _install()
    return MainlessForkServerContext()
