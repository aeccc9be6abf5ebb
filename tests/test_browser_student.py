"""A student's whole day in a real browser (headless Debian Chromium) against the real app (``streamlit_app.py``),
signed in through the Account page's form: nothing here reaches into the session.

The database is prepared through the services (an instructor, a course, a timed exam, a short timed quiz, and a
student registered with the course's join code). Then, as the student, in order: a wrong password is refused and
the right one signs in; practice (a malformed answer that costs no try, a trap, the right answer), a review, the
timed exam (answers saved, a reload mid-way keeps them, finishing asks for confirmation), a short quiz whose clock
runs out and hands it in with nobody clicking, the Code page in its plain text box (the reference LeNet-5 passes, a
LeNet-5 without biases falls into its trap, a non-UTF-8 upload is refused), and Progress. No seed or generator id of the exam ever
reaches the browser, neither in the page nor in the websocket frames.

Screenshots (desktop, and 390 px wide for practice, the exam and the code page) go to ``$CNNQUIZ_SHOTS``
(default: ``$CNNQUIZ_ARTIFACTS/cnnquiz-browser/student``, see :mod:`tests.test_browser`).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader import db as D
from grader import services as S
from grader.autograde.tasks import get as get_task
from quizbank.generators import generate
from quizbank.traps import get as get_trap
from tests.support import headless_chromium, served, site_database
from tests.test_browser import ARTIFACTS, PHONE, _click, _main_text, _nav, _settle, _type, _until_text, _wait, shot
from ui.practice_view import Pick, share_token

ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("CNNQUIZ_SHOTS") or ARTIFACTS / "student")
SUBMISSIONS = ROOT / "tests" / "autograde_submissions"
DESKTOP = (1280, 1400)
PASSWORD = "ada's password"
QUIZ_SECONDS = 20


@dataclass
class Site:
    url: str
    sf: D.SessionFactory
    student: S.UserOut
    exam: S.AssessmentOut
    quiz: S.AssessmentOut
    questions: list[S.QuestionView]


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with site_database("cnnquiz-student-") as (data, sf):
        prof = S.create_user(sf, "prof", "instructor", password="prof password")
        course = S.create_course(sf, prof.id, "CNN101", "Convolutional networks")
        [mine] = S.list_my_courses(sf, prof.id)
        assert mine.join_code is not None
        ada = S.register_student(sf, "ada", PASSWORD, mine.join_code.lower(), display_name="Ada")
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
        quiz = S.create_assessment(
            sf, prof.id, course.id, "Pop quiz", "exam", [{"generator": "pooling.output_shape"}],
            opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=1),
            key_release_at=now + dt.timedelta(days=2), time_limit_s=QUIZ_SECONDS, attempt_limit=1,
        )  # fmt: skip
        questions = S.list_questions(sf, prof.id, exam.id)
        with served(data, stop_timeout=30) as base:
            yield Site(base, sf, ada, exam, quiz, questions)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium(*DESKTOP, network_log=True) as driver:  # the websocket frames, to search them
        yield driver


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


def _no_identity(site: Site, blob: str | bytes) -> None:
    raw = blob.encode() if isinstance(blob, str) else blob
    assert raw
    for q in site.questions:
        assert q.instance.generator.encode() not in raw, q.instance.generator
        assert str(q.instance.seed).encode() not in raw


def _shot(b: Any, name: str, *, phone: bool = False) -> None:
    shot(b, name, folder=SHOTS)
    if phone:
        shot(b, f"{name}-390px", size=PHONE, folder=SHOTS)


def _button(b: Any, label: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    btn = _wait(b, 90).until(EC.element_to_be_clickable((By.XPATH, f"//button[.//p[normalize-space()='{label}']]")))
    b.execute_script("arguments[0].scrollIntoView({block: 'center'});", btn)
    return btn


def _answer(b: Any, text: str) -> None:
    """Type ``text`` as the answer and press Enter, once the box holds exactly it (the page moves the focus to its
    feedback after each check, and a redraw can do so again while typing)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.keys import Keys

    for _ in range(5):
        try:  # a rerun that lands while typing replaces the box: find it again
            box = _type(b, "Your answer", text)
            if box.get_attribute("value") == text:
                box.send_keys(Keys.ENTER)
                return
        except StaleElementReferenceException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"could not type {text!r} into the answer box")


def _no_traceback(b: Any) -> None:
    assert "Traceback" not in _main_text(b)


# ------------------------------------------------------------------ the walk-through


def test_sign_in_through_the_account_form(site: Site, browser: Any) -> None:
    b = browser
    b.get(f"{site.url}/account")
    _until_text(b, "Register with a join code")
    _type(b, "Username", "ada")
    _type(b, "Password", "not the password")
    _click(b, "Sign in")
    _until_text(b, "Wrong username or password")
    _shot(b, "01-sign-in-refused")
    assert b.get_cookie("cnnquiz_session") is None
    _type(b, "Password", PASSWORD)
    _click(b, "Sign in")
    _until_text(b, "Welcome back, Ada")
    assert b.get_cookie("cnnquiz_session") is not None
    assert "Signed in as Ada" in b.find_element("css selector", "[data-testid='stSidebar']").text
    _shot(b, "02-home-signed-in")


def test_practice_a_malformed_answer_a_trap_then_the_answer(site: Site, browser: Any) -> None:

    b = browser
    q = generate("conv_params.count", 3, 1)
    [trap] = [t for t in q.traps if t.trap == "forgot_bias"]  # type: ignore[union-attr]
    b.get(f"{site.url}/practice?q={share_token(site.sf, Pick(q.generator, q.seed, q.difficulty))}")
    _until_text(b, "How many parameters")
    _answer(b, "about a million")
    _until_text(b, "did not count as a try")
    _settle(b)
    assert "Trap:" not in _main_text(b)
    _shot(b, "03-practice-malformed", phone=True)
    _answer(b, str(trap.value))
    _until_text(b, "Trap:")
    _until_text(b, "1 try left")
    _settle(b)
    assert "Forgot the bias" in _main_text(b)
    _shot(b, "04-practice-trap", phone=True)
    _answer(b, f"{q.key:,}")
    _until_text(b, "Correct at the second try")
    _until_text(b, "Worked explanation")
    _settle(b)
    assert "Saved" in _main_text(b)
    _shot(b, "05-practice-correct", phone=True)


def test_review_a_concept(site: Site, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    b = browser
    _nav(b, site.url, "review")
    _until_text(b, "Your concepts")
    _settle(b)
    assert "Conv parameters" in _main_text(b)
    b.find_elements(By.XPATH, "//button[.//p[starts-with(normalize-space(), 'Learn a new concept')]]")[0].click()
    _until_text(b, "Reviewing:")
    _settle(b)
    if b.find_elements(By.CSS_SELECTOR, "input[aria-label='Your answer']"):
        _type(b, "Your answer", "1")
    else:
        b.find_elements(By.CSS_SELECTOR, "[data-testid='stMain'] label:has(input)")[0].click()
    _click(b, "Check")
    _until_text(b, "rated")
    _settle(b)
    _shot(b, "06-review-rated")


def test_the_timed_exam_reload_midway_and_finish(site: Site, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    b = browser
    _frames(b)  # what came before (practice) is not the exam's business
    _nav(b, site.url, "assessments")
    _until_text(b, "Timed midterm")
    _until_text(b, "Pop quiz")
    _settle(b)
    _shot(b, "07-assessments", phone=True)
    b.get(f"{site.url}/assessments?assessment={site.exam.id}")  # the link the Open button leaves in the address bar
    _until_text(b, "from the moment you press Start")
    _button(b, "Start attempt 1").click()
    _until_text(b, "Question 1 of 3")
    # the countdown runs in the browser, towards the server's deadline
    frame = _wait(b).until(EC.presence_of_element_located((By.CSS_SELECTOR, "iframe")))
    b.switch_to.frame(frame)
    _wait(b).until(EC.text_to_be_present_in_element((By.ID, "cd"), "Time left: 29:"))
    b.switch_to.default_content()
    q1 = site.questions[0]
    _answer(b, f"{q1.key:,}")
    _until_text(b, "Saved at")
    _button(b, "Next →").click()
    _until_text(b, "Question 2 of 3")
    q2 = generate(site.questions[1].instance.generator, site.questions[1].instance.seed, 2)
    _answer(b, str(q2.traps[0].value))  # type: ignore[union-attr]
    _until_text(b, "Saved at")
    _shot(b, "08-exam-in-progress", phone=True)
    _no_identity(site, b.page_source)
    # a reload mid-way: a new session, signed in again by the cookie, back on the attempt with both answers
    b.refresh()
    _until_text(b, "2 of 3 answered")
    _until_text(b, "● 2")
    _shot(b, "09-exam-after-reload")
    _button(b, "Next →").click()
    _until_text(b, "Question 2 of 3")
    _settle(b)
    _button(b, "Next →").click()
    _until_text(b, "Question 3 of 3")
    option = _wait(b).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, "[data-testid='stRadio'] [role='radiogroup'] label"))
    )
    option.click()
    _until_text(b, "Saved at")
    _button(b, "Finish attempt…").click()
    _until_text(b, "You answered 3 of 3 questions")
    _shot(b, "10-exam-finish-confirm", phone=True)
    _button(b, "Yes, finish").click()
    _until_text(b, "handed in")
    _until_text(b, "shown from")  # the score waits for the release
    _shot(b, "11-exam-handed-in")
    _no_traceback(b)
    _no_identity(site, b.page_source)
    _no_identity(site, _frames(b))
    (att,) = S.list_attempts(site.sf, site.student.id, site.exam.id)
    assert att.finished_at is not None
    assert len(S.list_responses(site.sf, site.student.id, site.exam.id)) == 3


def test_the_clock_hands_a_quiz_in_by_itself(site: Site, browser: Any) -> None:
    b = browser
    b.get(f"{site.url}/assessments?assessment={site.quiz.id}")
    _until_text(b, "from the moment you press Start")
    _button(b, "Start attempt 1").click()
    _until_text(b, "Question 1 of 1")
    (att,) = S.list_attempts(site.sf, site.student.id, site.quiz.id)
    assert att.finished_at is None and att.deadline_at is not None
    # nobody touches anything: the page notices the deadline on its own
    _until_text(b, "ran out", timeout=QUIZ_SECONDS + 30)
    _until_text(b, "handed in")
    _shot(b, "12-quiz-time-ran-out")
    (att,) = S.list_attempts(site.sf, site.student.id, site.quiz.id)
    assert att.finished_at is not None


def test_code_a_passing_reference_then_a_trapped_solution(site: Site, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    b = browser

    def submit(source: str) -> None:
        area = _wait(b).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "textarea[aria-label='Your code']")))
        area.send_keys(Keys.CONTROL, "a")
        area.send_keys(Keys.DELETE)
        area.send_keys(source)
        area.send_keys(Keys.CONTROL, Keys.ENTER)  # commit the text area before the click
        _button(b, "Submit this code").click()

    _nav(b, site.url, "code")
    _until_text(b, "Contract")
    assert "workers grade" not in _main_text(b)  # no stray docstring printed by Streamlit's magic
    # the plain text box, the code editor's fallback (the editor itself: tests/test_browser_code_editor.py)
    _wait(b).until(EC.element_to_be_clickable((By.XPATH, "//label[.//p[normalize-space()='Plain text box']]"))).click()
    submit(get_task("lenet5").reference_source())
    _until_text(b, "Grading")
    WebDriverWait(b, 300).until(
        EC.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-testid='stMain']"), "61,706 parameters")
    )
    _settle(b)
    assert "Checked" in _main_text(b)
    _shot(b, "13-code-reference-passes", phone=True)
    submit((SUBMISSIONS / "lenet5" / "no_bias.py").read_text())
    # the checker rebuilds the model: 61,706 minus the 236 biases
    WebDriverWait(b, 300).until(
        EC.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-testid='stMain']"), "61,470 parameters")
    )
    _settle(b)
    text = _main_text(b)
    assert f"Trap: {get_trap('forgot_bias').title.split(' (')[0]}" in text
    _shot(b, "14-code-trapped", phone=True)
    _no_traceback(b)
    # a file that is not UTF-8 is refused before anything is stored
    bad = Path(tempfile.mkdtemp()) / "latin1.py"
    bad.write_bytes("# café\ndef build_model():\n    pass\n".encode("latin-1"))
    b.find_element(By.XPATH, "//*[@role='tab'][contains(., 'Upload')]").click()
    b.find_element(By.CSS_SELECTOR, "input[type='file']").send_keys(str(bad))
    _until_text(b, "is not UTF-8 text")
    _shot(b, "15-code-upload-refused")
    _no_identity(site, b.page_source)
    _no_identity(site, _frames(b))
    subs = S.list_code_submissions(site.sf, site.student.id, task_id="lenet5")
    assert [s.verdict for s in subs] == ["ok", "ok"] and subs[0].score < subs[1].score  # type: ignore[operator]


def test_progress(site: Site, browser: Any) -> None:
    b = browser
    _nav(b, site.url, "progress")
    _until_text(b, "The traps you fall into most")
    _settle(b)
    assert "Forgot the bias" in _main_text(b)
    _shot(b, "16-progress", phone=True)
