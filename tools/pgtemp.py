"""A throwaway PostgreSQL server for tests and benchmarks: ``initdb`` in a temporary directory, loopback only.

    with TempPostgres() as pg:
        url = pg.create_database("t1")   # postgresql+psycopg://cnnquiz@127.0.0.1:PORT/t1

* Binaries: ``initdb`` and ``postgres`` from ``$PATH``, else the newest ``/usr/lib/postgresql/<v>/bin``
  (Debian/Ubuntu package ``postgresql``), else ``/usr/pgsql-<v>/bin`` (RHEL).
* Root: PostgreSQL refuses to run as root, so the server runs as the ``postgres`` system user
  (created by the Debian package), or ``$CNNQUIZ_PG_USER``, or else a system user ``cnnquiz-pg`` created
  with ``useradd --system``. The switch is ``subprocess``'s own ``user=``/``group=`` (setuid in the child).
* The server listens on 127.0.0.1 on a free port, its unix socket lives in the temporary directory,
  authentication is ``trust`` for the superuser ``cnnquiz`` (loopback only, throwaway data), durability
  settings are PostgreSQL's defaults (fsync on). It dies with the process that started it (``PR_SET_PDEATHSIG``)
  and :meth:`stop` shuts it down fast and deletes the directory.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

SUPERUSER = "cnnquiz"
FALLBACK_USER = "cnnquiz-pg"


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed."""


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", path))


def find_binary(name: str) -> str:
    if found := shutil.which(name):
        return found
    for pattern in ("/usr/lib/postgresql/*/bin/", "/usr/pgsql-*/bin/", "/opt/homebrew/opt/postgresql*/bin/"):
        hits = sorted(glob.glob(pattern + name), key=_version_key, reverse=True)
        if hits:
            return hits[0]
    raise PostgresUnavailable(
        f"PostgreSQL's {name!r} was not found (install it: apt-get install -y --no-install-recommends postgresql)"
    )


def available() -> bool:
    try:
        find_binary("initdb")
        find_binary("postgres")
    except PostgresUnavailable:
        return False
    return True


def _server_user() -> pwd.struct_passwd | None:
    """The unprivileged account the server runs as when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("CNNQUIZ_PG_USER"), "postgres", FALLBACK_USER):
        if not name:
            continue
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", FALLBACK_USER],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(FALLBACK_USER)


def _die_with_parent() -> None:  # runs in the child after the uid switch (which would clear it)
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TempPostgres:
    def __init__(self, *, max_connections: int = 300, startup_timeout: float = 60.0) -> None:
        self.max_connections = max_connections
        self.startup_timeout = startup_timeout
        self.root: Path | None = None
        self.port: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.user = _server_user()

    # -------------------------------------------------------------- lifecycle

    def _run_kwargs(self) -> dict[str, object]:
        if self.user is None:
            return {}
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}

    def start(self) -> TempPostgres:
        initdb = find_binary("initdb")
        find_binary("postgres")
        self.root = Path(tempfile.mkdtemp(prefix="cnnquiz-pg-"))
        data, sock = self.root / "data", self.root / "sock"
        sock.mkdir()
        if self.user is not None:
            for p in (self.root, sock):
                os.chown(p, self.user.pw_uid, self.user.pw_gid)
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        if self.user is not None:
            env["HOME"] = str(self.root)
        init = subprocess.run(
            [initdb, "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"],
            capture_output=True,
            env=env,
            cwd=self.root,
            **self._run_kwargs(),  # type: ignore[arg-type]
        )
        if init.returncode != 0:
            self.stop()
            raise RuntimeError(f"initdb failed ({init.returncode}): {init.stderr.decode(errors='replace')}")
        last_error = ""
        for _ in range(5):  # a free port can be taken between probing and binding: retry
            self.port = free_port()
            if self._launch():
                return self
            last_error = (self.root / "server.log").read_text(errors="replace")[-2000:]
            self._kill()
        self.stop()
        raise RuntimeError(f"PostgreSQL did not start: {last_error}")

    def _launch(self) -> bool:
        """Start the server on the existing data directory and :attr:`port`; whether it became ready."""
        assert self.root is not None and self.port is not None
        data, sock = self.root / "data", self.root / "sock"
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        if self.user is not None:
            env["HOME"] = str(self.root)
        log = open(self.root / "server.log", "ab")
        self.proc = subprocess.Popen(
            [
                find_binary("postgres"),
                "-D",
                str(data),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={sock}",
                "-c",
                f"max_connections={self.max_connections}",
                "-c",
                "timezone=UTC",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.root,
            preexec_fn=_die_with_parent,
            **self._run_kwargs(),  # type: ignore[arg-type]
        )
        log.close()
        return self._wait_ready()

    def restart(self, down_seconds: float = 0.0) -> None:
        """Shut the server down (fast: clients are disconnected), stay down ``down_seconds``, start it again on the
        same data and port (tests of clients that must reconnect)."""
        self._kill()
        time.sleep(down_seconds)
        if not self._launch():
            raise RuntimeError("PostgreSQL did not come back after a restart")

    def _wait_ready(self) -> bool:
        import psycopg

        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            try:
                with psycopg.connect(self.dsn("postgres"), connect_timeout=2):
                    return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        return False

    def _kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # "fast" shutdown: roll back clients, checkpoint, exit
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def stop(self) -> None:
        self._kill()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> TempPostgres:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) the server has used so far: the postmaster, its live processes (backends,
        WAL writer, checkpointer…) and those that have exited. ``None`` where ``/proc`` is not there to read."""
        if self.proc is None or not Path("/proc/self/stat").exists():
            return None
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        try:
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    text = stat.read_text()
                except OSError:
                    continue
                fields = text[text.rindex(")") + 2 :].split()
                pid, ppid = int(stat.parent.name), int(fields[1])
                if pid == self.proc.pid:  # its own time and that of its children that have exited
                    total += sum(int(x) for x in fields[11:15]) / tick
                elif ppid == self.proc.pid:
                    total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            return None
        return total

    # -------------------------------------------------------------- databases

    def dsn(self, dbname: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={dbname}"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        return create_database(self.dsn("postgres"), name, self.url(name))


def create_database(admin_dsn: str, name: str, url: str) -> str:
    import psycopg
    from psycopg import sql

    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"bad database name {name!r}")
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url
