"""Real-browser checks: headless Chromium against the served app, on a fresh database.

One walk-through, in order (the tests share the server and the browser): the first run creates the instructor
and a course; a student registers with the join code, practises (a trap, feedback typeset by KaTeX, a second try,
by keyboard only), reloads and is still signed in, reviews a concept, sees their progress; a tampered session
cookie is refused with its reason. Screenshots, desktop and 390 px wide, go to ``$CNNQUIZ_ARTIFACTS/cnnquiz-browser``
(default: the temp dir).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quizbank.generators import generate
from tests.support import served
from tools.browser import click, db_url, main_text, nav, settle, type_into, until_text, wait
from tools.browser import shot as browser_shot
from ui.practice_view import Pick

ARTIFACTS = Path(os.environ.get("CNNQUIZ_ARTIFACTS", tempfile.gettempdir())) / "cnnquiz-browser"
DESKTOP = (1200, 1400)
PHONE = (390, 844)
WALK: dict[str, Any] = {}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    data = tempfile.mkdtemp(prefix="cnnquiz-data-")
    WALK["db_url"] = db_url(data)
    with served(data) as url:
        yield url


# ------------------------------------------------------------------ helpers


# the shared steps live in tools.browser; the other browser tests import these names from here
_wait, _main_text, _until_text, _settle, _type, _click, _nav = (
    wait,
    main_text,
    until_text,
    settle,
    type_into,
    click,
    nav,
)


def shot(b: Any, name: str, *, size: tuple[int, int] | None = None, folder: Path = ARTIFACTS) -> Path:
    """A whole-page screenshot ``name.png`` in ``folder`` (the artefacts folder; see :func:`tools.browser.shot`)."""
    return browser_shot(b, folder / f"{name}.png", size=size)


# ------------------------------------------------------------------ the walk-through


def test_first_run_creates_the_instructor_and_a_course(server: str, browser: Any) -> None:
    b = browser
    b.get(server)
    until_text(b, "Set up cnnquiz")
    shot(b, "01-first-run")
    type_into(b, "Instructor username", "prof")
    type_into(b, "Password (at least 8 characters)", "prof password")
    type_into(b, "The same password again", "prof password")
    click(b, "Create")
    until_text(b, "this join code:")
    code = wait(b).until(lambda d: d.find_element("css selector", "[data-testid='stCode'] code").text.strip())
    assert re.fullmatch(r"[A-Z0-9]{8}", code), code
    WALK["join_code"] = code
    shot(b, "02-first-run-done")
    # the instructor signs out (from the sidebar)
    click(b, "Sign out")
    settle(b)
    assert "Signed in as" not in b.find_element("css selector", "[data-testid='stSidebar']").text


def test_a_student_registers_with_the_join_code(server: str, browser: Any) -> None:
    b = browser
    nav(b, server, "account")
    until_text(b, "Register with a join code")
    from selenium.webdriver.common.by import By

    b.find_element(By.XPATH, "//*[@role='tab'][.//p[text()='Register with a join code']]").click()
    type_into(b, "Join code", WALK["join_code"].lower())
    type_into(b, "Username", "ada")
    type_into(b, "Your name (shown to your instructor)", "Ada")
    type_into(b, "Password (at least 8 characters)", "ada password")
    type_into(b, "The same password again", "ada password")
    click(b, "Register")
    until_text(b, "Welcome back, Ada")
    assert b.get_cookie("cnnquiz_session") is not None
    shot(b, "03-home-signed-in")


def test_practice_a_trap_then_a_second_try_by_keyboard(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    b = browser
    nav(b, server, "practice")
    until_text(b, "Share this question")
    # the page's share link is an opaque token: no generator id, no seed
    b.find_element(By.XPATH, "//summary[.//p[text()='Share this question']]").click()
    link = wait(b).until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-testid='stCode'] code").text.strip())
    assert re.search(r"/practice\?q=[A-Za-z0-9_-]{30,}$", link), link
    assert "seed" not in link and "conv_params" not in link
    # a teacher's link (sealed with the server's own secret) to a variant whose "forgot the bias" trap feedback
    # carries a formula: (K·K·C_in + 1)·C_out
    q = generate("conv_params.count", 0, 1)
    [trap] = [t for t in q.traps if t.trap == "forgot_bias"]  # type: ignore[union-attr]
    token = _share_token(Pick(q.generator, q.seed, q.difficulty))
    b.get(f"{server}/practice?q={token}")
    until_text(b, "How many parameters")
    shot(b, "04-practice-question")
    box = type_into(b, "Your answer", str(trap.value))
    box.send_keys(Keys.ENTER)  # the keyboard submits the form
    until_text(b, "Trap:")
    until_text(b, "1 try left")
    settle(b)
    alert = b.find_element(By.CSS_SELECTOR, ".st-key-practice-feedback [data-testid='stAlert']")
    assert alert.find_elements(By.CSS_SELECTOR, ".katex"), "the trap's formula is typeset by KaTeX"
    assert not alert.find_elements(By.CSS_SELECTOR, ".katex-error")
    assert "$" not in alert.text and "C_in" not in alert.text and "Forgot the bias" in alert.text
    active = b.switch_to.active_element
    assert "st-key-practice-feedback" in (active.get_attribute("class") or ""), "focus moves to the feedback"
    shot(b, "05-practice-trap-desktop")
    shot(b, "06-practice-trap-phone", size=PHONE)
    box = type_into(b, "Your answer", f"{q.key:,}")
    box.send_keys(Keys.ENTER)
    until_text(b, "Correct at the second try")
    until_text(b, "Worked explanation")
    settle(b)
    assert "Score: 0 of 1 question right at the first try" in main_text(b)
    assert f"Your answers: {trap.value} → {q.key:,}" in main_text(b)
    assert not b.find_elements(By.CSS_SELECTOR, "[data-testid='stMain'] .katex-error")
    shot(b, "07-practice-second-try")
    # after "New variant" the address bar no longer names the question
    click(b, "New variant")
    settle(b)
    wait(b).until(lambda d: "q=" not in d.current_url)


def _share_token(pick: Pick) -> str:
    """The token the running server would put in a share link (its secret is in its database)."""
    from grader.db import make_engine, session_factory
    from ui.practice_view import share_token

    engine = make_engine(WALK["db_url"])
    try:
        return share_token(session_factory(engine), pick)
    finally:
        engine.dispose()


def test_a_reload_keeps_the_student_signed_in(server: str, browser: Any) -> None:
    b = browser
    b.refresh()  # a new session on the same page: only the cookie can sign it in
    until_text(b, "Share this question")
    settle(b)
    assert "nothing you answer here is saved" not in main_text(b)
    b.get(f"{server}/account")  # a typed address: a new session again
    until_text(b, "Signed in as Ada")
    assert "(ada, student)" in main_text(b)


def test_review_a_due_concept(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    b = browser
    nav(b, server, "review")
    until_text(b, "Your concepts")
    settle(b)
    shot(b, "08-review-queue")
    text = main_text(b)
    assert "Conv parameters" in text
    # review a new concept: a fresh variant, one try, rated
    buttons = b.find_elements(By.XPATH, "//button[.//p[starts-with(normalize-space(), 'Learn a new concept')]]")
    buttons[0].click()
    until_text(b, "Reviewing:")
    settle(b)
    shot(b, "09-review-question")
    if b.find_elements(By.CSS_SELECTOR, "input[aria-label='Your answer']"):
        type_into(b, "Your answer", "1")
    else:
        b.find_elements(By.CSS_SELECTOR, "[data-testid='stMain'] label:has(input)")[0].click()
    click(b, "Check")
    until_text(b, "Worked explanation")
    until_text(b, "rated")
    settle(b)
    shot(b, "10-review-rated-desktop")
    shot(b, "11-review-rated-phone", size=PHONE)
    leave = b.find_elements(
        By.XPATH, "//button[.//p[normalize-space()='Done for now' or normalize-space()='Stop reviewing']]"
    )
    leave[0].click()
    until_text(b, "Mastery over time")
    settle(b)
    assert b.find_elements(By.CSS_SELECTOR, "[data-testid='stVegaLiteChart'], .vega-embed")
    shot(b, "12-review-mastery")


def test_progress_lists_the_trap_with_a_practice_link(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    b = browser
    nav(b, server, "progress")
    until_text(b, "The traps you fall into most")
    settle(b)
    links = b.find_elements(By.CSS_SELECTOR, "[data-testid='stPageLink'] a")
    hrefs = [a.get_attribute("href") for a in links]
    assert any("topic=conv_params" in h and "generator=conv_params.count" in h for h in hrefs), hrefs
    shot(b, "13-progress")
    shot(b, "14-progress-phone", size=PHONE)


def test_a_tampered_cookie_is_refused_with_its_reason(server: str, browser: Any) -> None:
    b = browser
    good = b.get_cookie("cnnquiz_session")["value"]
    parts = good.split(".")
    parts[1] = "1"  # claim the instructor's id, keeping the student's signature
    b.delete_cookie("cnnquiz_session")
    b.add_cookie({"name": "cnnquiz_session", "value": ".".join(parts), "path": "/"})
    b.get(server)
    until_text(b, "altered")
    settle(b)
    assert "Signed in as" not in b.find_element("css selector", "[data-testid='stSidebar']").text
    shot(b, "15-tampered-cookie")
