"""One real-browser check: headless Chromium against the served app, answering a pinned question."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from quizbank.generators import generate

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = Path(os.environ.get("CNNQUIZ_ARTIFACTS", tempfile.gettempdir())) / "cnnquiz-browser"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "CNNQUIZ_DATA_DIR": tempfile.mkdtemp(prefix="cnnquiz-data-")}
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
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the Streamlit server did not become healthy in 60 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("Chromium/ChromeDriver missing: `make test` installs them (apt packages chromium chromium-driver)")
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
        "--window-size=1200,1400",
        f"--user-data-dir={tempfile.mkdtemp(prefix='cnnquiz-chromium-')}",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def test_answer_a_question_in_a_real_browser(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    q = generate("conv_params.count", 11, 2)
    browser.get(f"{server}/?gen={q.generator}&seed={q.seed}&d={q.difficulty}")
    wait = WebDriverWait(browser, 60)
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Practice"))
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-testid='stMain']"), "How many parameters"))
    box = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Your answer']")))
    box.send_keys(f"{q.key:,}")
    browser.find_element(By.XPATH, "//button[.//p[text()='Check']]").click()
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-testid='stAlert']"), "Correct"))
    # the worked explanation follows, its math rendered by KaTeX (not raw $…$)
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-testid='stMain']"), "Worked explanation"))
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".katex")))
    assert "$" not in browser.find_element(By.CSS_SELECTOR, "[data-testid='stMain']").text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "practice-correct.png"))
