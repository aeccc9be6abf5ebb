"""A real browser (headless Chromium) on the instructor's Gradebook and Analytics pages over a seeded course with one
score overridden by hand: the table marks the override, the audit trail lists it, a student's attempt shows it, and
the analytics charts draw. Screenshots at desktop width and at 390 px go to ``$CNNQUIZ_ARTIFACTS/cnnquiz-browser``.

The pages run under a throwaway router that signs the instructor in from an environment variable (the product's
sign-in is tested elsewhere).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader import db as D
from grader import services as S
from tests.test_browser import ARTIFACTS
from tools.browser import free_port
from tools.seed_course import seed_course

ROOT = Path(__file__).resolve().parent.parent
ROUTER = """
import os
import streamlit as st
from grader import services as S
from ui.state import USER_KEY, services

st.set_page_config(page_title="cnnquiz test router", layout="wide")
if USER_KEY not in st.session_state:
    st.session_state[USER_KEY] = S.get_user(services(), int(os.environ["CNNQUIZ_TEST_USER_ID"]))
pages = [
    st.Page({gradebook!r}, title="Gradebook", default=True),
    st.Page({analytics!r}, title="Analytics", url_path="analytics"),
]
st.navigation(pages).run()
"""
REASON = "unit slip only: the count is right"


@dataclass
class Site:
    url: str
    sf: D.SessionFactory
    override: S.ScoreChangeOut


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("browser-gradebook")
    url = f"sqlite:///{tmp / 'app.sqlite'}"
    D.upgrade(url)
    engine = D.make_engine(url)
    sf = D.session_factory(engine)
    w = seed_course(sf)
    bob = next(u for u in w.students if u.username == "bob")
    wrong = next(
        r
        for r in S.list_responses(sf, w.prof.id, w.homework.id, user_id=bob.id)
        if r.score is not None and r.score < r.max_score and r.try_number == 1
    )
    change = S.override_score(sf, w.prof.id, wrong.id, wrong.max_score / 2, REASON)
    router = tmp / "router.py"
    router.write_text(
        ROUTER.format(gradebook=str(ROOT / "ui/pages/gradebook.py"), analytics=str(ROOT / "ui/pages/analytics.py"))
    )
    port = free_port()
    env = {**os.environ, "CNNQUIZ_DB_URL": url, "CNNQUIZ_TEST_USER_ID": str(w.prof.id)}
    log = open(tmp / "streamlit.log", "wb")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(router), "--server.headless=true", f"--server.port={port}",
            "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the Streamlit server did not become healthy in 60 s")
        yield Site(base, sf, change)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        engine.dispose()


def _shots(driver: Any, name: str) -> list[Path]:
    """Screenshots at desktop width and at 390 px (a phone), full page height."""
    out = ARTIFACTS / "gradebook"
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for label, width in (("desktop", 1280), ("390px", 390)):
        driver.set_window_size(width, 1000)
        time.sleep(1.5)
        height = driver.execute_script(
            "const m = document.querySelector('[data-testid=\"stMain\"]'); return m ? m.scrollHeight + 120 : 1600;"
        )
        driver.set_window_size(width, min(max(int(height), 900), 9000))
        time.sleep(1.5)
        path = out / f"{name}-{label}.png"
        driver.save_screenshot(str(path))
        paths.append(path)
    driver.set_window_size(1280, 1600)
    time.sleep(0.5)
    return paths


def _wait_text(driver: Any, text: str, timeout: float = 90) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(lambda d: text in d.find_element("tag name", "body").text)


def test_gradebook_and_analytics_in_a_real_browser(site: Site, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(site.url)
    _wait_text(browser, "Audit trail")
    _wait_text(browser, "Download the gradebook (CSV)")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Download the gradebook (CSV)" in body and "Regrade after a key fix" in body
    shots = _shots(browser, "gradebook-table")

    box = next(b for b in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stSelectbox"]') if "Student" in b.text)
    box.find_element(By.TAG_NAME, "input").click()
    box.find_element(By.TAG_NAME, "input").send_keys("Bob", Keys.ENTER)
    _wait_text(browser, "· overridden")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "override by prof" in body and REASON in body
    shots += _shots(browser, "gradebook-attempt")

    browser.get(f"{site.url}/analytics")
    _wait_text(browser, "Mastery: students × topics")
    time.sleep(3)  # the charts draw after the text
    assert len(browser.find_elements(By.CSS_SELECTOR, "canvas, svg.marks")) >= 4
    shots += _shots(browser, "analytics")
    assert all(p.stat().st_size > 10_000 for p in shots)
