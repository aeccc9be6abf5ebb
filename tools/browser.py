"""A served app and a headless Chromium for the real-browser tests and the app benchmark.

:func:`serve` starts ``streamlit run streamlit_app.py`` on a free loopback port with its own data directory
(and so its own SQLite database, migrated on first use); :func:`chromium` starts Debian's Chromium through
ChromeDriver, headless, with a throwaway profile (and, if asked, a folder its downloads land in).

The rest are the Selenium steps the browser tests share, each waiting explicitly for what it needs: the main
area's text (:func:`main_text`, :func:`until_text`), the end of a Streamlit run (:func:`settle`), typing into a
labelled box (:func:`type_into`), pressing a button (:func:`click`), picking in a select box (:func:`choose`),
opening a tab (:func:`tab`), following the sidebar (:func:`nav`), a finished download (:func:`downloaded`) and a
full-height screenshot (:func:`shot`).
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


def chromium(
    width: int = 1200,
    height: int = 1400,
    *,
    network_log: bool = False,
    downloads: str | Path | None = None,
    offline: bool = False,
) -> Any:
    """A headless Chromium (a Selenium WebDriver) with a throwaway profile; ``network_log`` keeps the DevTools
    network events (websocket frames included) for ``driver.get_log("performance")``; its downloads land in
    ``downloads`` (without asking) when it is given; ``offline`` resolves no host name but the loopback address,
    as on a machine with no network."""
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
    if downloads is not None:
        opts.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(downloads),
                "download.prompt_for_download": False,
                "download.directory_upgrade": True,
                "safebrowsing.enabled": True,
            },
        )
    driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    if downloads is not None:  # headless Chromium may ignore the preference: say it again through DevTools
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    return driver


# ------------------------------------------------------------------ the steps the browser tests share

MAIN = "[data-testid='stMain']"


def xpath_literal(text: str) -> str:
    """``text`` as an XPath string literal, whatever quotes it holds."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in text.split("'")) + ")"


def wait(b: Any, timeout: float = 60) -> Any:
    """A wait that polls through Streamlit's reruns, which replace elements between a find and a read."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(b, timeout, ignored_exceptions=(StaleElementReferenceException,))


def main_text(b: Any) -> str:
    """The visible text of the page's main area (not the sidebar)."""
    from selenium.webdriver.common.by import By

    return str(b.find_element(By.CSS_SELECTOR, MAIN).text)


def until_text(b: Any, text: str, timeout: float = 60) -> None:
    """Wait until the main area shows ``text``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    wait(b, timeout).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, MAIN), text))


def settle(b: Any, timeout: float = 60) -> None:
    """Wait until Streamlit has finished the current run (no "running" status widget)."""
    from selenium.webdriver.common.by import By

    time.sleep(0.3)
    wait(b, timeout).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget']"))
    time.sleep(0.2)


def type_into(b: Any, label: str, text: str) -> Any:
    """Type into the visible text box labelled ``label`` (replacing what it held); returns the box."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    def visible(d: Any) -> Any:
        boxes = d.find_elements(By.CSS_SELECTOR, f"input[aria-label='{label}'], textarea[aria-label='{label}']")
        return next((x for x in boxes if x.is_displayed() and x.is_enabled()), False)

    box = wait(b).until(visible)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text)
    return box


def click(b: Any, label: str) -> None:
    """Press the (download) button whose text is ``label``, scrolled into view first."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    btn = wait(b).until(
        EC.element_to_be_clickable((By.XPATH, f"//button[.//p[normalize-space()={xpath_literal(label)}]]"))
    )
    b.execute_script("arguments[0].scrollIntoView({block: 'center'});", btn)
    btn.click()


def choose(b: Any, label: str, option: str) -> None:
    """Pick ``option`` (typed, then Enter) in the select box labelled ``label``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    xpath = f"//div[@data-testid='stSelectbox'][.//label[normalize-space()='{label}']]//input"
    box = wait(b).until(lambda d: next((x for x in d.find_elements(By.XPATH, xpath) if x.is_displayed()), False))
    b.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    box.click()
    box.send_keys(option, Keys.ENTER)


def tab(b: Any, label: str) -> None:
    """Open the tab labelled ``label`` and wait until it is the selected one."""
    from selenium.webdriver.common.by import By

    xpath = f"//*[@role='tab'][.//p[normalize-space()='{label}']]"
    wait(b).until(lambda d: d.find_element(By.XPATH, xpath)).click()
    wait(b).until(lambda d: d.find_element(By.XPATH, xpath).get_attribute("aria-selected") == "true")


def nav(b: Any, server: str, path: str) -> None:
    """Follow the sidebar's link to a page (an in-app switch, as a click would); a narrow window types the address."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    if b.get_window_size()["width"] < 700:
        b.get(f"{server}/{path}")
        return
    link = wait(b).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, f"[data-testid='stSidebarNav'] a[href$='/{path}']"))
    )
    link.click()


def downloaded(folder: Path, name: str, timeout: float = 60) -> Path:
    """Wait until the download ``folder/name`` is complete (Chromium renames its ``.crdownload`` when done)."""
    path = folder / name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and not (folder / f"{name}.crdownload").exists():
            return path
        time.sleep(0.2)
    raise TimeoutError(f"{name} did not arrive in {folder} within {timeout:.0f} s: {sorted(os.listdir(folder))}")


def shot(b: Any, path: Path, *, size: tuple[int, int] | None = None) -> Path:
    """Save a screenshot of the whole page at ``size`` (default: the window's size) to ``path``, then restore the
    window. The window grows to the main area's height (at most 4,000 px) so that the page is seen whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    before = b.get_window_size()
    w, h = size or (before["width"], before["height"])
    b.set_window_size(w, h)
    time.sleep(0.6)
    height = b.execute_script(f'const m = document.querySelector("{MAIN}"); return m ? m.scrollHeight : 0;')
    b.set_window_size(w, max(h, min(int(height or 0) + 160, 4000)))
    time.sleep(0.6)
    b.save_screenshot(str(path))
    b.set_window_size(before["width"], before["height"])
    time.sleep(0.3)
    return path
