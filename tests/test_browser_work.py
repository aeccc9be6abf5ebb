"""A real browser (headless Chromium) on the student's Assessments and Code pages: a timed exam taken and handed in,
a LeNet-5 submitted and graded, a non-UTF-8 upload refused; no seed or generator id ever reaches the browser before
the release, neither in the rendered page nor in the websocket frames. Screenshots at desktop width and at 390 px.

The pages run under a throwaway router written to the test's temporary folder, which signs the student in from an
environment variable (the product's sign-in is not part of what is tested here).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader import db as D
from grader import services as S
from grader.autograde.tasks import get as get_task
from quizbank.generators import generate
from tests.test_browser import ARTIFACTS
from tools.browser import CHROMEDRIVER, CHROMIUM, free_port

ROOT = Path(__file__).resolve().parent.parent
ROUTER = """
import os
import streamlit as st
from grader import services as S
from ui.state import USER_KEY, services

st.set_page_config(page_title="cnnquiz test router", layout="centered")
if USER_KEY not in st.session_state:
    st.session_state[USER_KEY] = S.get_user(services(), int(os.environ["CNNQUIZ_TEST_USER_ID"]))
pages = [
    st.Page({assessments!r}, title="Assessments", default=True),
    st.Page({code!r}, title="Code", url_path="code"),
]
st.navigation(pages).run()
"""


@dataclass
class Site:
    url: str
    sf: D.SessionFactory
    student: S.UserOut
    exam: S.AssessmentOut
    questions: list[S.QuestionView]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("browser-work")
    url = f"sqlite:///{tmp / 'app.sqlite'}"
    D.upgrade(url)
    engine = D.make_engine(url)
    sf = D.session_factory(engine)
    prof = S.create_user(sf, "prof", "instructor")
    ada = S.create_user(sf, "ada", "student", display_name="Ada")
    course = S.create_course(sf, prof.id, "CNN101", "Convolutional networks")
    S.enrol(sf, prof.id, course.id, ada.id)
    now = D.utcnow()
    exam = S.create_assessment(
        sf,
        prof.id,
        course.id,
        "Timed midterm",
        "exam",
        [{"generator": "conv_params.count", "count": 2, "difficulty": 2}, {"generator": "conv_params.resolution"}],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        key_release_at=now + dt.timedelta(days=2),
        time_limit_s=1800,
        attempt_limit=1,
    )
    S.create_assessment(
        sf, prof.id, course.id, "Homework 2", "homework", [{"topic": "receptive_field", "count": 3}],
        opens_at=now + dt.timedelta(days=3), closes_at=now + dt.timedelta(days=10),
    )  # fmt: skip
    questions = S.list_questions(sf, prof.id, exam.id)
    router = tmp / "router.py"
    router.write_text(
        ROUTER.format(assessments=str(ROOT / "ui/pages/assessments.py"), code=str(ROOT / "ui/pages/code.py"))
    )
    port = free_port()
    env = {**os.environ, "CNNQUIZ_DB_URL": url, "CNNQUIZ_TEST_USER_ID": str(ada.id)}
    log = open(tmp / "streamlit.log", "wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(router),
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
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
        yield Site(base, sf, ada, exam, questions)  # type: ignore[arg-type]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
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
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
        f"--user-data-dir={tempfile.mkdtemp(prefix='cnnquiz-chromium-')}",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})  # the websocket frames, to search them
    driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def _frames(driver: Any) -> bytes:
    """Every websocket frame the browser received since the last call, decoded."""
    out = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.webSocketFrameReceived":
            resp = msg["params"]["response"]
            data = resp.get("payloadData", "")
            out.append(base64.b64decode(data) if resp.get("opcode") == 2 else data.encode())
    return b"\n".join(out)


def _shots(driver: Any, name: str) -> None:
    """Screenshots at desktop width and at 390 px (a phone), full page height."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, width in (("desktop", 1280), ("390px", 390)):
        driver.set_window_size(width, 1000)
        time.sleep(1.0)
        height = driver.execute_script(
            "const m = document.querySelector('[data-testid=\"stMain\"]'); return m ? m.scrollHeight + 120 : 1600;"
        )
        driver.set_window_size(width, min(max(int(height), 900), 6000))
        time.sleep(1.0)
        driver.save_screenshot(str(ARTIFACTS / f"{name}-{label}.png"))
    driver.set_window_size(1280, 1600)
    time.sleep(0.5)


def _no_identity(site: Site, text: str | bytes) -> None:
    blob = text.encode() if isinstance(text, str) else text
    assert blob
    for q in site.questions:
        assert q.instance.generator.encode() not in blob, q.instance.generator
        assert str(q.instance.seed).encode() not in blob


def test_timed_exam_and_code_in_a_real_browser(site: Site, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 90)
    main = (By.CSS_SELECTOR, "[data-testid='stMain']")

    def button(label: str) -> Any:
        return wait.until(EC.element_to_be_clickable((By.XPATH, f"//button[.//p[normalize-space()='{label}']]")))

    def text_present(text: str) -> None:
        wait.until(EC.text_to_be_present_in_element(main, text))

    browser.get(site.url)  # the router's default page
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Assessments"))
    text_present("Homework 2")
    _shots(browser, "assessments-overview")
    button("Open").click()
    text_present("from the moment you press Start")
    button("Start attempt 1").click()
    text_present("Question 1 of 3")
    # the countdown runs in the browser, towards the server's deadline
    frame = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "iframe")))
    browser.switch_to.frame(frame)
    wait.until(EC.text_to_be_present_in_element((By.ID, "cd"), "Time left: 29:"))
    first = browser.find_element(By.ID, "cd").text
    time.sleep(2.2)
    assert browser.find_element(By.ID, "cd").text != first  # it ticks
    browser.switch_to.default_content()
    # question 1: typed, saved on Enter
    q1 = site.questions[0]
    box = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Your answer']")))
    box.send_keys(f"{q1.key:,}", Keys.ENTER)
    text_present("Saved at")
    # question 2: a trap value, saved when the field loses focus to the Next button
    button("Next →").click()
    text_present("Question 2 of 3")
    q2 = generate(site.questions[1].instance.generator, site.questions[1].instance.seed, 2)
    box = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Your answer']")))
    box.send_keys(str(q2.traps[0].value), Keys.ENTER)  # type: ignore[union-attr]
    text_present("Saved at")
    _shots(browser, "exam-in-progress")
    _no_identity(site, browser.page_source)
    # a reload mid-way loses nothing: the link brings the attempt back, with both answers
    browser.refresh()
    text_present("2 of 3 answered")
    text_present("● 2")  # the navigation marks both answered questions
    button("Next →").click()
    button("Next →").click()
    text_present("Question 3 of 3")
    option = wait.until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, "[data-testid='stRadio'] [role='radiogroup'] label"))
    )
    option.click()
    text_present("Saved at")
    button("Finish attempt…").click()
    text_present("You answered 3 of 3 questions")
    _shots(browser, "exam-finish-confirm")
    button("Yes, finish").click()
    text_present("handed in")
    text_present("shown from")  # scores wait for the release
    _shots(browser, "exam-handed-in")
    assert "Traceback" not in browser.find_element(*main).text
    _no_identity(site, browser.page_source)
    _no_identity(site, _frames(browser))
    (att,) = S.list_attempts(site.sf, site.student.id, site.exam.id)
    assert att.finished_at is not None
    assert len(S.list_responses(site.sf, site.student.id, site.exam.id)) == 3

    # the Code page: the LeNet-5 reference typed into the editor, graded in the background
    browser.get(f"{site.url}/code")
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Code"))
    area = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "textarea[aria-label='Your code']")))
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys(get_task("lenet5").reference_source())
    button("Submit this code").click()
    text_present("Grading")
    WebDriverWait(browser, 300).until(EC.text_to_be_present_in_element(main, "61,706 parameters"))
    text_present("receptive field")
    _shots(browser, "code-verdict")
    assert "Traceback" not in browser.find_element(*main).text
    # a file that is not UTF-8 is refused before anything is stored
    bad = ARTIFACTS / "latin1.py"
    bad.write_bytes("# café\ndef build_model():\n    pass\n".encode("latin-1"))
    browser.find_element(By.XPATH, "//*[@role='tab'][contains(., 'Upload')]").click()
    browser.find_element(By.CSS_SELECTOR, "input[type='file']").send_keys(str(bad))
    text_present("is not UTF-8 text")
    _shots(browser, "code-upload-refused")
    assert "Traceback" not in browser.find_element(*main).text
