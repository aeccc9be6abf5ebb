"""A served app and a headless Chromium for the real-browser test and the app benchmark.

:func:`serve` starts ``streamlit run streamlit_app.py`` on a free loopback port with its own data directory
(and so its own SQLite database, migrated on first use); :func:`chromium` starts Debian's Chromium through
ChromeDriver, headless, with a throwaway profile.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(data_dir: str | Path, *, timeout: float = 60) -> tuple[subprocess.Popen[bytes], str]:
    """Start the app on a free loopback port with its data in ``data_dir``; returns the process and its URL."""
    port = free_port()
    env = {**os.environ, "CNNQUIZ_DATA_DIR": str(data_dir)}
    env.pop("CNNQUIZ_DB_URL", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "streamlit_app.py"),
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.25)
    proc.terminate()
    proc.wait(timeout=20)
    raise RuntimeError(f"the Streamlit server did not become healthy in {timeout:.0f} s")


def db_url(data_dir: str | Path) -> str:
    """The SQLite URL of the database a server started by :func:`serve` on ``data_dir`` uses."""
    return f"sqlite:///{Path(data_dir) / 'cnnquiz.sqlite'}"


def available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def chromium(width: int = 1200, height: int = 1400, *, network_log: bool = False, offline: bool = False) -> Any:
    """A headless Chromium (a Selenium WebDriver) with a throwaway profile; ``network_log`` keeps the DevTools
    network events (websocket frames included) for ``driver.get_log("performance")``; ``offline`` resolves no
    host name but the loopback address, as on a machine with no network."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        f"--user-data-dir={tempfile.mkdtemp(prefix='cnnquiz-chromium-')}",
    ):
        opts.add_argument(flag)
    if offline:
        opts.add_argument("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    if network_log:
        opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
